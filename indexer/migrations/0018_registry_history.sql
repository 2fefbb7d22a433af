-- The registry as it stood at every event, for the detectors that judge a
-- transfer or a lock by its sender's KYC tier or an address's sanctions
-- flag. Joining `registry_entries` (the state after the batch) judged an
-- event by a later entry: a backfill batch that set a tier after a transfer
-- alerted differently from the live tail that saw them one block at a time,
-- and a replay of old blocks by today's registry. One row per change of an
-- entry, at its event's (height, seq); `kyc_tier` is NULL once the entry
-- was removed.
CREATE TABLE registry_history (
    address        text     NOT NULL,
    height         bigint   NOT NULL,
    seq            integer  NOT NULL,
    kyc_tier       smallint,
    sanctioned     boolean  NOT NULL,
    expires_at_ns  bigint,
    PRIMARY KEY (address, height, seq)
);

-- Entries projected before this migration: their state now, at height 0,
-- so the events already indexed are judged as before (by today's entry)
-- and only what is indexed from now on by the entry of its time. An index
-- rebuilt from the chain has the whole history.
INSERT INTO registry_history (address, height, seq, kyc_tier, sanctioned, expires_at_ns)
SELECT address, 0, -1, kyc_tier, sanctioned, expires_at_ns FROM registry_entries;

-- The sanctions detector's first filter: the addresses ever flagged.
CREATE INDEX registry_history_sanctioned ON registry_history (address) WHERE sanctioned;

GRANT SELECT, INSERT ON registry_history TO fog_service;

-- The entry of `addr` as it stood just before the event at (`h`, `s`): no
-- row when it never had one, `kyc_tier` NULL (and not sanctioned) when it
-- had been removed. The KYC expiry is compared with the block's time as
-- PostgreSQL keeps it, in microseconds. A plain
-- SQL function, so the planner inlines it into the detectors' lateral joins
-- as a backward scan of the primary key.
CREATE FUNCTION registry_at(addr text, h bigint, s integer)
RETURNS TABLE (kyc_tier smallint, sanctioned boolean, expires_at_ns bigint)
LANGUAGE sql STABLE AS $$
    SELECT r.kyc_tier, r.sanctioned, r.expires_at_ns FROM registry_history r
    WHERE r.address = addr AND (r.height, r.seq) < (h, s)
    ORDER BY r.height DESC, r.seq DESC
    LIMIT 1
$$;
