-- Model lineage: in-toto Statements (SLSA provenance predicate) registered
-- through the API, each also a record of the audit log.

CREATE TABLE lineage_records (
    record_hash    bytea PRIMARY KEY,        -- SHA-256 of the canonical statement
    model_sha256   bytea NOT NULL,           -- the first subject's digest
    model_name     text  NOT NULL,
    reproducibility_hash bytea,
    statement      jsonb NOT NULL,
    canonical      bytea NOT NULL,           -- RFC 8785 bytes, as hashed
    audit_seq      bigint NOT NULL,
    registered_by  text  NOT NULL,
    registered_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lineage_records_model ON lineage_records (model_sha256, registered_at DESC);

-- Every dataset a registered record used; first sight is itself audited.
CREATE TABLE lineage_datasets (
    sha256        bytea PRIMARY KEY,
    name          text  NOT NULL,
    first_record  bytea NOT NULL REFERENCES lineage_records (record_hash),
    audit_seq     bigint NOT NULL,
    first_seen    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE lineage_record_datasets (
    record_hash  bytea NOT NULL REFERENCES lineage_records (record_hash),
    sha256       bytea NOT NULL,
    name         text  NOT NULL,
    PRIMARY KEY (record_hash, sha256)
);
CREATE INDEX lineage_record_datasets_dataset ON lineage_record_datasets (sha256);

GRANT SELECT, INSERT ON lineage_records, lineage_datasets, lineage_record_datasets TO fog_service;
