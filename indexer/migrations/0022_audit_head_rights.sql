-- The service role moves the log's head forward (UPDATE, under its row
-- lock); nothing else. 0003 granted it every right on every table and
-- revoked UPDATE and DELETE from the log's records, hashes and checkpoints
-- only, so fog_service could still delete the head's one row, and every
-- later append would then fail.
REVOKE INSERT, DELETE, TRUNCATE ON audit_head FROM fog_service;
