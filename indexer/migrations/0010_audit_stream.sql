-- How far each NATS JetStream stream of the audit log has been published
-- (acknowledged by the server).
CREATE TABLE audit_stream_state (
    stream      text        PRIMARY KEY,
    next_seq    bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, UPDATE ON audit_stream_state TO fog_service;
