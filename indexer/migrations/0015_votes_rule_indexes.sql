-- The governance detectors read, per batch, the ballots of the batch's
-- heights and, for each proposal the batch touched, its largest ballots
-- (the Nakamoto check). Without these indexes both scanned every ballot,
-- of the table or of the proposal, on every batch: with 1,000,000 ballots
-- on one proposal, ~300 ms per batch, which a live tail writing a batch
-- per block cannot afford (2 ms with them).
--
-- Ballots are written in height order, so a BRIN index of small ranges
-- (16 pages, ~1,100 ballots) finds a batch's heights for a few pages of
-- index; ranges written since the last summarisation are always read, and
-- those are the recent ones.
CREATE INDEX votes_height ON votes USING brin (height) WITH (pages_per_range = 16, autosummarize = on);
CREATE INDEX votes_proposal_power ON votes (proposal_id, power DESC);
