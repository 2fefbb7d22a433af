-- Cases: alerts grouped for investigation, with notes, an assignee and a
-- due date; and the remediation actions proposed from them, which an
-- officer confirms before the relayer submits them on-chain.

CREATE TABLE cases (
    id          bigserial   PRIMARY KEY,
    title       text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    state       text        NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'investigating', 'closed')),
    outcome     text        CHECK (outcome IN ('confirmed_risk', 'false_positive', 'inconclusive', 'referred')),
    assignee    text,
    due_at      timestamptz,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    closed_at   timestamptz,
    CHECK ((state = 'closed') = (outcome IS NOT NULL)),
    CHECK ((state = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX cases_state ON cases (state, due_at);

-- An alert belongs to at most one case.
CREATE TABLE case_alerts (
    case_id   bigint      NOT NULL REFERENCES cases (id),
    alert_id  bigint      NOT NULL UNIQUE REFERENCES alerts (id),
    added_by  text        NOT NULL,
    added_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, alert_id)
);

CREATE TABLE case_notes (
    id          bigserial   PRIMARY KEY,
    case_id     bigint      NOT NULL REFERENCES cases (id),
    author      text        NOT NULL,
    body        text        NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_notes_case ON case_notes (case_id, id);

-- The audit records of each case (its staff actions), for the export.
CREATE TABLE case_audit (
    case_id    bigint NOT NULL REFERENCES cases (id),
    audit_seq  bigint NOT NULL,
    PRIMARY KEY (case_id, audit_seq)
);

-- Remediation: proposed by staff or by the rules, confirmed by an officer
-- (never the one who proposed it), submitted on-chain by the relayer
-- (which records its transaction before broadcasting it).
CREATE TABLE chain_actions (
    id            bigserial   PRIMARY KEY,
    kind          text        NOT NULL CHECK (kind IN ('flag_sanctioned', 'lift_sanction')),
    address       text        NOT NULL,
    reason        text        NOT NULL,
    case_id       bigint      REFERENCES cases (id),
    alert_id      bigint      REFERENCES alerts (id),
    status        text        NOT NULL DEFAULT 'proposed'
                  CHECK (status IN ('proposed', 'confirmed', 'rejected', 'submitted', 'done', 'failed')),
    proposed_by   text        NOT NULL,
    proposed_at   timestamptz NOT NULL DEFAULT now(),
    decided_by    text,
    decided_at    timestamptz,
    tx_hash       text,
    raw_tx        bytea,
    nonce         bigint,
    height        bigint,
    error         text,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chain_actions_status ON chain_actions (status, id);
-- One open action per address and kind: proposing it twice is refused.
CREATE UNIQUE INDEX chain_actions_open ON chain_actions (address, kind)
    WHERE status IN ('proposed', 'confirmed', 'submitted');

GRANT SELECT, INSERT, UPDATE ON cases, case_alerts, case_notes, case_audit, chain_actions TO fog_service;
GRANT USAGE ON SEQUENCE cases_id_seq, case_notes_id_seq, chain_actions_id_seq TO fog_service;
