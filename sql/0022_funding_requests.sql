-- Requests from draft to the planning meeting (DOMAIN.md, "Requests"). A request has a lead school and may have
-- partner schools; its pupils come from those schools; its costed lines and outcomes are its own rows. A draft saves
-- whatever has been typed; submission checks everything. Every transition is a row of funding_request_events.
CREATE TABLE funding_requests (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    type_code text NOT NULL REFERENCES request_types (code),
    lead_school_id uuid NOT NULL REFERENCES schools (id),
    state text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'submitted', 'scheduled', 'nominated', 'withdrawn')),
    title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    need text NOT NULL DEFAULT '' CHECK (length(need) <= 5000),
    tried text NOT NULL DEFAULT '' CHECK (length(tried) <= 5000),
    terms_asked integer CHECK (terms_asked BETWEEN 1 AND 9),
    cohort text CHECK (cohort IS NULL OR length(cohort) <= 2000),
    meeting_id uuid REFERENCES meetings (id),
    placement_reason text,
    lead_endorsed_by uuid REFERENCES users (id),
    lead_endorsed_at timestamptz,
    created_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((state IN ('scheduled', 'nominated')) = (meeting_id IS NOT NULL)),
    CHECK ((lead_endorsed_by IS NULL) = (lead_endorsed_at IS NULL))
);
CREATE INDEX funding_requests_lead ON funding_requests (lead_school_id, state);
CREATE INDEX funding_requests_meeting ON funding_requests (meeting_id) WHERE meeting_id IS NOT NULL;

CREATE TABLE funding_request_partners (
    request_id uuid NOT NULL REFERENCES funding_requests (id),
    school_id uuid NOT NULL REFERENCES schools (id),
    confirmed_by uuid REFERENCES users (id),
    confirmed_at timestamptz,
    endorsed_by uuid REFERENCES users (id),
    endorsed_at timestamptz,
    PRIMARY KEY (request_id, school_id),
    CHECK ((confirmed_by IS NULL) = (confirmed_at IS NULL) AND (endorsed_by IS NULL) = (endorsed_at IS NULL))
);
CREATE INDEX funding_request_partners_school ON funding_request_partners (school_id);

CREATE TABLE funding_request_pupils (
    request_id uuid NOT NULL REFERENCES funding_requests (id),
    pupil_id uuid NOT NULL REFERENCES pupils (id),
    -- The school that named the pupil (the lead or a partner): its staff see the name, others the pseudonym.
    school_id uuid NOT NULL REFERENCES schools (id),
    PRIMARY KEY (request_id, pupil_id)
);
CREATE INDEX funding_request_pupils_pupil ON funding_request_pupils (pupil_id);

CREATE TABLE funding_request_outcomes (
    request_id uuid NOT NULL REFERENCES funding_requests (id),
    position integer NOT NULL CHECK (position BETWEEN 0 AND 49),
    outcome text NOT NULL CHECK (length(outcome) <= 1000),
    measure text NOT NULL CHECK (length(measure) <= 500),
    baseline text NOT NULL CHECK (length(baseline) <= 500),
    target text NOT NULL CHECK (length(target) <= 500),
    PRIMARY KEY (request_id, position)
);

CREATE TABLE funding_request_lines (
    request_id uuid NOT NULL REFERENCES funding_requests (id),
    position integer NOT NULL CHECK (position BETWEEN 0 AND 99),
    category text NOT NULL CHECK (category IN ('staffing', 'training', 'resources_and_equipment', 'therapy', 'environment', 'other')),
    description text NOT NULL CHECK (length(description) <= 500),
    staff_role text CHECK (staff_role IS NULL OR length(staff_role) <= 200),
    unit_cost_pence bigint NOT NULL CHECK (unit_cost_pence BETWEEN 0 AND 100000000),
    quantity integer NOT NULL CHECK (quantity BETWEEN 0 AND 10000),
    funder text NOT NULL CHECK (funder IN ('school', 'cluster', 'other')),
    PRIMARY KEY (request_id, position)
);

-- Who did what to a request, when and why: its history, kept when it returns to draft.
CREATE TABLE funding_request_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id uuid NOT NULL REFERENCES funding_requests (id),
    action text NOT NULL CHECK (length(action) BETWEEN 1 AND 40),
    from_state text NOT NULL,
    to_state text NOT NULL,
    actor_user_id uuid NOT NULL REFERENCES users (id),
    occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    note text CHECK (note IS NULL OR length(note) <= 5000)
);
CREATE INDEX funding_request_events_request ON funding_request_events (request_id, id);

