-- The access helpers every row-level security policy calls, rewritten in PL/pgSQL with the same rules. A LANGUAGE sql
-- function that is SECURITY DEFINER (or SET search_path) is never inlined, and its body is planned again on every
-- call; PL/pgSQL keeps its statements' plans for the session, and the server's connections are long-lived. Measured
-- with pgbench on the bench database (BEGIN, set_config, one call, COMMIT; 4 clients, 2 cores): app_is_officer()
-- 9,300 transactions/s as SQL, 21,600 as PL/pgSQL, against 26,500 with no call at all. Every scoped read pays for
-- these, several times a statement, so every page and API call gains. The bodies are unchanged.

CREATE OR REPLACE FUNCTION app_current_assignments() RETURNS SETOF role_assignments
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT ra.* FROM role_assignments ra JOIN users u ON u.id = ra.user_id
    WHERE ra.user_id = app_user_id() AND u.active
      AND ra.starts_on <= council_today() AND (ra.ends_on IS NULL OR ra.ends_on >= council_today());
END
$$;

CREATE OR REPLACE FUNCTION app_is_officer() RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM role_assignments ra JOIN users u ON u.id = ra.user_id
                   WHERE ra.user_id = app_user_id() AND u.active AND ra.role = 'officer'
                     AND ra.starts_on <= council_today() AND (ra.ends_on IS NULL OR ra.ends_on >= council_today()));
END
$$;

CREATE OR REPLACE FUNCTION app_own_school_ids() RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(DISTINCT school_id), '{}') FROM app_current_assignments()
            WHERE role IN ('senco', 'headteacher'));
END
$$;

CREATE OR REPLACE FUNCTION app_cluster_ids() RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF app_is_officer() THEN
        RETURN (SELECT coalesce(array_agg(id), '{}') FROM clusters);
    END IF;
    RETURN (SELECT coalesce(array_agg(DISTINCT id), '{}') FROM (
        SELECT cluster_id AS id FROM app_current_assignments() WHERE role = 'educational_psychologist'
        UNION
        SELECT m.cluster_id FROM cluster_memberships m WHERE m.school_id = ANY (app_own_school_ids())
    ) AS reached);
END
$$;

CREATE OR REPLACE FUNCTION app_visible_school_ids() RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF app_is_officer() THEN
        RETURN (SELECT coalesce(array_agg(id), '{}') FROM schools);
    END IF;
    RETURN app_own_school_ids() || coalesce(
        (SELECT array_agg(DISTINCT school_id) FROM cluster_memberships WHERE cluster_id = ANY (app_cluster_ids())), '{}');
END
$$;

CREATE OR REPLACE FUNCTION app_visible_meeting_ids() RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    schools uuid[];
    ep_clusters uuid[];
BEGIN
    IF app_is_officer() THEN
        RETURN (SELECT coalesce(array_agg(id), '{}') FROM meetings);
    END IF;
    schools := app_own_school_ids();
    ep_clusters := ARRAY(SELECT cluster_id FROM app_current_assignments() WHERE role = 'educational_psychologist');
    RETURN (SELECT coalesce(array_agg(mt.id), '{}') FROM meetings mt
            WHERE mt.cluster_id = ANY (ep_clusters)
               OR (mt.cluster_id, mt.academic_year) IN (
                      SELECT m.cluster_id, m.academic_year FROM cluster_memberships m WHERE m.school_id = ANY (schools)));
END
$$;

CREATE OR REPLACE FUNCTION app_budget_keys() RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(k), '{}') FROM (
        SELECT m.cluster_id::text || '/' || (m.academic_year + 1) AS k FROM cluster_memberships m
        WHERE m.school_id = ANY (app_own_school_ids())
        UNION
        SELECT ra.cluster_id::text || '/*' FROM app_current_assignments() ra WHERE ra.role = 'educational_psychologist'
    ) keys);
END
$$;

CREATE OR REPLACE FUNCTION officer_name(p_user uuid) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN (SELECT u.display_name FROM users u
            WHERE u.id = p_user AND EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = u.id AND ra.role = 'officer'));
END
$$;
