-- What a ballot carried when it was cast, and its proposal's cast power and
-- voter count right after it. The governance-concentration detector judges
-- a ballot on these, so its alerts do not depend on how many blocks the
-- batch that wrote the ballot held. `power` can fall later (a delegator
-- voting directly takes its power out of its delegate's ballot);
-- `cast_power` keeps what was cast. NULL on rows projected before this.
ALTER TABLE votes
    ADD COLUMN cast_power    numeric(78,0),
    ADD COLUMN turnout_after numeric(78,0),
    ADD COLUMN voters_after  integer;
