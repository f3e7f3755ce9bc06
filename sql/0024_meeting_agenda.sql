-- A planning meeting's agenda, computed in PostgreSQL for whoever may see the meeting: the requests scheduled on it, in
-- the order they were placed, each with its schools, ask and outcomes, and its pupils as the reader may see them. The
-- cluster's other schools reach these requests only here (row-level security hides them otherwise), so the function
-- decides, pupil by pupil, what leaves the database:
--   - the pupil's own school (its SENCo and headteacher): the name, always;
--   - officers, and the cluster's EPs with consent to EP involvement: the name while consent to share with the panel
--     is in force;
--   - everyone else: initials, year group and areas of need while that consent is in force;
--   - without it, nobody but the pupil's own school learns more than that the pupil is withheld and why.
-- Never a date of birth or a UPN; a pupil's id only beside their name (the audit trail records who saw which names).
CREATE FUNCTION meeting_agenda(p_meeting uuid)
RETURNS TABLE (request_id uuid, placed_at timestamptz, type_name text, title text, lead_school text, partner_schools text[], state text,
               ask_pence bigint, outcomes jsonb, pupils jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    own uuid[] := app_own_school_ids();
    officer boolean := app_is_officer();
    ep_pupils uuid[] := app_ep_pupil_ids();
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
           (SELECT coalesce(jsonb_agg(
                CASE
                    WHEN rp.school_id = ANY (own) OR p.school_id = ANY (own)
                        THEN jsonb_build_object('id', p.id, 'name', p.given_names || ' ' || p.family_name, 'ownSchool', true)
                    WHEN NOT coalesce(c.in_force, false)
                        THEN jsonb_build_object('withheld', CASE WHEN c.pupil_id IS NULL THEN 'no_consent' ELSE 'consent_withdrawn' END)
                    WHEN officer OR p.id = ANY (ep_pupils)
                        THEN jsonb_build_object('id', p.id, 'name', p.given_names || ' ' || p.family_name)
                    ELSE jsonb_build_object('pseudonym', upper(left(btrim(p.given_names), 1)) || upper(left(btrim(p.family_name), 1)) || ', '
                        || CASE p.year_group WHEN -1 THEN 'nursery' WHEN 0 THEN 'reception' ELSE 'year ' || p.year_group END
                        || coalesce(', ' || p.primary_need, '') || coalesce(', ' || p.secondary_need, ''))
                END ORDER BY rp.school_id, p.id), '[]'::jsonb)
            FROM funding_request_pupils rp JOIN pupils p ON p.id = rp.pupil_id
            LEFT JOIN pupil_consent_states c ON c.pupil_id = rp.pupil_id AND c.purpose = 'panel_sharing'
            WHERE rp.request_id = r.id)
    FROM funding_requests r JOIN request_types t ON t.code = r.type_code JOIN schools s ON s.id = r.lead_school_id
    WHERE r.meeting_id = p_meeting AND r.state IN ('scheduled', 'nominated')
    ORDER BY 2, r.id;
END
$$;
REVOKE ALL ON FUNCTION meeting_agenda(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION meeting_agenda(uuid) TO clusterfund_app;
