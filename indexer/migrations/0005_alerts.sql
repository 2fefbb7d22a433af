-- Alerts: what a compliance rule flagged. One row per (rule, version,
-- event) so a replayed block can never raise the same alert twice; the rule
-- engine writes them in the same transaction as the block they come from.

CREATE TABLE alerts (
    id            bigserial   PRIMARY KEY,
    rule_id       text        NOT NULL,
    rule_version  integer     NOT NULL CHECK (rule_version > 0),
    event_key     text        NOT NULL,
    height        bigint      NOT NULL,
    tx_hash       text,
    time          timestamptz NOT NULL,
    subject       text        NOT NULL,
    severity      text        NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    risk_score    smallint    NOT NULL CHECK (risk_score BETWEEN 0 AND 100),
    tags          text[]      NOT NULL DEFAULT '{}',
    evidence      jsonb       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (rule_id, rule_version, event_key)
);
CREATE INDEX alerts_time ON alerts (time);
CREATE INDEX alerts_subject ON alerts (subject, id);
CREATE INDEX alerts_tags ON alerts USING gin (tags);
