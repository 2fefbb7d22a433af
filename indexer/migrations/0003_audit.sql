-- The append-only audit log: records (canonical JSON, hash-chained), the
-- stored hashes of its RFC 6962 tree (sumdb/tlog layout: every perfect
-- subtree once complete), and its signed checkpoints.

-- Everything a record says (time, actor, action, subject, details, tags,
-- prev_hash) is in its canonical JSON and nowhere else: one copy to hash,
-- none to drift. Its leaf hash is the tree's level 0.
CREATE TABLE audit_records (
    seq        bigint PRIMARY KEY,
    record     bytea  NOT NULL,   -- RFC 8785 canonical JSON: the hashed bytes
    leaf_hash  bytea  NOT NULL    -- SHA256(0x00 || record)
);

-- Node (level, idx), level >= 1: the root of leaves idx*2^level ..
-- (idx+1)*2^level - 1, written once when its last leaf arrives (level 0
-- is audit_records.leaf_hash).
CREATE TABLE audit_hashes (
    level  smallint NOT NULL,
    idx    bigint   NOT NULL,
    hash   bytea    NOT NULL,
    PRIMARY KEY (level, idx)
);

-- The log's current size and last leaf hash: one row, locked by appends so
-- sequence numbers and the tree never fork.
CREATE TABLE audit_head (
    id         smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    size       bigint NOT NULL,
    last_leaf  bytea  NOT NULL
);
INSERT INTO audit_head (id, size, last_leaf) VALUES (1, 0, '\x0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_checkpoints (
    size   bigint PRIMARY KEY,
    root   bytea       NOT NULL,
    time   timestamptz NOT NULL,
    note   text        NOT NULL   -- the C2SP signed note
);

-- Nobody edits or deletes the log, whatever role they connect with.
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- Statement-level, so even a change that matches no row is refused.
CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_records
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_hashes_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_hashes
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- The role the services connect with: it may read and append to the log,
-- never change it (and everything else the indexer does).
-- Roles are cluster-wide: databases migrated at the same moment race to
-- create it, and the loser's error is not a failure.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fog_service') THEN
        CREATE ROLE fog_service LOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
GRANT USAGE ON SCHEMA public TO fog_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO fog_service;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_records, audit_hashes, audit_checkpoints FROM fog_service;
GRANT UPDATE ON audit_head TO fog_service;