-- The schools of the clusters an EP is assigned to, this academic year.
CREATE FUNCTION app_ep_school_ids() RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(DISTINCT m.school_id), '{}') FROM cluster_memberships m
            WHERE m.academic_year = app_academic_year_today()
              AND m.cluster_id IN (SELECT cluster_id FROM app_current_assignments() WHERE role = 'educational_psychologist'));
END
$$;
REVOKE ALL ON FUNCTION app_ep_school_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_ep_school_ids() TO clusterfund_app;

-- The requests the user reaches: led by or partnered by one of their schools, or of their EP clusters' schools; all
-- for officers.
CREATE FUNCTION app_request_ids() RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    own uuid[] := app_own_school_ids() || app_ep_school_ids();
BEGIN
    IF app_is_officer() THEN
        RETURN (SELECT coalesce(array_agg(id), '{}') FROM funding_requests);
    END IF;
    RETURN (SELECT coalesce(array_agg(DISTINCT r.id), '{}') FROM funding_requests r
            WHERE r.lead_school_id = ANY (own)
               OR EXISTS (SELECT 1 FROM funding_request_partners p WHERE p.request_id = r.id AND p.school_id = ANY (own)));
END
$$;
REVOKE ALL ON FUNCTION app_request_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_request_ids() TO clusterfund_app;

GRANT SELECT, INSERT, UPDATE ON funding_requests TO clusterfund_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON funding_request_partners TO clusterfund_app;
GRANT SELECT, INSERT, DELETE ON funding_request_pupils, funding_request_outcomes, funding_request_lines TO clusterfund_app;
GRANT SELECT, INSERT ON funding_request_events TO clusterfund_app;

ALTER TABLE funding_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE funding_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY funding_requests_read ON funding_requests FOR SELECT TO clusterfund_app
    USING (id = ANY ((SELECT app_request_ids())::uuid[]));
CREATE POLICY funding_requests_create ON funding_requests FOR INSERT TO clusterfund_app
    WITH CHECK (lead_school_id = ANY ((SELECT app_senco_school_ids())::uuid[]) AND created_by = (SELECT app_user_id()));
-- Changes go through the service, which applies RequestLifecycle; the policy keeps them to those who reach it.
CREATE POLICY funding_requests_change ON funding_requests FOR UPDATE TO clusterfund_app
    USING (id = ANY ((SELECT app_request_ids())::uuid[])) WITH CHECK (id = ANY ((SELECT app_request_ids())::uuid[]));

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['funding_request_partners', 'funding_request_pupils', 'funding_request_outcomes', 'funding_request_lines',
                             'funding_request_events'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I TO clusterfund_app USING (request_id = ANY ((SELECT app_request_ids())::uuid[])) '
                       'WITH CHECK (request_id = ANY ((SELECT app_request_ids())::uuid[]))', t || '_reach', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['funding_requests', 'funding_request_partners', 'funding_request_pupils', 'funding_request_outcomes',
                             'funding_request_lines', 'funding_request_events'] LOOP
        EXECUTE format('CREATE POLICY %I ON %I TO %I USING (true) WITH CHECK (true)', t || '_owner', t,
                       (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = t::regclass));
    END LOOP;
END
$$;

-- Why a request is held, if it is: a pupil named on it whose consent to share with the panel is not in force, or who
-- is no longer at the lead or a partner school. Computed when asked, so consent given again or the pupil removed lifts
-- it at once. SECURITY DEFINER so a partner school learns the reason without reading the other school's pupil.
CREATE FUNCTION funding_request_hold(p_request uuid) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT (p_request = ANY (app_request_ids())) THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM funding_request_pupils rp
               LEFT JOIN pupil_consent_states c ON c.pupil_id = rp.pupil_id AND c.purpose = 'panel_sharing'
               WHERE rp.request_id = p_request AND NOT coalesce(c.in_force, false)) THEN
        RETURN 'a pupil named on it has no consent in force to share their details with the panel';
    END IF;
    IF EXISTS (SELECT 1 FROM funding_request_pupils rp JOIN pupils p ON p.id = rp.pupil_id JOIN funding_requests r ON r.id = rp.request_id
               WHERE rp.request_id = p_request AND p.school_id <> r.lead_school_id
                 AND NOT EXISTS (SELECT 1 FROM funding_request_partners x WHERE x.request_id = r.id AND x.school_id = p.school_id)) THEN
        RETURN 'a pupil named on it has moved to a school that is not part of the request';
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION funding_request_hold(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION funding_request_hold(uuid) TO clusterfund_app;
