-- How many requests a school leads on each meeting, for the council's cap per school per meeting. Placement may be
-- done by a partner school's headteacher (the last endorsement), who does not reach the lead school's other requests
-- under row-level security; this function counts them without showing them, and only for someone who reaches at
-- least one request of that school (or an officer).
CREATE FUNCTION funding_request_counts(p_school uuid) RETURNS TABLE (meeting_id uuid, requests integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT (app_is_officer() OR EXISTS (SELECT 1 FROM funding_requests r WHERE r.lead_school_id = p_school AND r.id = ANY (app_request_ids()))) THEN
        RAISE EXCEPTION 'no such school' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY
    SELECT r.meeting_id, count(*)::integer FROM funding_requests r
    WHERE r.lead_school_id = p_school AND r.meeting_id IS NOT NULL AND r.state IN ('scheduled', 'nominated')
    GROUP BY r.meeting_id;
END
$$;
REVOKE ALL ON FUNCTION funding_request_counts(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION funding_request_counts(uuid) TO clusterfund_app;
