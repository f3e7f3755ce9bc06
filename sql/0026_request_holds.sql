-- When a request was held and when the hold was lifted (DOMAIN.md, "Requests": removing the pupil or consent given
-- again lifts the hold, "and both are recorded"). Whether a request is held now is still computed when asked
-- (funding_request_hold); this table is the record of its holds, kept by deferred triggers that run at commit on
-- every change that can start or end one: a pupil named or removed, consent recorded, a pupil moving school, a
-- partner joining or leaving, the request withdrawn. Deferred, so a change made in several statements (the pupils
-- replaced) is judged once, on its final state.
CREATE TABLE funding_request_holds (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id uuid NOT NULL REFERENCES funding_requests (id),
    reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    began_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Whose change started or ended it (NULL: a command, such as the demo loader).
    began_by uuid REFERENCES users (id),
    ended_at timestamptz,
    ended_by uuid REFERENCES users (id),
    CHECK (ended_at IS NULL OR ended_at >= began_at)
);
CREATE UNIQUE INDEX funding_request_holds_open ON funding_request_holds (request_id) WHERE ended_at IS NULL;

GRANT SELECT ON funding_request_holds TO clusterfund_app;
ALTER TABLE funding_request_holds ENABLE ROW LEVEL SECURITY;
ALTER TABLE funding_request_holds FORCE ROW LEVEL SECURITY;
CREATE POLICY funding_request_holds_read ON funding_request_holds FOR SELECT TO clusterfund_app
    USING (request_id = ANY ((SELECT app_request_ids())::uuid[]));
DO $$
BEGIN
    EXECUTE format('CREATE POLICY funding_request_holds_owner ON funding_request_holds TO %I USING (true) WITH CHECK (true)',
                   (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'funding_request_holds'::regclass));
END
$$;

-- Why a request is held, if it is: the one place the rule lives. Not granted to the application: it answers for any
-- request; funding_request_hold answers only for the requests the caller reaches.
CREATE FUNCTION funding_request_hold_reason(p_request uuid) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
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
REVOKE ALL ON FUNCTION funding_request_hold_reason(uuid) FROM PUBLIC;

CREATE OR REPLACE FUNCTION funding_request_hold(p_request uuid) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT (p_request = ANY (app_request_ids())) THEN
        RETURN NULL;
    END IF;
    RETURN funding_request_hold_reason(p_request);
END
$$;

-- Brings a request's open hold in line with what holds it now: closes it if lifted or changed, opens one if held.
CREATE FUNCTION funding_request_hold_sync(p_request uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    reason text;
    open_id bigint;
    open_reason text;
BEGIN
    IF (SELECT state FROM funding_requests WHERE id = p_request) IS DISTINCT FROM 'withdrawn' THEN
        reason := funding_request_hold_reason(p_request);
    END IF;
    SELECT id, h.reason INTO open_id, open_reason FROM funding_request_holds h WHERE request_id = p_request AND ended_at IS NULL FOR UPDATE;
    IF open_reason IS NOT DISTINCT FROM reason THEN
        RETURN;
    END IF;
    IF open_id IS NOT NULL THEN
        UPDATE funding_request_holds SET ended_at = clock_timestamp(), ended_by = app_user_id() WHERE id = open_id;
    END IF;
    IF reason IS NOT NULL THEN
        INSERT INTO funding_request_holds (request_id, reason, began_by) VALUES (p_request, reason, app_user_id());
    END IF;
END
$$;
REVOKE ALL ON FUNCTION funding_request_hold_sync(uuid) FROM PUBLIC;

-- The requests a changed row bears on, each brought in line.
CREATE FUNCTION funding_request_holds_follow() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    requests uuid[];
    request uuid;
BEGIN
    IF TG_TABLE_NAME IN ('funding_request_pupils', 'funding_request_partners') AND TG_OP = 'DELETE' THEN
        requests := ARRAY[OLD.request_id];
    ELSIF TG_TABLE_NAME IN ('funding_request_pupils', 'funding_request_partners') THEN
        requests := ARRAY[NEW.request_id];
    ELSIF TG_TABLE_NAME = 'funding_requests' THEN
        requests := ARRAY[NEW.id];
    ELSIF TG_TABLE_NAME = 'pupil_consent_states' THEN
        requests := ARRAY(SELECT rp.request_id FROM funding_request_pupils rp WHERE rp.pupil_id = NEW.pupil_id);
    ELSIF TG_TABLE_NAME = 'pupils' THEN
        requests := ARRAY(SELECT rp.request_id FROM funding_request_pupils rp WHERE rp.pupil_id = NEW.id);
    END IF;
    FOREACH request IN ARRAY coalesce(requests, '{}') LOOP
        IF EXISTS (SELECT 1 FROM funding_requests r WHERE r.id = request) THEN
            PERFORM funding_request_hold_sync(request);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION funding_request_holds_follow() FROM PUBLIC;

CREATE CONSTRAINT TRIGGER funding_request_holds_pupils AFTER INSERT OR DELETE ON funding_request_pupils
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION funding_request_holds_follow();
CREATE CONSTRAINT TRIGGER funding_request_holds_partners AFTER INSERT OR DELETE ON funding_request_partners
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION funding_request_holds_follow();
CREATE CONSTRAINT TRIGGER funding_request_holds_state AFTER UPDATE OF state ON funding_requests
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION funding_request_holds_follow();
CREATE CONSTRAINT TRIGGER funding_request_holds_consent AFTER INSERT OR UPDATE ON pupil_consent_states
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION funding_request_holds_follow();
CREATE CONSTRAINT TRIGGER funding_request_holds_school AFTER UPDATE OF school_id ON pupils
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION funding_request_holds_follow();
