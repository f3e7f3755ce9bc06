-- Pupils: special-category data about children, the least that decisions need (DOMAIN.md, "Pupils and consent").
-- A pupil belongs to one school at a time (school_id, with the enrolment history beside it). Who reaches a pupil: the
-- SENCo and headteacher of that school, and officers; nobody else (EPs only with consent, which a later migration
-- adds). Only the school's SENCo adds and changes a pupil. Every read is written to the audit trail by the service.
CREATE TABLE pupils (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    upn text NOT NULL CONSTRAINT pupils_upn_key UNIQUE
        CONSTRAINT pupils_upn_format CHECK (upn ~ '^[ABCDEFGHJKLMNPQRTUVWXYZ][0-9]{11}[0-9ABCDEFGHJKLMNPQRTUVWXYZ]$'),
    given_names text NOT NULL CHECK (length(btrim(given_names)) BETWEEN 1 AND 100),
    family_name text NOT NULL CHECK (length(btrim(family_name)) BETWEEN 1 AND 100),
    date_of_birth date NOT NULL,
    year_group integer NOT NULL CHECK (year_group BETWEEN -1 AND 14),
    school_id uuid NOT NULL REFERENCES schools (id),
    primary_need text CHECK (primary_need IN ('SPLD', 'MLD', 'SLD', 'PMLD', 'SEMH', 'SLCN', 'HI', 'VI', 'MSI', 'PD', 'ASD', 'OTH', 'NSA')),
    secondary_need text CHECK (secondary_need IN ('SPLD', 'MLD', 'SLD', 'PMLD', 'SEMH', 'SLCN', 'HI', 'VI', 'MSI', 'PD', 'ASD', 'OTH', 'NSA')),
    sen_status text NOT NULL CHECK (sen_status IN ('sen_support', 'ehcp', 'under_assessment', 'none')),
    looked_after boolean NOT NULL DEFAULT false,
    home_la_code text CHECK (home_la_code ~ '^[0-9]{3}$'),
    out_of_cohort_reason text CHECK (out_of_cohort_reason IS NULL OR length(btrim(out_of_cohort_reason)) BETWEEN 1 AND 500),
    created_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (secondary_need IS NULL OR (primary_need IS NOT NULL AND secondary_need <> primary_need))
);
CREATE INDEX pupils_school ON pupils (school_id, family_name, given_names);
CREATE INDEX pupils_search ON pupils (lower(family_name) text_pattern_ops);

-- Where the pupil has been on roll: the current school's row has no end.
CREATE TABLE pupil_enrolments (
    pupil_id uuid NOT NULL REFERENCES pupils (id),
    school_id uuid NOT NULL REFERENCES schools (id),
    from_on date NOT NULL,
    to_on date,
    PRIMARY KEY (pupil_id, from_on),
    CHECK (to_on IS NULL OR to_on >= from_on)
);
CREATE UNIQUE INDEX pupil_enrolments_one_current ON pupil_enrolments (pupil_id) WHERE to_on IS NULL;
CREATE INDEX pupil_enrolments_school ON pupil_enrolments (school_id);

-- Schools where the user is SENCo today: the only ones whose pupils they add and change.
CREATE FUNCTION app_senco_school_ids() RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(DISTINCT school_id), '{}') FROM app_current_assignments() WHERE role = 'senco');
END
$$;
REVOKE ALL ON FUNCTION app_senco_school_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_senco_school_ids() TO clusterfund_app;

GRANT SELECT, INSERT, UPDATE ON pupils, pupil_enrolments TO clusterfund_app;

ALTER TABLE pupils ENABLE ROW LEVEL SECURITY;
ALTER TABLE pupils FORCE ROW LEVEL SECURITY;
CREATE POLICY pupils_read ON pupils FOR SELECT TO clusterfund_app
    USING ((SELECT app_is_officer()) OR school_id = ANY ((SELECT app_own_school_ids())::uuid[]));
CREATE POLICY pupils_senco_insert ON pupils FOR INSERT TO clusterfund_app
    WITH CHECK (school_id = ANY ((SELECT app_senco_school_ids())::uuid[]) AND created_by = (SELECT app_user_id()));
CREATE POLICY pupils_senco_update ON pupils FOR UPDATE TO clusterfund_app
    USING (school_id = ANY ((SELECT app_senco_school_ids())::uuid[]))
    WITH CHECK (school_id = ANY ((SELECT app_senco_school_ids())::uuid[]));

ALTER TABLE pupil_enrolments ENABLE ROW LEVEL SECURITY;
ALTER TABLE pupil_enrolments FORCE ROW LEVEL SECURITY;
-- The enrolments of the pupils one reaches (the pupils policy applies inside the sub-select).
CREATE POLICY pupil_enrolments_read ON pupil_enrolments FOR SELECT TO clusterfund_app
    USING (EXISTS (SELECT 1 FROM pupils p WHERE p.id = pupil_id));
CREATE POLICY pupil_enrolments_senco_insert ON pupil_enrolments FOR INSERT TO clusterfund_app
    WITH CHECK (school_id = ANY ((SELECT app_senco_school_ids())::uuid[]));

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['pupils', 'pupil_enrolments'] LOOP
        EXECUTE format('CREATE POLICY %I ON %I TO %I USING (true) WITH CHECK (true)', t || '_owner', t,
                       (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = t::regclass));
    END LOOP;
END
$$;

-- Whether a UPN is recorded at any school: the one thing a SENCo adding a pupil may learn about pupils they cannot
-- see, so that a second record of one child is refused (with one message, whatever the cause) rather than made.
-- Only a SENCo may ask (they are the ones who add pupils); the service audits each refusal and stops a user after ten
-- in 15 minutes (pupil_add_refusals_recent), so the question cannot be asked of many UPNs.
CREATE FUNCTION pupil_upn_recorded(p_upn text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF cardinality(app_senco_school_ids()) = 0 THEN
        RAISE EXCEPTION 'only a SENCo adds pupils' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN EXISTS (SELECT 1 FROM pupils WHERE upn = p_upn);
END
$$;

-- How many times the acting user was refused adding a pupil in the last 15 minutes (their own audit events only).
CREATE FUNCTION pupil_add_refusals_recent() RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN (SELECT count(*) FROM audit_events
            WHERE actor_user_id = app_user_id() AND action = 'pupil.add_refused' AND occurred_at >= now() - interval '15 minutes');
END
$$;
REVOKE ALL ON FUNCTION pupil_add_refusals_recent() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pupil_add_refusals_recent() TO clusterfund_app;
REVOKE ALL ON FUNCTION pupil_upn_recorded(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pupil_upn_recorded(text) TO clusterfund_app;
