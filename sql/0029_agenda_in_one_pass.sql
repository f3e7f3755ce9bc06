-- A request's pupils as the reader may see them, for many requests at once: request_pupils_as_seen worked out the
-- reader's schools, EP pupils and reach again for every request of an agenda. The rule is the same as sql/0025's
-- (the pupil's own school: the name; officers and consented EPs: the name while consent to share with the panel is in
-- force; others: the pseudonym while it is; without it, only why the pupil is withheld), now in this one function;
-- request_pupils_as_seen and meeting_agenda both call it.
CREATE FUNCTION request_pupils_as_seen_many(p_requests uuid[])
RETURNS TABLE (request_id uuid, pupil_id uuid, school_id uuid, name text, pseudonym text, withheld text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    own uuid[] := app_own_school_ids();
    officer boolean := app_is_officer();
    ep_pupils uuid[] := app_ep_pupil_ids();
BEGIN
    RETURN QUERY
    WITH reached AS (
        SELECT r.id FROM funding_requests r
        WHERE r.id = ANY (p_requests)
          AND (r.id IN (SELECT unnest(app_request_ids()))
               OR (r.state IN ('scheduled', 'nominated') AND r.meeting_id IN (SELECT unnest(app_visible_meeting_ids())))))
    SELECT rp.request_id, rp.pupil_id, rp.school_id,
           CASE WHEN p.school_id = ANY (own) OR (coalesce(c.in_force, false) AND (officer OR p.id = ANY (ep_pupils)))
                THEN p.given_names || ' ' || p.family_name END,
           CASE WHEN NOT (p.school_id = ANY (own)) AND coalesce(c.in_force, false) AND NOT (officer OR p.id = ANY (ep_pupils))
                THEN upper(left(btrim(p.given_names), 1)) || upper(left(btrim(p.family_name), 1)) || ', '
                     || CASE p.year_group WHEN -1 THEN 'nursery' WHEN 0 THEN 'reception' ELSE 'year ' || p.year_group END
                     || coalesce(', ' || p.primary_need, '') || coalesce(', ' || p.secondary_need, '') END,
           CASE WHEN NOT (p.school_id = ANY (own)) AND NOT coalesce(c.in_force, false)
                THEN CASE WHEN c.pupil_id IS NULL THEN 'no_consent' ELSE 'consent_withdrawn' END END
    FROM funding_request_pupils rp JOIN reached ON reached.id = rp.request_id
    JOIN pupils p ON p.id = rp.pupil_id
    LEFT JOIN pupil_consent_states c ON c.pupil_id = rp.pupil_id AND c.purpose = 'panel_sharing'
    ORDER BY rp.request_id, rp.school_id, rp.pupil_id;
END
$$;
REVOKE ALL ON FUNCTION request_pupils_as_seen_many(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION request_pupils_as_seen_many(uuid[]) TO clusterfund_app;

CREATE OR REPLACE FUNCTION request_pupils_as_seen(p_request uuid)
RETURNS TABLE (pupil_id uuid, school_id uuid, name text, pseudonym text, withheld text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT v.pupil_id, v.school_id, v.name, v.pseudonym, v.withheld FROM request_pupils_as_seen_many(ARRAY[p_request]) v
$$;

CREATE OR REPLACE FUNCTION meeting_agenda(p_meeting uuid)
RETURNS TABLE (request_id uuid, placed_at timestamptz, type_name text, title text, lead_school text, partner_schools text[], state text,
               ask_pence bigint, outcomes jsonb, pupils jsonb, advice jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT (p_meeting = ANY (app_visible_meeting_ids())) THEN
        RAISE EXCEPTION 'no such meeting' USING ERRCODE = 'no_data_found';
    END IF;
    RETURN QUERY
    WITH items AS (SELECT r.* FROM funding_requests r WHERE r.meeting_id = p_meeting AND r.state IN ('scheduled', 'nominated')),
    seen AS (SELECT * FROM request_pupils_as_seen_many(ARRAY(SELECT id FROM items)))
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
                                                                           'pseudonym', v.pseudonym, 'withheld', v.withheld))
                                      ORDER BY v.school_id, v.pupil_id), '[]'::jsonb)
            FROM seen v WHERE v.request_id = r.id),
           (SELECT coalesce(jsonb_agg(jsonb_build_object('givenOn', a.given_on, 'kind', a.kind, 'summary', a.summary,
                                                         'recommendations', a.recommendations, 'author', a.author_name) ORDER BY a.given_on, a.id), '[]'::jsonb)
            FROM ep_advice a WHERE a.request_id = r.id)
    FROM items r JOIN request_types t ON t.code = r.type_code JOIN schools s ON s.id = r.lead_school_id
    ORDER BY 2, r.id;
END
$$;
