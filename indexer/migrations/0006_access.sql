-- Staff of the compliance API: bearer tokens, stored as SHA-256 digests
-- only (a token is 32 random bytes, so a fast hash is enough: nothing to
-- brute-force), each with its holder's name and role.

CREATE TABLE api_tokens (
    id          bigserial   PRIMARY KEY,
    name        text        NOT NULL,        -- the staff member (four-eyes compares names)
    role        text        NOT NULL CHECK (role IN ('auditor', 'compliance_officer', 'admin')),
    token_hash  bytea       NOT NULL UNIQUE, -- SHA-256 of the token
    prefix      text        NOT NULL,        -- the token's first characters, to tell tokens apart
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    revoked_by  text,
    CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$')
);
CREATE INDEX api_tokens_name ON api_tokens (name);

GRANT SELECT, INSERT, UPDATE ON api_tokens TO fog_service;
GRANT USAGE ON SEQUENCE api_tokens_id_seq TO fog_service;
