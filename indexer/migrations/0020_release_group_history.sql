-- Release-approval groups as they stood at every event, for the release-gate
-- anomaly detector's "approver shares a group with the requester": judged
-- by the groups of the approval's time, not of the batch's end (a member
-- added later in a backfill batch, or removed since, changed the alert).
-- One row per change, at its event's (height, seq); `members` is NULL once
-- the group was removed. Ballots now keep their event's seq too (NULL for
-- those projected before: read as the end of their block).
CREATE TABLE release_group_history (
    name     text    NOT NULL,
    height   bigint  NOT NULL,
    seq      integer NOT NULL,
    members  jsonb,
    PRIMARY KEY (name, height, seq)
);

-- Groups projected before this migration: as they are now, at height 0
-- (approvals already indexed are judged as before, by today's groups).
INSERT INTO release_group_history (name, height, seq, members)
SELECT name, 0, -1, members FROM release_groups;

GRANT SELECT, INSERT ON release_group_history TO fog_service;

ALTER TABLE release_votes ADD COLUMN seq integer;
