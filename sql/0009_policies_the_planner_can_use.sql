-- Policies the planner can use an index for, and one round trip to know who is asking.
--
-- Until now every policy began `app_unrestricted() OR …`, so the owner passed unrestricted; but an OR with a
-- function of the current role keeps PostgreSQL from using the index behind the other condition, and a scoped read
-- fell to a sequential scan. Now each scoped policy applies TO clusterfund_app only and says just its condition, with
-- its helper in a scalar sub-select (run once per statement, as an InitPlan, not once per row). The owner role (the
-- role that owns the tables, and so runs the SECURITY DEFINER functions and the set-up commands) gets explicit
-- policies of its own on the tables where FORCE ROW LEVEL SECURITY binds it. app_unrestricted() stays defined for
-- now and no policy uses it.
--
-- The owner's name is not written here: it is read from the catalogue (the owner of each table), so it is set in one
-- place, CLUSTERFUND_OWNER_ROLE, which scripts/db and docker-compose.yml both use.

-- Officers reach every school and cluster through the same helpers as everyone else, so that a read policy is one
-- indexable condition (`id = ANY (…)`) rather than `officer OR …`, which no index serves.
CREATE OR REPLACE FUNCTION app_cluster_ids() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT CASE WHEN app_is_officer() THEN (SELECT coalesce(array_agg(id), '{}') FROM clusters)
    ELSE (SELECT coalesce(array_agg(DISTINCT id), '{}') FROM (
        SELECT cluster_id AS id FROM app_current_assignments() WHERE role = 'educational_psychologist'
        UNION
        SELECT m.cluster_id FROM cluster_memberships m WHERE m.school_id = ANY (app_own_school_ids())
    ) AS reached) END
$$;

CREATE OR REPLACE FUNCTION app_visible_school_ids() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT CASE WHEN app_is_officer() THEN (SELECT coalesce(array_agg(id), '{}') FROM schools)
    ELSE app_own_school_ids() || coalesce(
        (SELECT array_agg(DISTINCT school_id) FROM cluster_memberships WHERE cluster_id = ANY (app_cluster_ids())), '{}') END
$$;

DROP POLICY schools_read ON schools;
DROP POLICY schools_officer_write ON schools;
CREATE POLICY schools_read ON schools FOR SELECT TO clusterfund_app USING (id = ANY ((SELECT app_visible_school_ids())::uuid[]));
CREATE POLICY schools_officer_insert ON schools FOR INSERT TO clusterfund_app WITH CHECK ((SELECT app_is_officer()));
CREATE POLICY schools_officer_update ON schools FOR UPDATE TO clusterfund_app
    USING ((SELECT app_is_officer())) WITH CHECK ((SELECT app_is_officer()));

DROP POLICY clusters_read ON clusters;
DROP POLICY clusters_officer_write ON clusters;
CREATE POLICY clusters_read ON clusters FOR SELECT TO clusterfund_app USING (id = ANY ((SELECT app_cluster_ids())::uuid[]));
CREATE POLICY clusters_officer_insert ON clusters FOR INSERT TO clusterfund_app WITH CHECK ((SELECT app_is_officer()));
CREATE POLICY clusters_officer_update ON clusters FOR UPDATE TO clusterfund_app
    USING ((SELECT app_is_officer())) WITH CHECK ((SELECT app_is_officer()));

DROP POLICY cluster_memberships_read ON cluster_memberships;
DROP POLICY cluster_memberships_officer_write ON cluster_memberships;
CREATE POLICY cluster_memberships_read ON cluster_memberships FOR SELECT TO clusterfund_app
    USING (cluster_id = ANY ((SELECT app_cluster_ids())::uuid[]));
CREATE POLICY cluster_memberships_officer_insert ON cluster_memberships FOR INSERT TO clusterfund_app
    WITH CHECK ((SELECT app_is_officer()));
CREATE POLICY cluster_memberships_officer_update ON cluster_memberships FOR UPDATE TO clusterfund_app
    USING ((SELECT app_is_officer())) WITH CHECK ((SELECT app_is_officer()));
CREATE POLICY cluster_memberships_officer_delete ON cluster_memberships FOR DELETE TO clusterfund_app
    USING ((SELECT app_is_officer()));

-- Users and their roles: each reads their own row (by the primary key or the user index); officers read all.
DROP POLICY users_self_read ON users;
DROP POLICY users_self_update ON users;
DROP POLICY users_officer_all ON users;
CREATE POLICY users_self_read ON users FOR SELECT TO clusterfund_app USING (id = (SELECT app_user_id()));
CREATE POLICY users_self_update ON users FOR UPDATE TO clusterfund_app
    USING (id = (SELECT app_user_id())) WITH CHECK (id = (SELECT app_user_id()));
CREATE POLICY users_officer_all ON users FOR ALL TO clusterfund_app
    USING ((SELECT app_is_officer())) WITH CHECK ((SELECT app_is_officer()));

DROP POLICY role_assignments_self_read ON role_assignments;
DROP POLICY role_assignments_officer_all ON role_assignments;
CREATE POLICY role_assignments_self_read ON role_assignments FOR SELECT TO clusterfund_app USING (user_id = (SELECT app_user_id()));
CREATE POLICY role_assignments_officer_all ON role_assignments FOR ALL TO clusterfund_app
    USING ((SELECT app_is_officer())) WITH CHECK ((SELECT app_is_officer()));

