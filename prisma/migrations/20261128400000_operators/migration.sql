-- Who may use the console and the REST API, and the record of what they did.
-- Users sign in with a password (scrypt, hashed in the application) and get a session; programs
-- use API tokens. Only SHA-256 digests of session and API tokens are stored: they are random
-- 256-bit secrets, so a digest is enough, and a leaked table grants nothing.

CREATE TYPE manana_role AS ENUM ('viewer', 'operator', 'admin');

CREATE TABLE manana_users (
    id bigserial PRIMARY KEY,
    username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._@-]{0,63}$'),
    password_hash text NOT NULL,
    role manana_role NOT NULL,
    -- A generated password must be replaced at the first sign-in.
    must_change_password boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE manana_sessions (
    token_hash bytea PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES manana_users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX manana_sessions_user_idx ON manana_sessions (user_id);

CREATE TABLE manana_api_tokens (
    id bigserial PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    token_hash bytea NOT NULL UNIQUE,
    role manana_role NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);

-- One row per action, written in the action's own transaction (a failed action is written after
-- its rollback, with the error code as outcome). Job ids are plain numbers, not references: the
-- record outlives the jobs.
CREATE TABLE manana_audit (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,
    role manana_role,
    action text NOT NULL,
    job_ids bigint[] DEFAULT '{}', -- nullable only because Prisma cannot model a NOT NULL list
    details jsonb NOT NULL DEFAULT '{}',
    source text,
    outcome text NOT NULL
);
CREATE INDEX manana_audit_job_ids_idx ON manana_audit USING gin (job_ids);
CREATE INDEX manana_audit_action_at_idx ON manana_audit (action, at);

-- Console settings an admin may change: { "hideValuesFromViewers": true }.
CREATE TABLE manana_settings (
    key text PRIMARY KEY,
    value jsonb NOT NULL
);
