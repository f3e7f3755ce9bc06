-- Two-step sign-in: TOTP (authenticator apps) with single-use recovery codes. Required for officers, and for
-- everyone when council_settings.second_factor_for_everyone is on.

-- The last 30-second step a code was accepted for: a code is never accepted twice.
ALTER TABLE users ADD COLUMN totp_last_step bigint;

-- Ten per enrolment, each usable once instead of a code; only their SHA-256 is kept.
CREATE TABLE recovery_codes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id),
    code_hash bytea NOT NULL CONSTRAINT recovery_codes_code_hash_key UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at timestamptz
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id) WHERE used_at IS NULL;

-- Between a right password and a right code: a short-lived, single-use secret held in a browser cookie.
-- pending_secret is set while the user is enrolling (their new TOTP secret, confirmed by their first code).
CREATE TABLE sign_in_challenges (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id),
    token_hash bytea NOT NULL CONSTRAINT sign_in_challenges_token_hash_key UNIQUE,
    pending_secret text,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    client_address text
);

ALTER TABLE recovery_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE recovery_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY recovery_codes_own ON recovery_codes FOR ALL
    USING (app_unrestricted() OR user_id = app_user_id()) WITH CHECK (app_unrestricted() OR user_id = app_user_id());

ALTER TABLE sign_in_challenges ENABLE ROW LEVEL SECURITY;
ALTER TABLE sign_in_challenges FORCE ROW LEVEL SECURITY;
CREATE POLICY sign_in_challenges_own ON sign_in_challenges FOR ALL
    USING (app_unrestricted() OR user_id = app_user_id()) WITH CHECK (app_unrestricted() OR user_id = app_user_id());

-- Before the session exists, the server finds a challenge by its token hash, and nothing more.
CREATE FUNCTION auth_challenge(p_token_hash bytea)
RETURNS TABLE (challenge_id uuid, user_id uuid, email text, pending_secret text, expires_at timestamptz, used_at timestamptz,
               user_active boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT c.id, c.user_id, u.email, c.pending_secret, c.expires_at, c.used_at, u.active
    FROM sign_in_challenges c JOIN users u ON u.id = c.user_id WHERE c.token_hash = p_token_hash
$$;

GRANT SELECT, INSERT, UPDATE ON recovery_codes, sign_in_challenges TO clusterfund_app;
