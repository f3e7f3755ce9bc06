-- The second lock. The server runs as clusterfund_app and, in every transaction, sets the acting user with
-- set_config('app.user_id', …, true). These policies limit clusterfund_app to the rows that user's current roles
-- reach, whatever the service layer asks for. Other roles (the owner, which runs migrations and the
-- SECURITY DEFINER functions below) are not limited: app_unrestricted() says so.
--
-- FORCE ROW LEVEL SECURITY (which subjects the owner too) is set on every table except users, role_assignments
-- and cluster_memberships: the access functions read those as the owner, and forcing policies that call the
-- same functions would recurse without end. clusterfund_app owns nothing, so it is always subject to every policy.

CREATE FUNCTION app_user_id() RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;

CREATE FUNCTION app_unrestricted() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT current_user <> 'clusterfund_app' $$;

CREATE FUNCTION council_today() RETURNS date
LANGUAGE sql STABLE AS $$ SELECT (now() AT TIME ZONE 'Europe/London')::date $$;

-- The acting user's roles in force today, if the user is active.
CREATE FUNCTION app_current_assignments() RETURNS SETOF role_assignments
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT ra.* FROM role_assignments ra JOIN users u ON u.id = ra.user_id
    WHERE ra.user_id = app_user_id() AND u.active
      AND ra.starts_on <= council_today() AND (ra.ends_on IS NULL OR ra.ends_on >= council_today())
$$;

CREATE FUNCTION app_is_officer() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM app_current_assignments() WHERE role = 'officer')
$$;

-- Schools where the user is SENCo or headteacher: the only schools whose pupils they may see by name.
CREATE FUNCTION app_own_school_ids() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(array_agg(DISTINCT school_id), '{}') FROM app_current_assignments()
    WHERE role IN ('senco', 'headteacher')
$$;

-- Clusters the user works in: an EP's assigned clusters, and the clusters of the user's own schools.
CREATE FUNCTION app_cluster_ids() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(array_agg(DISTINCT id), '{}') FROM (
        SELECT cluster_id AS id FROM app_current_assignments() WHERE role = 'educational_psychologist'
        UNION
        SELECT m.cluster_id FROM cluster_memberships m WHERE m.school_id = ANY (app_own_school_ids())
    ) AS reached
$$;

-- Schools the user may see listed: their own and those sharing a cluster with them.
CREATE FUNCTION app_visible_school_ids() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT app_own_school_ids() || coalesce(
        (SELECT array_agg(DISTINCT school_id) FROM cluster_memberships WHERE cluster_id = ANY (app_cluster_ids())), '{}')
$$;

-- Policies call these once per statement (in a sub-select, which PostgreSQL runs once), never once per row.
ALTER TABLE schools ENABLE ROW LEVEL SECURITY;
ALTER TABLE schools FORCE ROW LEVEL SECURITY;
CREATE POLICY schools_read ON schools FOR SELECT
    USING (app_unrestricted() OR (SELECT app_is_officer()) OR id IN (SELECT unnest(app_visible_school_ids())));
CREATE POLICY schools_officer_write ON schools FOR ALL
    USING (app_unrestricted() OR (SELECT app_is_officer())) WITH CHECK (app_unrestricted() OR (SELECT app_is_officer()));

ALTER TABLE clusters ENABLE ROW LEVEL SECURITY;
ALTER TABLE clusters FORCE ROW LEVEL SECURITY;
CREATE POLICY clusters_read ON clusters FOR SELECT
    USING (app_unrestricted() OR (SELECT app_is_officer()) OR id IN (SELECT unnest(app_cluster_ids())));
CREATE POLICY clusters_officer_write ON clusters FOR ALL
    USING (app_unrestricted() OR (SELECT app_is_officer())) WITH CHECK (app_unrestricted() OR (SELECT app_is_officer()));

ALTER TABLE cluster_memberships ENABLE ROW LEVEL SECURITY;
CREATE POLICY cluster_memberships_read ON cluster_memberships FOR SELECT
    USING (app_unrestricted() OR (SELECT app_is_officer()) OR cluster_id IN (SELECT unnest(app_cluster_ids())));
CREATE POLICY cluster_memberships_officer_write ON cluster_memberships FOR ALL
    USING (app_unrestricted() OR (SELECT app_is_officer())) WITH CHECK (app_unrestricted() OR (SELECT app_is_officer()));

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_self_read ON users FOR SELECT USING (app_unrestricted() OR id = app_user_id());
CREATE POLICY users_self_update ON users FOR UPDATE USING (app_unrestricted() OR id = app_user_id())
    WITH CHECK (app_unrestricted() OR id = app_user_id());
