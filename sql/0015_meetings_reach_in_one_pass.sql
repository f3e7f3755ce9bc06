-- Who reaches a meeting, computed once per statement rather than once per meeting: sql/0014's version called
-- app_own_school_ids() (and so app_current_assignments()) inside an EXISTS for every meeting, which made a SENCo's
-- meetings list cost about a millisecond of SQL per request at demo size and grow with every year of meetings. The
-- rule is unchanged: officers all; EPs their clusters' meetings; a school's staff the meetings of the clusters and
-- academic years their school was a member of.
CREATE OR REPLACE FUNCTION app_visible_meeting_ids() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH me AS (
        SELECT app_is_officer() AS officer, app_own_school_ids() AS schools,
               ARRAY(SELECT cluster_id FROM app_current_assignments() WHERE role = 'educational_psychologist') AS ep_clusters
    )
    SELECT CASE WHEN me.officer THEN (SELECT coalesce(array_agg(id), '{}') FROM meetings)
    ELSE (SELECT coalesce(array_agg(mt.id), '{}') FROM meetings mt
          WHERE mt.cluster_id = ANY (me.ep_clusters)
             OR (mt.cluster_id, mt.academic_year) IN (
                    SELECT m.cluster_id, m.academic_year FROM cluster_memberships m WHERE m.school_id = ANY (me.schools))) END
    FROM me
$$;
