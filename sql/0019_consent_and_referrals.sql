-- Consent and EHC needs-assessment referrals (DOMAIN.md, "Pupils and consent" and "EHCP referrals").
--
-- Consent is recorded per pupil and purpose and never changed or removed: a withdrawal is a new record, and so is a
-- correction, which names the record it replaces. What is in force for a pupil and purpose is kept in
-- pupil_consent_states by a trigger in the same transaction as the record, so the policies and the pseudonymised view
-- read one indexed row instead of the history.

-- The academic year (starting 1 September, Europe/London) that holds today: memberships are per academic year.
CREATE FUNCTION app_academic_year_today() RETURNS integer
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT extract(year FROM ((now() AT TIME ZONE 'Europe/London')::date - interval '8 months'))::integer
$$;

CREATE TABLE pupil_consents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pupil_id uuid NOT NULL REFERENCES pupils (id),
    purpose text NOT NULL CHECK (purpose IN ('panel_sharing', 'ep_involvement')),
    kind text NOT NULL CHECK (kind IN ('given', 'withdrawn')),
    given_by_name text NOT NULL CHECK (length(btrim(given_by_name)) BETWEEN 1 AND 200),
    relationship text NOT NULL CHECK (relationship IN ('parent', 'carer', 'parental_responsibility', 'young_person')),
    given_on date NOT NULL,
    method text NOT NULL CHECK (method IN ('signed_form', 'email', 'verbal')),
    evidence_reference text NOT NULL CHECK (length(btrim(evidence_reference)) BETWEEN 1 AND 200),
    -- A correction replaces one earlier record of the same pupil, purpose and kind, once, and says why.
    replaces_id uuid UNIQUE,
    correction_reason text CHECK (correction_reason IS NULL OR length(btrim(correction_reason)) BETWEEN 1 AND 500),
    -- The school the pupil was at when it was recorded (the record stays that school's after a move).
    school_id uuid NOT NULL REFERENCES schools (id),
    recorded_by uuid NOT NULL REFERENCES users (id),
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT pupil_consents_same_subject UNIQUE (id, pupil_id, purpose, kind),
    CONSTRAINT pupil_consents_replaces FOREIGN KEY (replaces_id, pupil_id, purpose, kind)
        REFERENCES pupil_consents (id, pupil_id, purpose, kind),
    CHECK ((replaces_id IS NULL) = (correction_reason IS NULL))
);
CREATE INDEX pupil_consents_pupil ON pupil_consents (pupil_id, purpose, given_on DESC, recorded_at DESC);

CREATE FUNCTION pupil_consents_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'consent records are never changed or removed: record a correction or a withdrawal instead'
        USING ERRCODE = 'insufficient_privilege', TABLE = 'pupil_consents';
END
$$;
CREATE TRIGGER pupil_consents_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON pupil_consents
    FOR EACH STATEMENT EXECUTE FUNCTION pupil_consents_refuse_change();

-- What is in force, per pupil and purpose: the latest record that no correction replaces, by the date it was given
-- or withdrawn and then by when it was recorded. `since` is when that record was made: a withdrawal takes effect
-- from the moment it is recorded.
CREATE TABLE pupil_consent_states (
    pupil_id uuid NOT NULL REFERENCES pupils (id),
    purpose text NOT NULL CHECK (purpose IN ('panel_sharing', 'ep_involvement')),
    in_force boolean NOT NULL,
    consent_id uuid NOT NULL REFERENCES pupil_consents (id),
    since timestamptz NOT NULL,
    PRIMARY KEY (pupil_id, purpose)
);
CREATE INDEX pupil_consent_states_ep ON pupil_consent_states (pupil_id) WHERE purpose = 'ep_involvement' AND in_force;