CREATE POLICY users_officer_all ON users FOR ALL
    USING (app_unrestricted() OR (SELECT app_is_officer())) WITH CHECK (app_unrestricted() OR (SELECT app_is_officer()));

ALTER TABLE role_assignments ENABLE ROW LEVEL SECURITY;
CREATE POLICY role_assignments_self_read ON role_assignments FOR SELECT USING (app_unrestricted() OR user_id = app_user_id());
CREATE POLICY role_assignments_officer_all ON role_assignments FOR ALL
    USING (app_unrestricted() OR (SELECT app_is_officer())) WITH CHECK (app_unrestricted() OR (SELECT app_is_officer()));

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY sessions_own ON sessions FOR ALL USING (app_unrestricted() OR user_id = app_user_id())
    WITH CHECK (app_unrestricted() OR user_id = app_user_id());
-- Officers revoke sessions when they deactivate a user.
CREATE POLICY sessions_officer_revoke ON sessions FOR UPDATE USING (app_unrestricted() OR (SELECT app_is_officer()))
    WITH CHECK (app_unrestricted() OR (SELECT app_is_officer()));

ALTER TABLE password_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE password_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY password_tokens_officer_issue ON password_tokens FOR ALL
    USING (app_unrestricted() OR (SELECT app_is_officer())) WITH CHECK (app_unrestricted() OR (SELECT app_is_officer()));

ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY outbox_officer_write ON outbox FOR INSERT WITH CHECK (app_unrestricted() OR (SELECT app_is_officer()));

-- Before anyone is signed in, the server may look a user up by email or a session by its token hash, and nothing
-- more: these functions run as the owner and return only what sign-in needs.
CREATE FUNCTION auth_user_by_email(p_email text)
RETURNS TABLE (id uuid, display_name text, password_hash text, active boolean, totp_secret text, totp_enrolled_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT id, display_name, password_hash, active, totp_secret, totp_enrolled_at FROM users WHERE lower(email) = lower(p_email)
$$;

CREATE FUNCTION auth_session(p_token_hash bytea)
RETURNS TABLE (session_id uuid, user_id uuid, kind text, csrf_token text, last_seen_at timestamptz, expires_at timestamptz,
               revoked_at timestamptz, user_active boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT s.id, s.user_id, s.kind, s.csrf_token, s.last_seen_at, s.expires_at, s.revoked_at, u.active
    FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = p_token_hash
$$;

CREATE FUNCTION auth_password_token(p_token_hash bytea)
RETURNS TABLE (token_id uuid, user_id uuid, expires_at timestamptz, used_at timestamptz, user_active boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.id, t.user_id, t.expires_at, t.used_at, u.active FROM password_tokens t JOIN users u ON u.id = t.user_id
    WHERE t.token_hash = p_token_hash
$$;

-- A set-password link is used exactly once: marking it used, setting the password and ending the user's sessions
-- happen together, and a second use (or a race of two) finds nothing to update.
CREATE FUNCTION auth_consume_password_token(p_token_hash bytea, p_password_hash text, p_now timestamptz) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_user uuid;
BEGIN
    UPDATE password_tokens t SET used_at = p_now
    FROM users u
    WHERE t.token_hash = p_token_hash AND t.used_at IS NULL AND t.expires_at > p_now AND u.id = t.user_id AND u.active
    RETURNING t.user_id INTO v_user;
    IF v_user IS NULL THEN
        RETURN NULL;
    END IF;
    UPDATE users SET password_hash = p_password_hash, updated_at = p_now WHERE id = v_user;
    UPDATE sessions SET revoked_at = p_now WHERE user_id = v_user AND revoked_at IS NULL;
    RETURN v_user;
END
$$;

GRANT SELECT, INSERT, UPDATE ON schools, clusters, cluster_memberships, users, role_assignments, sessions, password_tokens
    TO clusterfund_app;
GRANT INSERT ON outbox TO clusterfund_app;
GRANT SELECT, INSERT ON sign_in_attempts TO clusterfund_app;
GRANT SELECT ON council_settings TO clusterfund_app;
GRANT DELETE ON cluster_memberships TO clusterfund_app;
