-- Each cluster's meetings: a planning and an allocation meeting a term. The submission cut-off is stored when the
-- meeting is scheduled or moved, so a published date does not shift when the council later changes its rule; an
-- officer may override it on one meeting. A cancelled meeting stays on the record; at most one scheduled meeting of
-- each kind per cluster and term.
CREATE TABLE meetings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    cluster_id uuid NOT NULL REFERENCES clusters (id),
    academic_year integer NOT NULL CHECK (academic_year BETWEEN 2000 AND 2100),
    term text NOT NULL CHECK (term IN ('autumn', 'spring', 'summer')),
    kind text NOT NULL CHECK (kind IN ('planning', 'allocation')),
    meets_on date NOT NULL,
    starts_at time NOT NULL,
    place text NOT NULL DEFAULT '' CHECK (length(place) <= 300),
    online_link text CHECK (online_link IS NULL OR (online_link LIKE 'https://%' AND length(online_link) <= 500)),
    -- NULL: the cluster's locality lead chairs.
    chair_user_id uuid REFERENCES users (id),
    cut_off_on date NOT NULL,
    cut_off_overridden boolean NOT NULL DEFAULT false,
    status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    cancelled_reason text CHECK (cancelled_reason IS NULL OR length(cancelled_reason) <= 500),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (cut_off_on <= meets_on),
    CHECK ((status = 'cancelled') = (cancelled_reason IS NOT NULL))
);
CREATE UNIQUE INDEX meetings_one_scheduled_per_slot ON meetings (cluster_id, academic_year, term, kind) WHERE status = 'scheduled';
CREATE INDEX meetings_by_year ON meetings (academic_year, meets_on);
CREATE INDEX meetings_chair ON meetings (chair_user_id);

-- Who reaches a meeting: officers all; an EP the meetings of the clusters assigned to them; a SENCo or headteacher
-- the meetings of the clusters their school belonged to in that meeting's academic year, and no other year's.
CREATE FUNCTION app_visible_meeting_ids() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT CASE WHEN app_is_officer() THEN (SELECT coalesce(array_agg(id), '{}') FROM meetings)
    ELSE (SELECT coalesce(array_agg(mt.id), '{}') FROM meetings mt
          WHERE mt.cluster_id IN (SELECT cluster_id FROM app_current_assignments() WHERE role = 'educational_psychologist')
             OR EXISTS (SELECT 1 FROM cluster_memberships m
                        WHERE m.cluster_id = mt.cluster_id AND m.academic_year = mt.academic_year
                          AND m.school_id = ANY (app_own_school_ids()))) END
$$;
REVOKE ALL ON FUNCTION app_visible_meeting_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_visible_meeting_ids() TO clusterfund_app;

ALTER TABLE meetings ENABLE ROW LEVEL SECURITY;
ALTER TABLE meetings FORCE ROW LEVEL SECURITY;
CREATE POLICY meetings_read ON meetings FOR SELECT TO clusterfund_app USING (id = ANY ((SELECT app_visible_meeting_ids())::uuid[]));
CREATE POLICY meetings_officer_insert ON meetings FOR INSERT TO clusterfund_app WITH CHECK ((SELECT app_is_officer()));
CREATE POLICY meetings_officer_update ON meetings FOR UPDATE TO clusterfund_app
    USING ((SELECT app_is_officer())) WITH CHECK ((SELECT app_is_officer()));
GRANT SELECT, INSERT, UPDATE ON meetings TO clusterfund_app;

-- The owner (demo data, set-up commands), as sql/0009 and sql/0012 do for the other tables.
DO $$
BEGIN
    EXECUTE format('CREATE POLICY meetings_owner ON meetings TO %I USING (true) WITH CHECK (true)',
                   (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'meetings'::regclass));
END
$$;

-- Who chairs a meeting or leads a cluster is shown to everyone who sees the meeting or cluster, though users' rows are
-- otherwise read only by themselves and officers: this gives the name of an officer, and of nobody else.
CREATE FUNCTION officer_name(p_user uuid) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.display_name FROM users u
    WHERE u.id = p_user AND EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = u.id AND ra.role = 'officer')
$$;
GRANT EXECUTE ON FUNCTION officer_name(uuid) TO clusterfund_app;
