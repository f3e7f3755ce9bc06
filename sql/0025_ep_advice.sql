-- Educational psychologists' advice (DOMAIN.md, "Who does what"): an EP assigned to a cluster logs advice on a request
-- of that cluster or on a pupil of one of its schools. Advice is a record: never changed or removed (a correction is
-- new advice). Advice about a named pupil needs consent to EP involvement in force, for every pupil a request names.
CREATE TABLE ep_advice (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    request_id uuid REFERENCES funding_requests (id),
    pupil_id uuid REFERENCES pupils (id),
    cluster_id uuid NOT NULL REFERENCES clusters (id),
    author_user_id uuid NOT NULL REFERENCES users (id),
    -- The name the author signed with: a record keeps it (other users' rows are not readable by the application).
    author_name text NOT NULL CHECK (length(btrim(author_name)) BETWEEN 1 AND 200),
    given_on date NOT NULL,
    kind text NOT NULL CHECK (kind IN ('consultation', 'observation', 'assessment', 'meeting_advice')),
    summary text NOT NULL CHECK (length(btrim(summary)) BETWEEN 1 AND 5000),
    recommendations text NOT NULL DEFAULT '' CHECK (length(recommendations) <= 5000),
    follow_up_on date CHECK (follow_up_on IS NULL OR follow_up_on >= given_on),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((request_id IS NULL) <> (pupil_id IS NULL))
);
CREATE INDEX ep_advice_request ON ep_advice (request_id) WHERE request_id IS NOT NULL;
CREATE INDEX ep_advice_pupil ON ep_advice (pupil_id) WHERE pupil_id IS NOT NULL;
CREATE INDEX ep_advice_follow_up ON ep_advice (cluster_id, follow_up_on) WHERE follow_up_on IS NOT NULL;

-- Who acted on a request, by the name they had then: the history shows it to everyone who reads the request.
ALTER TABLE funding_request_events ADD COLUMN actor_name text CHECK (actor_name IS NULL OR length(actor_name) <= 200);

-- The clusters the user is assigned to as an EP today.
CREATE FUNCTION app_ep_cluster_ids() RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN ARRAY(SELECT cluster_id FROM app_current_assignments() WHERE role = 'educational_psychologist' AND cluster_id IS NOT NULL);
END
$$;
REVOKE ALL ON FUNCTION app_ep_cluster_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_ep_cluster_ids() TO clusterfund_app;

GRANT SELECT, INSERT ON ep_advice TO clusterfund_app;
ALTER TABLE ep_advice ENABLE ROW LEVEL SECURITY;
ALTER TABLE ep_advice FORCE ROW LEVEL SECURITY;
-- Officers; the cluster's EPs (advice on a pupil only while that pupil's consent to EP involvement is in force); the
-- staff of the request's lead school; the staff of the pupil's school.
CREATE POLICY ep_advice_read ON ep_advice FOR SELECT TO clusterfund_app
    USING ((SELECT app_is_officer())
        OR (cluster_id = ANY ((SELECT app_ep_cluster_ids())::uuid[]) AND (pupil_id IS NULL OR pupil_id = ANY ((SELECT app_ep_pupil_ids())::uuid[])))
        OR EXISTS (SELECT 1 FROM funding_requests r WHERE r.id = request_id AND r.lead_school_id = ANY ((SELECT app_own_school_ids())::uuid[]))
        OR EXISTS (SELECT 1 FROM pupils p WHERE p.id = pupil_id AND p.school_id = ANY ((SELECT app_own_school_ids())::uuid[])));
CREATE POLICY ep_advice_create ON ep_advice FOR INSERT TO clusterfund_app
    WITH CHECK (author_user_id = (SELECT app_user_id())
        AND cluster_id = ANY ((SELECT app_ep_cluster_ids())::uuid[])
        AND (pupil_id IS NULL OR pupil_id = ANY ((SELECT app_ep_pupil_ids())::uuid[]))
        AND (request_id IS NULL OR (request_id = ANY ((SELECT app_request_ids())::uuid[])
            AND NOT EXISTS (SELECT 1 FROM funding_request_pupils rp
                            WHERE rp.request_id = ep_advice.request_id AND NOT rp.pupil_id = ANY ((SELECT app_ep_pupil_ids())::uuid[])))));
DO $$
BEGIN
    EXECUTE format('CREATE POLICY ep_advice_owner ON ep_advice TO %I USING (true) WITH CHECK (true)',
                   (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'ep_advice'::regclass));
END
$$;
CREATE FUNCTION ep_advice_is_a_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'EP advice is never changed or removed; record new advice instead' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER ep_advice_is_a_record BEFORE UPDATE OR DELETE OR TRUNCATE ON ep_advice FOR EACH STATEMENT EXECUTE FUNCTION ep_advice_is_a_record();

