-- Identity and the scopes access is decided by: schools, clusters, yearly membership, users and their roles.
-- The council-structure issue extends schools and clusters; these are the columns access needs.

CREATE TABLE schools (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    urn text NOT NULL CONSTRAINT schools_urn_key UNIQUE CONSTRAINT schools_urn_format CHECK (urn ~ '^[0-9]{6}$'),
    name text NOT NULL CONSTRAINT schools_name_present CHECK (length(btrim(name)) > 0),
    phase text NOT NULL CONSTRAINT schools_phase_known CHECK (phase IN (
        'nursery', 'infant', 'junior', 'primary', 'middle', 'secondary', 'all_through', 'special',
        'alternative_provision', 'post_16')),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE clusters (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CONSTRAINT clusters_name_key UNIQUE CONSTRAINT clusters_name_present CHECK (length(btrim(name)) > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Membership is per academic year (2026 means 2026/27); a school is in at most one cluster a year.
CREATE TABLE cluster_memberships (
    school_id uuid NOT NULL REFERENCES schools (id),
    cluster_id uuid NOT NULL REFERENCES clusters (id),
    academic_year integer NOT NULL CONSTRAINT cluster_memberships_year_range CHECK (academic_year BETWEEN 2000 AND 2100),
    PRIMARY KEY (school_id, academic_year)
);
CREATE INDEX cluster_memberships_cluster ON cluster_memberships (cluster_id, academic_year);

CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL CONSTRAINT users_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    display_name text NOT NULL CONSTRAINT users_display_name_present CHECK (length(btrim(display_name)) > 0),
    password_hash text,
    active boolean NOT NULL DEFAULT true,
    totp_secret text,
    totp_enrolled_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TYPE role_name AS ENUM ('senco', 'headteacher', 'educational_psychologist', 'officer');

-- Assignments have dates so that history stays true: ending a role sets ends_on, never deletes the row.
CREATE TABLE role_assignments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id),
    role role_name NOT NULL,
    school_id uuid REFERENCES schools (id),
    cluster_id uuid REFERENCES clusters (id),
    starts_on date NOT NULL,
    ends_on date,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT role_assignments_scope CHECK (
        (role IN ('senco', 'headteacher') AND school_id IS NOT NULL AND cluster_id IS NULL)
        OR (role = 'educational_psychologist' AND cluster_id IS NOT NULL AND school_id IS NULL)
        OR (role = 'officer' AND school_id IS NULL AND cluster_id IS NULL)),
    CONSTRAINT role_assignments_dates CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX role_assignments_user ON role_assignments (user_id);

-- Council-wide settings: one row.
CREATE TABLE council_settings (
    singleton boolean PRIMARY KEY DEFAULT true CONSTRAINT council_settings_one_row CHECK (singleton),
    second_factor_for_everyone boolean NOT NULL DEFAULT false
);
INSERT INTO council_settings DEFAULT VALUES;

-- Browser sessions and API tokens: only a SHA-256 of the secret is stored.
CREATE TABLE sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id),
    token_hash bytea NOT NULL CONSTRAINT sessions_token_hash_key UNIQUE,
    kind text NOT NULL CONSTRAINT sessions_kind CHECK (kind IN ('browser', 'api')),
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    client_address text,
    user_agent text
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;

-- Every sign-in try, for throttling by account and by address.
CREATE TABLE sign_in_attempts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email_lower text NOT NULL,
    client_address text NOT NULL,
    succeeded boolean NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_attempts_email ON sign_in_attempts (email_lower, attempted_at DESC);
CREATE INDEX sign_in_attempts_address ON sign_in_attempts (client_address, attempted_at DESC);

-- Single-use set-password links, valid for 24 hours; only the hash of the token is kept.
CREATE TABLE password_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id),
    token_hash bytea NOT NULL CONSTRAINT password_tokens_token_hash_key UNIQUE,
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);

-- Mail waiting to be sent by a delivery worker (a later issue); the set-password link goes here.
CREATE TABLE outbox (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind text NOT NULL,
    recipient text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
);
