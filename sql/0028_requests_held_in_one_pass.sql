-- The holds of many requests at once. funding_request_hold(id) checks the caller's reach (app_request_ids()) on every
-- call, so a list of fifty requests worked out the caller's whole reach fifty times (bench/run: the requests list
-- ran at 0.022 of /health, its SQL alone at 906 transactions/s). This works out the reach once, and the reason of each
-- request with funding_request_hold_reason, the one place the rule lives. p_only limits it to some requests (a page);
-- NULL means every request the caller reaches. Withdrawn requests are never held.
CREATE FUNCTION funding_requests_held(p_only uuid[]) RETURNS TABLE (request_id uuid, reason text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT x.id, x.reason
    FROM (SELECT r.id, funding_request_hold_reason(r.id) AS reason FROM funding_requests r
          WHERE r.id IN (SELECT unnest(app_request_ids())) AND r.state <> 'withdrawn'
            AND (p_only IS NULL OR r.id = ANY (p_only))) x
    WHERE x.reason IS NOT NULL
$$;
REVOKE ALL ON FUNCTION funding_requests_held(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION funding_requests_held(uuid[]) TO clusterfund_app;