-- A request's pupils as the reader may see them: the one place this rule lives, used by the request and the agenda.
--   - the pupil's own school (its SENCo and headteacher): the name, always;
--   - officers, and the cluster's EPs with consent to EP involvement: the name while consent to share with the panel
--     is in force;
--   - everyone else: initials, year group and areas of need while that consent is in force;
--   - without it, nobody but the pupil's own school learns more than that the pupil is withheld and why.
-- Only for a request the reader reaches, or one on the agenda of a meeting they see. Never a date of birth or a UPN.
CREATE FUNCTION request_pupils_as_seen(p_request uuid)
RETURNS TABLE (pupil_id uuid, school_id uuid, name text, pseudonym text, withheld text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    own uuid[] := app_own_school_ids();
    officer boolean := app_is_officer();
    ep_pupils uuid[] := app_ep_pupil_ids();
BEGIN
    IF NOT (p_request = ANY (app_request_ids())
            OR EXISTS (SELECT 1 FROM funding_requests r WHERE r.id = p_request AND r.state IN ('scheduled', 'nominated')
                       AND r.meeting_id = ANY (app_visible_meeting_ids()))) THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT rp.pupil_id, rp.school_id,
           CASE WHEN p.school_id = ANY (own) OR (coalesce(c.in_force, false) AND (officer OR p.id = ANY (ep_pupils)))
                THEN p.given_names || ' ' || p.family_name END,
           CASE WHEN NOT (p.school_id = ANY (own)) AND coalesce(c.in_force, false) AND NOT (officer OR p.id = ANY (ep_pupils))
                THEN upper(left(btrim(p.given_names), 1)) || upper(left(btrim(p.family_name), 1)) || ', '
                     || CASE p.year_group WHEN -1 THEN 'nursery' WHEN 0 THEN 'reception' ELSE 'year ' || p.year_group END
                     || coalesce(', ' || p.primary_need, '') || coalesce(', ' || p.secondary_need, '') END,
           CASE WHEN NOT (p.school_id = ANY (own)) AND NOT coalesce(c.in_force, false)
                THEN CASE WHEN c.pupil_id IS NULL THEN 'no_consent' ELSE 'consent_withdrawn' END END
    FROM funding_request_pupils rp JOIN pupils p ON p.id = rp.pupil_id
    LEFT JOIN pupil_consent_states c ON c.pupil_id = rp.pupil_id AND c.purpose = 'panel_sharing'
    WHERE rp.request_id = p_request
    ORDER BY rp.school_id, rp.pupil_id;
END
$$;
REVOKE ALL ON FUNCTION request_pupils_as_seen(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION request_pupils_as_seen(uuid) TO clusterfund_app;

-- The agenda, now with the EP advice on each request, and its pupils from request_pupils_as_seen.
DROP FUNCTION meeting_agenda(uuid);
CREATE FUNCTION meeting_agenda(p_meeting uuid)
RETURNS TABLE (request_id uuid, placed_at timestamptz, type_name text, title text, lead_school text, partner_schools text[], state text,
               ask_pence bigint, outcomes jsonb, pupils jsonb, advice jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT (p_meeting = ANY (app_visible_meeting_ids())) THEN
        RAISE EXCEPTION 'no such meeting' USING ERRCODE = 'no_data_found';
    END IF;
    RETURN QUERY
    SELECT r.id,
           (SELECT max(e.occurred_at) FROM funding_request_events e WHERE e.request_id = r.id AND e.to_state = 'scheduled'),
           t.name, r.title, s.name,
           ARRAY(SELECT ps.name FROM funding_request_partners fp JOIN schools ps ON ps.id = fp.school_id WHERE fp.request_id = r.id ORDER BY ps.name),
           r.state,
           (SELECT coalesce(sum(l.unit_cost_pence * l.quantity), 0)::bigint FROM funding_request_lines l WHERE l.request_id = r.id AND l.funder = 'cluster'),
           (SELECT coalesce(jsonb_agg(jsonb_build_object('outcome', o.outcome, 'measure', o.measure, 'baseline', o.baseline, 'target', o.target)
                                      ORDER BY o.position), '[]'::jsonb)
            FROM funding_request_outcomes o WHERE o.request_id = r.id),
           (SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object('id', CASE WHEN v.name IS NOT NULL THEN v.pupil_id END, 'name', v.name,
                                                                           'pseudonym', v.pseudonym, 'withheld', v.withheld))), '[]'::jsonb)
            FROM request_pupils_as_seen(r.id) v),
           (SELECT coalesce(jsonb_agg(jsonb_build_object('givenOn', a.given_on, 'kind', a.kind, 'summary', a.summary,
                                                         'recommendations', a.recommendations, 'author', a.author_name) ORDER BY a.given_on, a.id), '[]'::jsonb)
            FROM ep_advice a WHERE a.request_id = r.id)
    FROM funding_requests r JOIN request_types t ON t.code = r.type_code JOIN schools s ON s.id = r.lead_school_id
    WHERE r.meeting_id = p_meeting AND r.state IN ('scheduled', 'nominated')
    ORDER BY 2, r.id;
END
$$;
REVOKE ALL ON FUNCTION meeting_agenda(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION meeting_agenda(uuid) TO clusterfund_app;
