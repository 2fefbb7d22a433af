-- The log's head is derived from its records, not written beside them.
-- Until now the service role set it with an UPDATE of its own after each
-- append, so it could also rewind it or point it at another leaf (the next
-- append then failed or chained to the wrong record), and it could INSERT a
-- record far past the head, which every later append would collide with.
--
-- Now (1) an INSERT into audit_records must continue the log exactly where
-- the head is, without gaps, and the same statement moves the head to its
-- last record; (2) any other change of the head must leave it where the
-- records put it, whoever makes it. The records are therefore always
-- seq 0 .. size-1 and the head always names the last of them. A superuser
-- with session_replication_role = replica bypasses both, as it bypasses the
-- append-only triggers; `fog audit verify` catches what that leaves.

-- The invariant must hold before it is enforced: a record planted past
-- the head, or a head set past the records, would otherwise make every
-- later append fail, or leave a gap the triggers then accept. Such a log
-- is refused (fix it, as a superuser in replica mode, first).
DO $$
DECLARE
    head_size bigint;
    head_leaf bytea;
    stored    bigint;
    first_seq bigint;
    last_seq  bigint;
    last_leaf bytea;
BEGIN
    SELECT size, audit_head.last_leaf INTO head_size, head_leaf FROM audit_head WHERE id = 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the audit log has no head row';
    END IF;
    SELECT count(*), min(seq), max(seq) INTO stored, first_seq, last_seq FROM audit_records;
    SELECT leaf_hash INTO last_leaf FROM audit_records WHERE seq = last_seq;
    IF stored <> head_size OR (stored > 0 AND (first_seq <> 0 OR last_seq <> stored - 1))
       OR head_leaf IS DISTINCT FROM coalesce(last_leaf, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea) THEN
        RAISE EXCEPTION 'the audit log''s records (% stored, seq % to %) do not match its head (size %): migration 0023 makes the head follow the records and needs them to agree first',
            stored, first_seq, last_seq, head_size;
    END IF;
END
$$;

CREATE FUNCTION audit_records_extend_head() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    head_size bigint;
    first_seq bigint;
    last_seq  bigint;
    appended  bigint;
BEGIN
    SELECT min(seq), max(seq), count(*) INTO first_seq, last_seq, appended FROM appended_records;
    IF appended = 0 THEN
        RETURN NULL;
    END IF;
    -- Appends already hold this lock; anyone else waits for them here.
    SELECT size INTO head_size FROM public.audit_head WHERE id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the audit log has no head row' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF first_seq <> head_size OR last_seq - first_seq + 1 <> appended THEN
        RAISE EXCEPTION 'audit records must continue the log at seq %: seq % to % (% records) refused',
            head_size, first_seq, last_seq, appended
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    UPDATE public.audit_head
       SET size = last_seq + 1,
           last_leaf = (SELECT leaf_hash FROM appended_records WHERE seq = last_seq)
     WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER audit_records_extend_head AFTER INSERT ON audit_records
    REFERENCING NEW TABLE AS appended_records
    FOR EACH STATEMENT EXECUTE FUNCTION audit_records_extend_head();

CREATE FUNCTION audit_head_follows_records() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    last_seq  bigint;
    last_leaf bytea;
BEGIN
    SELECT seq, leaf_hash INTO last_seq, last_leaf FROM public.audit_records ORDER BY seq DESC LIMIT 1;
    IF NEW.size IS DISTINCT FROM coalesce(last_seq + 1, 0)
       OR NEW.last_leaf IS DISTINCT FROM coalesce(last_leaf, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea) THEN
        RAISE EXCEPTION 'the audit log''s head follows its records: size % refused, the records end at size %',
            NEW.size, coalesce(last_seq + 1, 0)
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_head_follows_records BEFORE UPDATE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_follows_records();

-- The one head row stays: without it the checks above would have nothing
-- to hold records to. (0022 revoked these rights from the service role;
-- this holds for every role, as the append-only triggers do.)
CREATE FUNCTION audit_head_stays() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log''s head row stays: % on audit_head refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_head_stays BEFORE INSERT OR DELETE OR TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_head_stays();

-- The service role keeps UPDATE on the head only because SELECT ... FOR
-- UPDATE, which serialises appends, requires it; the trigger above makes
-- any UPDATE it issues a no-op or an error.
