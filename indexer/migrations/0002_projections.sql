-- Projections rebuilt purely from wasm-fog.* events (event sourcing).

-- veFOG
-- Every lock change: the voting-power checkpoints (power at any height is
-- computed from the last row at or below it, with veFOG's own curve).
CREATE TABLE lock_history (
    owner       text    NOT NULL,
    height      bigint  NOT NULL,
    seq         integer NOT NULL,
    action      text    NOT NULL,
    amount      numeric(78,0) NOT NULL,
    end_time    bigint  NOT NULL,
    start_time  bigint  NOT NULL,
    tier        smallint NOT NULL,
    apy_bps     integer NOT NULL,
    PRIMARY KEY (owner, height, seq)
);
CREATE INDEX lock_history_height ON lock_history (height);

-- Each address's lock now: the last row of its history (amount 0: withdrawn).
-- A view, not a table: the history is written anyway, and upserting a
-- second copy of every change cost a third of the replay time.
CREATE VIEW locks AS
    SELECT DISTINCT ON (owner) owner, amount, end_time, start_time, tier, apy_bps, height AS updated_height
    FROM lock_history
    ORDER BY owner, height DESC, seq DESC;

CREATE TABLE delegates (
    address            text PRIMARY KEY,
    profile            text,
    registered_height  bigint NOT NULL,
    active             boolean NOT NULL
);

-- Who delegates to whom, as of which height (NULL delegate: taken back).
CREATE TABLE delegation_history (
    delegator  text    NOT NULL,
    height     bigint  NOT NULL,
    seq        integer NOT NULL,
    delegate   text,
    PRIMARY KEY (delegator, height, seq)
);

CREATE TABLE ve_config (
    id       smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    owner    text NOT NULL,
    token    text NOT NULL,
    registry text,
    tiers    jsonb NOT NULL,
    height   bigint NOT NULL
);

CREATE TABLE reward_pool (
    id             smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    funded         numeric(78,0) NOT NULL DEFAULT 0,
    paid           numeric(78,0) NOT NULL DEFAULT 0
);

-- Governance
CREATE TABLE gov_config (
    id      smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    config  jsonb  NOT NULL,
    height  bigint NOT NULL
);

CREATE TABLE proposals (
    id              bigint PRIMARY KEY,
    proposer        text   NOT NULL,
    kind            text   NOT NULL,
    method          text   NOT NULL,
    title           text   NOT NULL,
    description     text   NOT NULL,
    options         jsonb  NOT NULL,
    actions         jsonb  NOT NULL,
    start_height    bigint NOT NULL,
    start_time      bigint NOT NULL,
    end_time        bigint NOT NULL,
    total_power     numeric(78,0) NOT NULL,
    quorum_bps      integer NOT NULL,
    threshold_bps   integer NOT NULL,
    timelock        bigint NOT NULL,
    cap             numeric(78,0),
    deposit         numeric(78,0) NOT NULL,
    status          text   NOT NULL,
    winner          smallint,
    decided_at      bigint,
    tally           jsonb  NOT NULL,   -- counted weight per option, decimal strings
    turnout         numeric(78,0) NOT NULL,
    voters          integer NOT NULL,
    executed_height bigint,
    updated_height  bigint NOT NULL
);
CREATE INDEX proposals_start ON proposals (start_height);

CREATE TABLE votes (
    proposal_id  bigint  NOT NULL,
    voter        text    NOT NULL,
    choice       jsonb   NOT NULL,   -- option indexes (a ranking for ranked votes)
    power        numeric(78,0) NOT NULL,
    weight       numeric(78,0) NOT NULL,
    own          numeric(78,0) NOT NULL,
    delegate     text,
    height       bigint  NOT NULL,
    tx_hash      text,
    PRIMARY KEY (proposal_id, voter)
);
CREATE INDEX votes_voter ON votes (voter, proposal_id);

-- Release gate
CREATE TABLE release_groups (
    name     text PRIMARY KEY,
    members  jsonb  NOT NULL,
    height   bigint NOT NULL
);

CREATE TABLE release_policies (
    artifact_type   text PRIMARY KEY,
    min_approvals   integer NOT NULL,
    required_groups jsonb   NOT NULL,
    expiry_seconds  bigint  NOT NULL,
    revoker_groups  jsonb   NOT NULL,
    height          bigint  NOT NULL
);

CREATE TABLE release_requests (
    id                bigint PRIMARY KEY,
    artifact_type     text   NOT NULL,
    artifact_id       text   NOT NULL,
    artifact_version  text   NOT NULL,
    sha256            text   NOT NULL,
    lineage_hash      text   NOT NULL,
    dataset_hashes    jsonb  NOT NULL,
    requester         text   NOT NULL,
    risk_notes        text   NOT NULL,
    created_at_ns     bigint NOT NULL,
    expires_at_ns     bigint NOT NULL,
    min_approvals     integer NOT NULL,
    required_groups   jsonb  NOT NULL,
    status            text   NOT NULL,
    approvals         integer NOT NULL,
    decided_at_ns     bigint,
    created_height    bigint NOT NULL,
    updated_height    bigint NOT NULL
);
CREATE INDEX release_requests_sha ON release_requests (sha256, id);

CREATE TABLE release_votes (
    request_id  bigint NOT NULL,
    voter       text   NOT NULL,
    approve     boolean NOT NULL,
    groups      jsonb  NOT NULL,
    comment     text   NOT NULL,
    at_ns       bigint NOT NULL,
    height      bigint NOT NULL,
    PRIMARY KEY (request_id, voter)
);

-- Audit anchor
CREATE TABLE anchor_logs (
    origin      text PRIMARY KEY,
    submitters  jsonb  NOT NULL,
    height      bigint NOT NULL
);

CREATE TABLE anchor_checkpoints (
    origin         text   NOT NULL,
    size           bigint NOT NULL,
    root           text   NOT NULL,
    timestamp      bigint NOT NULL,
    previous_size  bigint,
    submitter      text   NOT NULL,
    height         bigint NOT NULL,
    PRIMARY KEY (origin, size)
);

-- Compliance registry
CREATE TABLE registry_officers (
    address  text PRIMARY KEY,
    active   boolean NOT NULL,
    height   bigint  NOT NULL
);

CREATE TABLE registry_entries (
    address        text PRIMARY KEY,
    kyc_tier       smallint NOT NULL,
    jurisdiction   text     NOT NULL,
    sanctioned     boolean  NOT NULL,
    expires_at_ns  bigint,
    commitment     text     NOT NULL,
    officer        text     NOT NULL,
    updated_at_ns  bigint   NOT NULL,
    height         bigint   NOT NULL
);

-- Owners of the fog contracts, from their owner_updated events.
CREATE TABLE contract_owners (
    contract  text PRIMARY KEY,   -- ve, release_gate, audit_anchor, registry
    owner     text   NOT NULL,
    height    bigint NOT NULL
);