DROP POLICY sessions_own ON sessions;
CREATE POLICY sessions_own ON sessions FOR ALL TO clusterfund_app
    USING (user_id = (SELECT app_user_id())) WITH CHECK (user_id = (SELECT app_user_id()));

DROP POLICY password_tokens_officer_issue ON password_tokens;
CREATE POLICY password_tokens_officer_issue ON password_tokens FOR ALL TO clusterfund_app
    USING ((SELECT app_is_officer())) WITH CHECK ((SELECT app_is_officer()));

DROP POLICY outbox_officer_write ON outbox;
CREATE POLICY outbox_officer_write ON outbox FOR INSERT TO clusterfund_app WITH CHECK ((SELECT app_is_officer()));

DROP POLICY audit_events_append_as_self ON audit_events;
DROP POLICY audit_events_officer_read ON audit_events;
CREATE POLICY audit_events_append_as_self ON audit_events FOR INSERT TO clusterfund_app
    WITH CHECK (actor_user_id IS NOT DISTINCT FROM (SELECT app_user_id()));
CREATE POLICY audit_events_officer_read ON audit_events FOR SELECT TO clusterfund_app USING ((SELECT app_is_officer()));

DROP POLICY recovery_codes_own ON recovery_codes;
CREATE POLICY recovery_codes_own ON recovery_codes FOR ALL TO clusterfund_app
    USING (user_id = (SELECT app_user_id())) WITH CHECK (user_id = (SELECT app_user_id()));

DROP POLICY sign_in_challenges_own ON sign_in_challenges;
CREATE POLICY sign_in_challenges_own ON sign_in_challenges FOR ALL TO clusterfund_app
    USING (user_id = (SELECT app_user_id())) WITH CHECK (user_id = (SELECT app_user_id()));

-- The owner on the tables FORCE binds it to: the SECURITY DEFINER functions (sign-in, sessions, links, challenges,
-- revoking access, the audit chain, the officer's reach) and the set-up commands (demo data, create-officer,
-- council-settings) read and write these as the owner. It gets the commands it had before and no more: the audit
-- trail and the outbox are appended to and (the trail) read, never changed, by the owner too.
DO $$
DECLARE
    t text;
    owner_of text;
BEGIN
    FOREACH t IN ARRAY ARRAY['schools', 'clusters', 'sessions', 'password_tokens', 'recovery_codes', 'sign_in_challenges',
                             'audit_events', 'outbox'] LOOP
        owner_of := (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = t::regclass);
        IF t = 'audit_events' THEN
            EXECUTE format('CREATE POLICY audit_events_owner_read ON audit_events FOR SELECT TO %I USING (true)', owner_of);
            EXECUTE format('CREATE POLICY audit_events_owner_append ON audit_events FOR INSERT TO %I WITH CHECK (true)', owner_of);
        ELSIF t = 'outbox' THEN
            EXECUTE format('CREATE POLICY outbox_owner_write ON outbox FOR INSERT TO %I WITH CHECK (true)', owner_of);
        ELSE
            EXECUTE format('CREATE POLICY %I ON %I TO %I USING (true) WITH CHECK (true)', t || '_owner', t, owner_of);
        END IF;
    END LOOP;
END
$$;

-- Indexes on the policies' inputs that had none.
CREATE INDEX sign_in_challenges_user ON sign_in_challenges (user_id);
CREATE INDEX password_tokens_user ON password_tokens (user_id);

-- Who is asking, in one statement: the session a token hash belongs to, its user, and the user's roles in force on
-- p_today (one row per role, or one row with NULL role columns), with the clusters of the user's schools. The
-- server checks revocation and timeouts itself. PL/pgSQL, so each connection plans the query once and reuses it.
CREATE FUNCTION auth_actor(p_token_hash bytea, p_today date)
RETURNS TABLE (session_id uuid, user_id uuid, kind text, csrf_token text, last_seen_at timestamptz, expires_at timestamptz,
               revoked_at timestamptz, user_active boolean, display_name text, assignment_id uuid, role text,
               school_id uuid, cluster_id uuid, starts_on date, ends_on date, own_school_cluster_ids uuid[])
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT s.id, s.user_id, s.kind, s.csrf_token, s.last_seen_at, s.expires_at, s.revoked_at, u.active, u.display_name,
           ra.id, ra.role::text, ra.school_id, ra.cluster_id, ra.starts_on, ra.ends_on,
           ARRAY(SELECT DISTINCT m.cluster_id FROM role_assignments own JOIN cluster_memberships m ON m.school_id = own.school_id
                 WHERE own.user_id = s.user_id AND own.starts_on <= p_today AND (own.ends_on IS NULL OR own.ends_on >= p_today))
    FROM sessions s
    JOIN users u ON u.id = s.user_id
    LEFT JOIN role_assignments ra ON ra.user_id = s.user_id AND ra.starts_on <= p_today AND (ra.ends_on IS NULL OR ra.ends_on >= p_today)
    WHERE s.token_hash = p_token_hash;
END
$$;

-- Keeps a session alive: at most one write per interval, and only by whoever holds its token.
CREATE FUNCTION auth_touch_session(p_token_hash bytea, p_now timestamptz, p_not_since timestamptz) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE sessions SET last_seen_at = p_now WHERE token_hash = p_token_hash AND last_seen_at < p_not_since AND revoked_at IS NULL
$$;

REVOKE EXECUTE ON FUNCTION auth_actor(bytea, date), auth_touch_session(bytea, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_actor(bytea, date), auth_touch_session(bytea, timestamptz, timestamptz) TO clusterfund_app;
