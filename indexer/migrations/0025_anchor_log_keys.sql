-- The audit anchor checks each log's checkpoints against the log's own
-- Ed25519 key when it has one (LogCreated's public_key, LogKeySet). NULL:
-- the log has no key (all logs created before keys existed), so its
-- submitters are trusted for the roots they anchor.
ALTER TABLE anchor_logs ADD COLUMN public_key text;
