-- A sanctions-list rule's addresses are stored with its version when it is
-- loaded, and the engine checks those: the list the two admins approved,
-- not whatever the file holds when a batch runs (until now the file was
-- read again at every activation and restart, so editing it changed what an
-- approved version checked, and an unreadable file stopped ingestion).
-- `list_sha256` is SHA-256 over the sorted, distinct addresses, one per
-- line. NULL for rules without a list and for versions loaded before this
-- migration, which still read their file.
ALTER TABLE rule_versions ADD COLUMN list_sha256 text, ADD COLUMN listed text[];
