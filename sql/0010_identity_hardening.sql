-- Identity hardening after the security review (issue 14): secrets stay out of every reach but their owner's, a user
-- changes only their own password, name and second factor, and nothing keeps what it no longer needs.

-- Finding 11: PUBLIC may execute any function by default, and revoking that per schema does nothing; revoke it for
-- every function the role running migrations creates from now on.
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- Finding 10: password hashes and authenticator secrets are read only through a definer function, for the signed-in
-- user themself; officers' reads of users see every other column.
REVOKE SELECT ON users FROM clusterfund_app;
GRANT SELECT (id, email, display_name, active, totp_enrolled_at, totp_last_step, created_at, updated_at) ON users TO clusterfund_app;

CREATE FUNCTION auth_own_secrets() RETURNS TABLE (password_hash text, totp_secret text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.password_hash, u.totp_secret FROM users u WHERE u.id = app_user_id()
$$;
GRANT EXECUTE ON FUNCTION auth_own_secrets() TO clusterfund_app;

-- Setting up a second factor reads whether there is one already, which the server's role can no longer see.
CREATE FUNCTION auth_enrol_own_second_factor(p_secret text, p_step bigint, p_now timestamptz) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE users SET totp_secret = p_secret, totp_enrolled_at = p_now, totp_last_step = p_step, updated_at = p_now
    WHERE id = app_user_id() AND totp_secret IS NULL;
    RETURN FOUND;
END
$$;
GRANT EXECUTE ON FUNCTION auth_enrol_own_second_factor(text, bigint, timestamptz) TO clusterfund_app;

-- Column grants cannot tell an officer from the user themself, so a trigger does: a user who is not an officer may
-- change their own password, name and last-used code step, and set a second factor where there was none; never their
-- email, their active flag, or a second factor they already have.
CREATE FUNCTION users_refuse_self_escalation() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF current_user = 'clusterfund_app' AND NOT coalesce(app_is_officer(), false) AND (
        NEW.id IS DISTINCT FROM OLD.id OR NEW.email IS DISTINCT FROM OLD.email OR NEW.active IS DISTINCT FROM OLD.active
        OR NEW.created_at IS DISTINCT FROM OLD.created_at
        OR (OLD.totp_secret IS NOT NULL AND NEW.totp_secret IS DISTINCT FROM OLD.totp_secret)
        OR (OLD.totp_enrolled_at IS NOT NULL AND NEW.totp_enrolled_at IS DISTINCT FROM OLD.totp_enrolled_at)
    ) THEN
        RAISE EXCEPTION 'a user may change only their own password, name and second factor'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER users_refuse_self_escalation BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION users_refuse_self_escalation();

-- Finding 14: a password changed or reset ends every other way in that was opened under the old one.
CREATE FUNCTION self_revoke_other_access(p_keep_session uuid, p_now timestamptz)
RETURNS TABLE (sessions integer, password_links integer, challenges integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_user uuid := app_user_id();
BEGIN
    IF v_user IS NULL THEN
        RAISE EXCEPTION 'nobody is signed in' USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE sessions s SET revoked_at = p_now
    WHERE s.user_id = v_user AND s.revoked_at IS NULL AND s.id IS DISTINCT FROM p_keep_session;
    GET DIAGNOSTICS sessions = ROW_COUNT;
    UPDATE password_tokens t SET used_at = p_now WHERE t.user_id = v_user AND t.used_at IS NULL;
    GET DIAGNOSTICS password_links = ROW_COUNT;
    UPDATE sign_in_challenges c SET used_at = p_now, pending_secret = NULL WHERE c.user_id = v_user AND c.used_at IS NULL;
    GET DIAGNOSTICS challenges = ROW_COUNT;
    RETURN NEXT;
END
$$;
GRANT EXECUTE ON FUNCTION self_revoke_other_access(uuid, timestamptz) TO clusterfund_app;

-- Finding 15: a user is told of changes to their own sign-in (a second factor set up, a recovery code used, codes
-- locked), through the outbox, which otherwise only officers write.
CREATE FUNCTION notify_own_account(p_kind text, p_now timestamptz) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF p_kind NOT IN ('second_factor_enrolled', 'recovery_code_used', 'second_factor_locked', 'password_changed') THEN
        RAISE EXCEPTION 'not a notification about one''s own account' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO outbox (kind, recipient, payload, created_at)
    SELECT p_kind, u.email, jsonb_build_object('at', p_now), p_now FROM users u WHERE u.id = app_user_id();
END
$$;
GRANT EXECUTE ON FUNCTION notify_own_account(text, timestamptz) TO clusterfund_app;

-- Finding 15: wrong codes are capped per account across sign-ins, not only per throttle window.
ALTER TABLE users ADD COLUMN code_failures integer NOT NULL DEFAULT 0 CONSTRAINT users_code_failures_counted CHECK (code_failures >= 0),
                  ADD COLUMN code_failures_since timestamptz;
GRANT SELECT (code_failures, code_failures_since) ON users TO clusterfund_app;

-- Finding 1: the outbox keeps no secret. Set-password links name their token's id; the link itself is derived at
-- send time with a key the server holds outside the database. Existing payloads lose their links now.
ALTER TABLE outbox NO FORCE ROW LEVEL SECURITY;
UPDATE outbox SET payload = payload - 'path' WHERE kind = 'set_password_link';
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;

-- Delivered notifications, and links that can no longer be used, are not kept.
CREATE FUNCTION outbox_purge(p_now timestamptz) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_purged integer;
BEGIN
    DELETE FROM outbox o
    WHERE o.sent_at IS NOT NULL
       OR (o.kind = 'set_password_link' AND NOT EXISTS (
              SELECT 1 FROM password_tokens t
              WHERE t.id::text = o.payload ->> 'passwordTokenId' AND t.used_at IS NULL AND t.expires_at > p_now));
    GET DIAGNOSTICS v_purged = ROW_COUNT;
    RETURN v_purged;
END
$$;
GRANT EXECUTE ON FUNCTION outbox_purge(timestamptz) TO clusterfund_app;

-- Finding 18: typed emails and addresses are kept only while the throttle needs them; what is purged is counted.
CREATE TABLE sign_in_attempt_counts (
    day date NOT NULL,
    succeeded boolean NOT NULL,
    attempts bigint NOT NULL,
    PRIMARY KEY (day, succeeded)
);
CREATE INDEX sign_in_attempts_age ON sign_in_attempts (attempted_at);
-- Council-wide counts with no email or address in them; only the purge (as the owner) writes them, and the server's
-- role is granted nothing on them. Row-level security is forced like everywhere else, so no role reaches them by default.
ALTER TABLE sign_in_attempt_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE sign_in_attempt_counts FORCE ROW LEVEL SECURITY;

CREATE FUNCTION sign_in_attempts_purge(p_before timestamptz) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_purged integer;
BEGIN
    WITH gone AS (
        DELETE FROM sign_in_attempts a WHERE a.attempted_at < p_before RETURNING a.attempted_at, a.succeeded
    ), counted AS (
        INSERT INTO sign_in_attempt_counts (day, succeeded, attempts)
        SELECT (g.attempted_at AT TIME ZONE 'Europe/London')::date, g.succeeded, count(*) FROM gone g GROUP BY 1, 2
        ON CONFLICT (day, succeeded) DO UPDATE SET attempts = sign_in_attempt_counts.attempts + EXCLUDED.attempts
        RETURNING 1
    )
    SELECT count(*) INTO v_purged FROM gone;
    RETURN v_purged;
END
$$;
GRANT EXECUTE ON FUNCTION sign_in_attempts_purge(timestamptz) TO clusterfund_app;

-- Row-level security like every other table, so a role added later (reporting, say) reaches none of it by default.
-- Attempts are anonymous by nature (nobody is signed in yet), so the server's role may use every row it has not purged.
ALTER TABLE sign_in_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE sign_in_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY sign_in_attempts_server ON sign_in_attempts FOR ALL TO clusterfund_app USING (true) WITH CHECK (true);
DO $$
BEGIN
    -- The definer functions run as the role that owns them, which FORCE binds too.
    EXECUTE format('CREATE POLICY sign_in_attempts_owner ON sign_in_attempts FOR ALL TO %I USING (true) WITH CHECK (true)', current_user);
    EXECUTE format('CREATE POLICY outbox_owner ON outbox FOR ALL TO %I USING (true) WITH CHECK (true)', current_user);
    EXECUTE format('CREATE POLICY sign_in_attempt_counts_owner ON sign_in_attempt_counts FOR ALL TO %I USING (true) WITH CHECK (true)', current_user);
END
$$;

-- Finding 4: a session records whether it passed a second factor, so one opened with a password alone stops working
-- when its user comes to need one (made an officer, or the council requiring it of everyone).
ALTER TABLE sessions ADD COLUMN second_factor boolean NOT NULL DEFAULT false;

-- The one-statement actor lookup also answers whether the session passed a second factor and whether the council
-- requires one of everyone, so the requirement is checked on every request without another round trip.
DROP FUNCTION auth_actor(bytea, date);
CREATE FUNCTION auth_actor(p_token_hash bytea, p_today date)
RETURNS TABLE (session_id uuid, user_id uuid, kind text, csrf_token text, last_seen_at timestamptz, expires_at timestamptz,
               revoked_at timestamptz, user_active boolean, display_name text, assignment_id uuid, role text,
               school_id uuid, cluster_id uuid, starts_on date, ends_on date, own_school_cluster_ids uuid[],
               second_factor boolean, second_factor_for_everyone boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT s.id, s.user_id, s.kind, s.csrf_token, s.last_seen_at, s.expires_at, s.revoked_at, u.active, u.display_name,
           ra.id, ra.role::text, ra.school_id, ra.cluster_id, ra.starts_on, ra.ends_on,
           ARRAY(SELECT DISTINCT m.cluster_id FROM role_assignments own JOIN cluster_memberships m ON m.school_id = own.school_id
                 WHERE own.user_id = s.user_id AND own.starts_on <= p_today AND (own.ends_on IS NULL OR own.ends_on >= p_today)),
           s.second_factor,
           coalesce((SELECT cs.second_factor_for_everyone FROM council_settings cs LIMIT 1), false)
    FROM sessions s
    JOIN users u ON u.id = s.user_id
    LEFT JOIN role_assignments ra ON ra.user_id = s.user_id AND ra.starts_on <= p_today AND (ra.ends_on IS NULL OR ra.ends_on >= p_today)
    WHERE s.token_hash = p_token_hash;
END
$$;
GRANT EXECUTE ON FUNCTION auth_actor(bytea, date) TO clusterfund_app;

-- Finding 3: no policy asks "is this role unrestricted?" any more (0009 wrote them TO clusterfund_app), and the
-- server refuses to serve as any role but clusterfund_app; the function that failed open for every other role goes.
DROP FUNCTION app_unrestricted();
