-- Erasing a KYC subject VACUUMs its tables so no dead tuple keeps the
-- wrapped key or the ciphertext. PostgreSQL lets only a table's owner (or a
-- superuser) VACUUM it, and skips anyone else with a WARNING, not an error:
-- a service connecting as fog_service, which owns nothing, erased with the
-- copies left on disk until autovacuum came by. The KYC tables now belong
-- to fog_kyc_owner. fog_service is its member but inherits nothing: it
-- holds only the rights granted to it (0009) and takes the owner's by SET
-- ROLE for the VACUUM alone (kyc::vacuum), so an ordinary statement of the
-- service cannot drop, alter, truncate or re-grant these tables.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fog_kyc_owner') THEN
        CREATE ROLE fog_kyc_owner NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
-- Roles are cluster-wide: databases migrated at once race to change the
-- same role rows ("tuple concurrently updated", duplicate memberships).
-- Each step is skipped when already done and, when it fails, passes if
-- another migration did it meanwhile. The migrating role joins too, as
-- ALTER ... OWNER TO requires of a role that is not a superuser.
DO $$
BEGIN
    IF (SELECT rolinherit FROM pg_roles WHERE rolname = 'fog_service') THEN
        ALTER ROLE fog_service NOINHERIT;
    END IF;
EXCEPTION WHEN OTHERS THEN
    IF (SELECT rolinherit FROM pg_roles WHERE rolname = 'fog_service') THEN
        RAISE;
    END IF;
END
$$;
DO $$
BEGIN
    IF NOT pg_has_role('fog_service', 'fog_kyc_owner', 'MEMBER') THEN
        GRANT fog_kyc_owner TO fog_service;
    END IF;
EXCEPTION WHEN OTHERS THEN
    IF NOT pg_has_role('fog_service', 'fog_kyc_owner', 'MEMBER') THEN
        RAISE;
    END IF;
END
$$;
DO $$
BEGIN
    IF NOT pg_has_role(current_user, 'fog_kyc_owner', 'MEMBER') THEN
        GRANT fog_kyc_owner TO CURRENT_USER;
    END IF;
EXCEPTION WHEN OTHERS THEN
    IF NOT pg_has_role(current_user, 'fog_kyc_owner', 'MEMBER') THEN
        RAISE;
    END IF;
END
$$;
ALTER TABLE kyc_subjects OWNER TO fog_kyc_owner;
ALTER TABLE kyc_keys OWNER TO fog_kyc_owner;
-- (kyc_subjects_id_seq, owned by its column, follows its table.)
