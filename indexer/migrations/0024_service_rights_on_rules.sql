-- 0003 granted the service role its rights on the tables that existed then;
-- the alerts (0005) and the rule registry (0008) came later and got none,
-- so an indexer or API connecting as fog_service (as deployments should)
-- failed on every alert it wrote or read: ingest with rules, GET /alerts,
-- cases with alerts, their export and the report. No DELETE: alerts and
-- rule versions are evidence.
GRANT SELECT, INSERT, UPDATE ON alerts, rule_versions, rules_generation TO fog_service;
GRANT USAGE ON SEQUENCE alerts_id_seq TO fog_service;
