-- KYC subjects: personal data encrypted per subject (XChaCha20-Poly1305),
-- the subject's key wrapped by the master key in its own table. Erasure
-- deletes the key row and the ciphertext, then VACUUMs both tables so no
-- copy survives in dead tuples. Only the tier, the on-chain address and a
-- salted hash commitment stay readable (what the registry receives).

CREATE TABLE kyc_subjects (
    id            bigserial   PRIMARY KEY,
    address       text,                     -- on-chain address, if any
    tier          smallint    NOT NULL CHECK (tier BETWEEN 0 AND 3),
    commitment    text        NOT NULL,     -- sha256(salt || canonical record), hex
    nonce         bytea,                    -- NULL once erased
    ciphertext    bytea,                    -- NULL once erased
    created_by    text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    retain_until  timestamptz NOT NULL,
    erased_at     timestamptz,
    erased_by     text,
    erasure_reason text,
    CHECK ((erased_at IS NULL) = (ciphertext IS NOT NULL))
);
CREATE INDEX kyc_subjects_retention ON kyc_subjects (retain_until) WHERE erased_at IS NULL;
CREATE INDEX kyc_subjects_address ON kyc_subjects (address);

CREATE TABLE kyc_keys (
    subject_id  bigint PRIMARY KEY REFERENCES kyc_subjects (id),
    nonce       bytea  NOT NULL,
    wrapped     bytea  NOT NULL
);

GRANT SELECT, INSERT, UPDATE ON kyc_subjects TO fog_service;
GRANT SELECT, INSERT, DELETE ON kyc_keys TO fog_service;
GRANT USAGE ON SEQUENCE kyc_subjects_id_seq TO fog_service;
