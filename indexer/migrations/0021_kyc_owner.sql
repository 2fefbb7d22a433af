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
DECLARE
    member text;
BEGIN
    FOREACH member IN ARRAY ARRAY['fog_service', current_user::text] LOOP
        BEGIN
            IF NOT pg_has_role(member, 'fog_kyc_owner', 'MEMBER') THEN
                EXECUTE format('GRANT fog_kyc_owner TO %I', member);
            END IF;
        EXCEPTION WHEN OTHERS THEN
            IF NOT pg_has_role(member, 'fog_kyc_owner', 'MEMBER') THEN
                RAISE;
            END IF;
        END;
    END LOOP;
END
$$;
ALTER TABLE kyc_subjects OWNER TO fog_kyc_owner;
ALTER TABLE kyc_keys OWNER TO fog_kyc_owner;
-- (kyc_subjects_id_seq, owned by its column, follows its table.)
