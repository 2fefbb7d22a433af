-- The chain, mirrored: blocks, transactions, the events fog cares about.
-- Everything of a block and the checkpoint commit in one transaction.

CREATE TABLE ingest_state (
    id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    chain_id    text        NOT NULL,
    height      bigint      NOT NULL,   -- last block committed
    block_hash  text        NOT NULL,
    protocol    text        NOT NULL,   -- what the node speaks
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE blocks (
    height    bigint PRIMARY KEY,
    hash      text        NOT NULL,
    time      timestamptz NOT NULL,
    app_hash  text        NOT NULL,
    proposer  text        NOT NULL,
    tx_count  integer     NOT NULL
);

CREATE TABLE txs (
    height      bigint  NOT NULL,
    index       integer NOT NULL,
    hash        text    NOT NULL,
    code        integer NOT NULL,
    codespace   text    NOT NULL,
    gas_wanted  bigint  NOT NULL,
    gas_used    bigint  NOT NULL,
    signer      text,
    fee         text    NOT NULL,
    memo        text    NOT NULL,
    PRIMARY KEY (height, index)
);
CREATE INDEX txs_hash ON txs (hash);
CREATE INDEX txs_signer ON txs (signer, height);

-- Events of the fog contracts, FOG cw20 transfers and bank transfers.
CREATE TABLE events (
    height    bigint   NOT NULL,
    seq       integer  NOT NULL,   -- position among the block's stored events
    tx_index  integer,             -- NULL: begin/end of block
    kind      text     NOT NULL,   -- e.g. wasm-fog.ve.lock_created, wasm, transfer
    contract  text,                -- _contract_address of wasm events
    PRIMARY KEY (height, seq)
);
CREATE INDEX events_kind ON events (kind, height);

-- One row per attribute: the bulk of what is written. Exactly-once comes
-- from the checkpoint transaction, so a BRIN index on height (tiny, cheap to
-- maintain on append) is enough to find a block's rows.
CREATE TABLE event_attributes (
    height  bigint   NOT NULL,
    seq     integer  NOT NULL,
    idx     smallint NOT NULL,
    key     text     NOT NULL,
    value   text     NOT NULL
);
CREATE INDEX event_attributes_height ON event_attributes USING brin (height);

-- Token movements the compliance rules watch: FOG (cw20) and native coins.
CREATE TABLE transfers (
    height     bigint  NOT NULL,
    seq        integer NOT NULL,   -- the event's seq
    part       smallint NOT NULL,  -- coin index within a multi-coin event
    tx_hash    text,
    asset      text    NOT NULL,   -- native:<denom> or cw20:<contract>
    action     text    NOT NULL,   -- transfer, send, mint, burn, ...
    sender     text,
    recipient  text,
    amount     numeric(78,0) NOT NULL,
    PRIMARY KEY (height, seq, part)
);
CREATE INDEX transfers_sender ON transfers (sender, height);
CREATE INDEX transfers_recipient ON transfers (recipient, height);
