-- The windowed detectors (structuring, velocity) find the first block of a
-- time window by its time; block times rise with heights (BFT time).
CREATE INDEX blocks_time ON blocks (time);