CREATE FUNCTION pupil_consent_keep_state() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO pupil_consent_states AS s (pupil_id, purpose, in_force, consent_id, since)
    SELECT c.pupil_id, c.purpose, c.kind = 'given', c.id, c.recorded_at
    FROM pupil_consents c
    WHERE c.pupil_id = NEW.pupil_id AND c.purpose = NEW.purpose
      AND NOT EXISTS (SELECT 1 FROM pupil_consents r WHERE r.replaces_id = c.id)
    ORDER BY c.given_on DESC, c.recorded_at DESC, c.id DESC
    LIMIT 1
    ON CONFLICT (pupil_id, purpose) DO UPDATE SET in_force = EXCLUDED.in_force, consent_id = EXCLUDED.consent_id, since = EXCLUDED.since;
    RETURN NULL;
END
$$;
CREATE TRIGGER pupil_consents_keep_state AFTER INSERT ON pupil_consents FOR EACH ROW EXECUTE FUNCTION pupil_consent_keep_state();

-- The pupils an educational psychologist reaches: at a school of one of their clusters this academic year, with the
-- family's consent to EP involvement in force. Nobody else gains anything here.
CREATE FUNCTION app_ep_pupil_ids() RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    ep_clusters uuid[];
BEGIN
    ep_clusters := ARRAY(SELECT cluster_id FROM app_current_assignments() WHERE role = 'educational_psychologist');
    IF cardinality(ep_clusters) = 0 THEN
        RETURN '{}';
    END IF;
    RETURN (SELECT coalesce(array_agg(p.id), '{}') FROM pupils p
            JOIN pupil_consent_states c ON c.pupil_id = p.id AND c.purpose = 'ep_involvement' AND c.in_force
            WHERE p.school_id IN (SELECT m.school_id FROM cluster_memberships m
                                  WHERE m.cluster_id = ANY (ep_clusters) AND m.academic_year = app_academic_year_today()));
END
$$;
REVOKE ALL ON FUNCTION app_ep_pupil_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_ep_pupil_ids() TO clusterfund_app;

DROP POLICY pupils_read ON pupils;
CREATE POLICY pupils_read ON pupils FOR SELECT TO clusterfund_app
    USING ((SELECT app_is_officer()) OR school_id = ANY ((SELECT app_own_school_ids())::uuid[])
           OR id = ANY ((SELECT app_ep_pupil_ids())::uuid[]));

CREATE TABLE ehcp_referrals (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pupil_id uuid NOT NULL REFERENCES pupils (id),
    -- The pupil's school when the request was made.
    school_id uuid NOT NULL REFERENCES schools (id),
    requested_by text NOT NULL CHECK (requested_by IN ('parent', 'school', 'other')),
    received_on date NOT NULL,
    decision text CHECK (decision IN ('assess', 'not_assess')),
    decided_on date,
    no_plan_notice_on date,
    draft_plan_on date,
    final_plan_on date,
    outcome text CHECK (outcome IN ('plan_issued', 'plan_not_issued', 'withdrawn')),
    outcome_on date,
    appeal_on date,
    created_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((decision IS NULL) = (decided_on IS NULL)),
    CHECK ((outcome IS NULL) = (outcome_on IS NULL)),
    CHECK (decided_on IS NULL OR decided_on >= received_on),
    CHECK (final_plan_on IS NULL OR final_plan_on >= received_on),
    CHECK (no_plan_notice_on IS NULL OR final_plan_on IS NULL)
);
CREATE INDEX ehcp_referrals_pupil ON ehcp_referrals (pupil_id, received_on DESC);
CREATE INDEX ehcp_referrals_received ON ehcp_referrals (received_on DESC);

GRANT SELECT, INSERT ON pupil_consents TO clusterfund_app;
GRANT SELECT ON pupil_consent_states TO clusterfund_app;
GRANT SELECT, INSERT, UPDATE ON ehcp_referrals TO clusterfund_app;

ALTER TABLE pupil_consents ENABLE ROW LEVEL SECURITY;
ALTER TABLE pupil_consents FORCE ROW LEVEL SECURITY;
-- The history (with the names of those who gave consent) is the school's and the council's: officers, and the SENCo
-- and headteacher of the pupil's school. An EP reads only whether consent is in force, through the states.
CREATE POLICY pupil_consents_read ON pupil_consents FOR SELECT TO clusterfund_app
    USING ((SELECT app_is_officer())
           OR pupil_id IN (SELECT p.id FROM pupils p WHERE p.school_id = ANY ((SELECT app_own_school_ids())::uuid[])));
