-- Erasing a KYC subject VACUUMs its tables so no dead tuple keeps the
-- wrapped key or the ciphertext. PostgreSQL lets only a table's owner (or a
-- superuser) VACUUM it, and refuses anyone else with a WARNING, not an
-- error: a service connecting as fog_service, which owns nothing, erased
-- with the copies left on disk until autovacuum came by. The KYC tables now
-- belong to a role fog_service is a member of, so its VACUUM runs; the
-- audit log's tables keep their owner, out of fog_service's reach.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fog_kyc_owner') THEN
        CREATE ROLE fog_kyc_owner NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
GRANT fog_kyc_owner TO fog_service;
ALTER TABLE kyc_subjects OWNER TO fog_kyc_owner;
ALTER TABLE kyc_keys OWNER TO fog_kyc_owner;
-- (kyc_subjects_id_seq, owned by its column, follows its table.)
