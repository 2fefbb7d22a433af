-- Release policies may name the groups whose members may request a release
-- (policy_set version 2). Policies set before, and policies naming none,
-- let anyone request: an empty list.
ALTER TABLE release_policies ADD COLUMN requester_groups jsonb NOT NULL DEFAULT '[]';