-- The SENCo of the pupil's school records consent and its withdrawal; an officer records a withdrawal only (a family
-- may tell the council), never consent given.
CREATE POLICY pupil_consents_record ON pupil_consents FOR INSERT TO clusterfund_app
    WITH CHECK (recorded_by = (SELECT app_user_id())
                AND school_id = (SELECT p.school_id FROM pupils p WHERE p.id = pupil_id)
                AND (school_id = ANY ((SELECT app_senco_school_ids())::uuid[]) OR (kind = 'withdrawn' AND (SELECT app_is_officer()))));

ALTER TABLE pupil_consent_states ENABLE ROW LEVEL SECURITY;
ALTER TABLE pupil_consent_states FORCE ROW LEVEL SECURITY;
CREATE POLICY pupil_consent_states_read ON pupil_consent_states FOR SELECT TO clusterfund_app
    USING (EXISTS (SELECT 1 FROM pupils p WHERE p.id = pupil_id));

ALTER TABLE ehcp_referrals ENABLE ROW LEVEL SECURITY;
ALTER TABLE ehcp_referrals FORCE ROW LEVEL SECURITY;
-- Whoever reaches the pupil (their school, officers, EPs with consent to EP involvement) sees the referrals.
CREATE POLICY ehcp_referrals_read ON ehcp_referrals FOR SELECT TO clusterfund_app
    USING (EXISTS (SELECT 1 FROM pupils p WHERE p.id = pupil_id));
-- The SENCo records a request the school made; officers record any, and every decision and date after it.
CREATE POLICY ehcp_referrals_record ON ehcp_referrals FOR INSERT TO clusterfund_app
    WITH CHECK (created_by = (SELECT app_user_id())
                AND ((SELECT app_is_officer())
                     OR (requested_by = 'school' AND school_id = ANY ((SELECT app_senco_school_ids())::uuid[])
                         AND school_id = (SELECT p.school_id FROM pupils p WHERE p.id = pupil_id))));
CREATE POLICY ehcp_referrals_officer_update ON ehcp_referrals FOR UPDATE TO clusterfund_app
    USING ((SELECT app_is_officer())) WITH CHECK ((SELECT app_is_officer()));

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['pupil_consents', 'pupil_consent_states', 'ehcp_referrals'] LOOP
        EXECUTE format('CREATE POLICY %I ON %I TO %I USING (true) WITH CHECK (true)', t || '_owner', t,
                       (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = t::regclass));
    END LOOP;
END
$$;

-- The pseudonymised view of pupils, for those who may know of a pupil but not who they are: other schools' staff of
-- the pupil's cluster, and the cluster's EPs. It returns initials, year group and areas of need, and nothing else;
-- where consent to share with the panel is not in force, not even that: only the reason it is withheld. Only pupils
-- of schools the caller can see (their cluster's) are answered; others are left out, as if absent.
CREATE FUNCTION pupil_pseudonyms(p_ids uuid[])
RETURNS TABLE (pupil_id uuid, withheld text, initials text, year_group integer, primary_need text, secondary_need text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT p.id,
           CASE WHEN c.in_force THEN NULL WHEN c.pupil_id IS NULL THEN 'no_consent' ELSE 'consent_withdrawn' END,
           CASE WHEN c.in_force THEN upper(left(btrim(p.given_names), 1)) || upper(left(btrim(p.family_name), 1)) END,
           CASE WHEN c.in_force THEN p.year_group END,
           CASE WHEN c.in_force THEN p.primary_need END,
           CASE WHEN c.in_force THEN p.secondary_need END
    FROM pupils p
    LEFT JOIN pupil_consent_states c ON c.pupil_id = p.id AND c.purpose = 'panel_sharing'
    WHERE p.id = ANY (p_ids) AND p.school_id = ANY (app_visible_school_ids());
END
$$;
REVOKE ALL ON FUNCTION pupil_pseudonyms(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pupil_pseudonyms(uuid[]) TO clusterfund_app;
