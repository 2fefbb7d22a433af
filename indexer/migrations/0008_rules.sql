-- Compliance rules: every version of every rule file the indexer has read,
-- with its four-eyes activation. Only active versions run on new blocks;
-- `rules_generation` moves on every activation so each writer reloads.

CREATE TABLE rule_versions (
    rule_id       text        NOT NULL,
    version       integer     NOT NULL CHECK (version > 0),
    spec          jsonb       NOT NULL,
    sha256        text        NOT NULL,
    source        text        NOT NULL,
    state         text        NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'approved', 'active', 'retired')),
    loaded_by     text        NOT NULL,
    loaded_at     timestamptz NOT NULL DEFAULT now(),
    approved_by   text,
    approved_at   timestamptz,
    activated_by  text,
    activated_at  timestamptz,
    PRIMARY KEY (rule_id, version),
    -- Four eyes: the activating admin is never the approving one.
    CHECK (activated_by IS NULL OR (approved_by IS NOT NULL AND activated_by <> approved_by))
);
-- At most one active version per rule.
CREATE UNIQUE INDEX rule_versions_active ON rule_versions (rule_id) WHERE state = 'active';

CREATE TABLE rules_generation (
    id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    generation  bigint   NOT NULL
);
INSERT INTO rules_generation VALUES (1, 0);
