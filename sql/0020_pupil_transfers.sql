-- A pupil moving school (DOMAIN.md, "Pupils and consent"). The UPN identifies a pupil across schools, but row-level
-- security keeps a SENCo from seeing another school's pupils, so the new school asks through one SECURITY DEFINER
-- function: when the UPN and date of birth both match a pupil of another school, it records a transfer that the old
-- school's SENCo or an officer confirms. Neither is secret, so a match alone moves nothing and shows nothing: until the
-- transfer is confirmed the new school sees only that it asked. Any miss gets the same answer (NULL) as any other.
CREATE TABLE pupil_transfers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pupil_id uuid NOT NULL REFERENCES pupils (id),
    from_school_id uuid NOT NULL REFERENCES schools (id),
    to_school_id uuid NOT NULL REFERENCES schools (id),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'refused')),
    requested_by uuid NOT NULL REFERENCES users (id),
    requested_at timestamptz NOT NULL DEFAULT now(),
    decided_by uuid REFERENCES users (id),
    decided_at timestamptz,
    -- The day the pupil came onto the new school's roll (the old enrolment ends the day before).
    moved_on date,
    CHECK (from_school_id <> to_school_id),
    CHECK ((status = 'pending') = (decided_by IS NULL) AND (decided_by IS NULL) = (decided_at IS NULL)),
    CHECK ((status = 'confirmed') = (moved_on IS NOT NULL))
);
CREATE UNIQUE INDEX pupil_transfers_one_pending ON pupil_transfers (pupil_id) WHERE status = 'pending';
CREATE INDEX pupil_transfers_from ON pupil_transfers (from_school_id, requested_at DESC);
CREATE INDEX pupil_transfers_to ON pupil_transfers (to_school_id, requested_at DESC);

GRANT SELECT ON pupil_transfers TO clusterfund_app;
ALTER TABLE pupil_transfers ENABLE ROW LEVEL SECURITY;
ALTER TABLE pupil_transfers FORCE ROW LEVEL SECURITY;
-- Officers see every move; the staff of both schools see the moves between them (the new school learns the pupil's id
-- only, which opens nothing until the move is confirmed). Written only by the functions below.
CREATE POLICY pupil_transfers_read ON pupil_transfers FOR SELECT TO clusterfund_app
    USING ((SELECT app_is_officer()) OR from_school_id = ANY ((SELECT app_own_school_ids())::uuid[])
           OR to_school_id = ANY ((SELECT app_own_school_ids())::uuid[]));
DO $$
BEGIN
    EXECUTE format('CREATE POLICY pupil_transfers_owner ON pupil_transfers TO %I USING (true) WITH CHECK (true)',
                   (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'pupil_transfers'::regclass));
END
$$;

-- The old school keeps its own records of the pupil up to the move: the consent it recorded and the referrals made
-- while the pupil was there stay readable to it after the pupil has gone (the pupil's record itself does not).
DROP POLICY ehcp_referrals_read ON ehcp_referrals;
CREATE POLICY ehcp_referrals_read ON ehcp_referrals FOR SELECT TO clusterfund_app
    USING (EXISTS (SELECT 1 FROM pupils p WHERE p.id = pupil_id) OR school_id = ANY ((SELECT app_own_school_ids())::uuid[]));
DROP POLICY pupil_consents_read ON pupil_consents;
CREATE POLICY pupil_consents_read ON pupil_consents FOR SELECT TO clusterfund_app
    USING ((SELECT app_is_officer()) OR school_id = ANY ((SELECT app_own_school_ids())::uuid[])
           OR pupil_id IN (SELECT p.id FROM pupils p WHERE p.school_id = ANY ((SELECT app_own_school_ids())::uuid[])));

-- Asks to move the pupil with this UPN and date of birth to p_to_school, whose SENCo the caller must be. Returns the
-- transfer's id, or NULL when no pupil of another school matches both (or one is already waiting to move): the caller
-- learns nothing more from a miss than from a mistake.
CREATE FUNCTION pupil_transfer_request(p_upn text, p_date_of_birth date, p_to_school uuid) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_pupil pupils%ROWTYPE;
    transfer uuid;
BEGIN
    IF NOT (p_to_school = ANY (app_senco_school_ids())) THEN
        RAISE EXCEPTION 'only the SENCo of the school the pupil joins asks for a transfer' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO v_pupil FROM pupils WHERE upn = upper(btrim(p_upn)) AND date_of_birth = p_date_of_birth FOR UPDATE;
    IF NOT FOUND OR v_pupil.school_id = p_to_school
       OR EXISTS (SELECT 1 FROM pupil_transfers WHERE pupil_id = v_pupil.id AND status = 'pending') THEN
        RETURN NULL;
    END IF;
    INSERT INTO pupil_transfers (pupil_id, from_school_id, to_school_id, requested_by)
    VALUES (v_pupil.id, v_pupil.school_id, p_to_school, app_user_id())
    RETURNING id INTO transfer;
    RETURN transfer;
END
$$;
REVOKE ALL ON FUNCTION pupil_transfer_request(text, date, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pupil_transfer_request(text, date, uuid) TO clusterfund_app;

-- Confirms (moving the pupil on p_moved_on: the old enrolment ends the day before, the new one starts) or refuses a
-- pending transfer. Only the old school's SENCo or an officer decides; anyone else, or a transfer already decided, is
-- refused. Returns the pupil's id.
CREATE FUNCTION pupil_transfer_decide(p_transfer uuid, p_confirm boolean, p_moved_on date) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t pupil_transfers%ROWTYPE;
    v_moved_on date;
BEGIN
    SELECT * INTO t FROM pupil_transfers WHERE id = p_transfer FOR UPDATE;
    IF NOT FOUND OR NOT (app_is_officer() OR t.from_school_id = ANY (app_own_school_ids()) OR t.to_school_id = ANY (app_own_school_ids())) THEN
        RAISE EXCEPTION 'no such transfer' USING ERRCODE = 'no_data_found';
    END IF;
    IF NOT (app_is_officer() OR t.from_school_id = ANY (app_senco_school_ids())) THEN
        RAISE EXCEPTION 'only the SENCo of the pupil''s school or an officer decides a transfer' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF t.status <> 'pending' THEN
        RAISE EXCEPTION 'this transfer was already decided' USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF p_confirm THEN
        -- Each school keeps at least a day on the roll, so no enrolment is overwritten by a move on its first day.
        v_moved_on := greatest(p_moved_on, (SELECT e.from_on + 1 FROM pupil_enrolments e WHERE e.pupil_id = t.pupil_id AND e.to_on IS NULL));
        UPDATE pupil_enrolments SET to_on = v_moved_on - 1 WHERE pupil_id = t.pupil_id AND to_on IS NULL;
        INSERT INTO pupil_enrolments (pupil_id, school_id, from_on) VALUES (t.pupil_id, t.to_school_id, v_moved_on);
        UPDATE pupils SET school_id = t.to_school_id, updated_at = now() WHERE id = t.pupil_id;
        UPDATE pupil_transfers SET status = 'confirmed', decided_by = app_user_id(), decided_at = now(), moved_on = v_moved_on WHERE id = t.id;
    ELSE
        UPDATE pupil_transfers SET status = 'refused', decided_by = app_user_id(), decided_at = now() WHERE id = t.id;
    END IF;
    RETURN t.pupil_id;
END
$$;
REVOKE ALL ON FUNCTION pupil_transfer_decide(uuid, boolean, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pupil_transfer_decide(uuid, boolean, date) TO clusterfund_app;
