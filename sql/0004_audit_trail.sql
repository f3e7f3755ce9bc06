-- The audit trail: append-only and hash-chained. Each event stores the SHA-256 of its canonical content and the
-- previous event's hash, so an edited, removed or reordered event breaks the chain at that point, and
-- `clusterfund audit-verify` names it.

CREATE TABLE audit_events (
    seq bigint PRIMARY KEY,
    occurred_at timestamptz NOT NULL,
    actor_user_id uuid,
    action text NOT NULL CONSTRAINT audit_events_action_present CHECK (length(action) > 0),
    entity_type text NOT NULL,
    entity_id text,
    request_id text,
    client_address text,
    before jsonb,
    after jsonb,
    prev_hash text NOT NULL,
    hash text NOT NULL
);
CREATE INDEX audit_events_actor ON audit_events (actor_user_id, seq);
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, seq);
CREATE INDEX audit_events_time ON audit_events (occurred_at);

-- The head of the chain: one row whose lock orders concurrent appends (the row lock is held until commit,
-- so the chain order is the commit order of the events' transactions).
CREATE TABLE audit_chain_head (
    singleton boolean PRIMARY KEY DEFAULT true CONSTRAINT audit_chain_head_one_row CHECK (singleton),
    seq bigint NOT NULL,
    hash text NOT NULL
);
INSERT INTO audit_chain_head VALUES (true, 0, repeat('0', 64));

-- The canonical content of an event is a JSON array of its fields in a fixed order, instants in UTC to the
-- microsecond; PostgreSQL's jsonb text is deterministic, so the same event always hashes the same.
CREATE FUNCTION audit_event_hash(
    p_seq bigint, p_occurred_at timestamptz, p_actor uuid, p_action text, p_entity_type text, p_entity_id text,
    p_request_id text, p_client_address text, p_before jsonb, p_after jsonb, p_prev_hash text
) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(jsonb_build_array(
        p_seq, to_char(p_occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), p_actor, p_action,
        p_entity_type, p_entity_id, p_request_id, p_client_address, p_before, p_after, p_prev_hash)::text, 'UTF8')), 'hex')
$$;

CREATE FUNCTION audit_events_append() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    head audit_chain_head%ROWTYPE;
BEGIN
    SELECT * INTO head FROM audit_chain_head WHERE singleton FOR UPDATE;
    NEW.seq := head.seq + 1;
    NEW.prev_hash := head.hash;
    NEW.occurred_at := clock_timestamp();
    NEW.hash := audit_event_hash(NEW.seq, NEW.occurred_at, NEW.actor_user_id, NEW.action, NEW.entity_type, NEW.entity_id,
        NEW.request_id, NEW.client_address, NEW.before, NEW.after, NEW.prev_hash);
    UPDATE audit_chain_head SET seq = NEW.seq, hash = NEW.hash WHERE singleton;
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_events_append BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append();

CREATE FUNCTION audit_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();

-- The first event whose stored hash or link disagrees with its content, or no row when the chain is whole.
-- Events cut from the end show as a head that is ahead of the last event.
CREATE FUNCTION audit_first_broken_link() RETURNS TABLE (seq bigint, reason text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT checked.seq, checked.reason FROM (
        SELECT e.seq, CASE
            WHEN e.seq <> coalesce(lag(e.seq) OVER w, 0) + 1 THEN 'an event before this one is missing'
            WHEN e.prev_hash <> coalesce(lag(e.hash) OVER w, repeat('0', 64)) THEN 'its link to the previous event is broken'
            WHEN e.hash <> audit_event_hash(e.seq, e.occurred_at, e.actor_user_id, e.action, e.entity_type, e.entity_id,
                e.request_id, e.client_address, e.before, e.after, e.prev_hash) THEN 'its content does not match its hash'
            END AS reason
        FROM audit_events e
        WINDOW w AS (ORDER BY e.seq)
        UNION ALL
        SELECT h.seq, 'the chain head records events after the last one present'
        FROM audit_chain_head h WHERE h.seq > coalesce((SELECT max(a.seq) FROM audit_events a), 0)
    ) AS checked
    WHERE checked.reason IS NOT NULL
    ORDER BY checked.seq
    LIMIT 1
$$;

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
-- Anyone may append, as themselves (or as nobody, before sign-in); only officers read the trail.
CREATE POLICY audit_events_append_as_self ON audit_events FOR INSERT
    WITH CHECK (app_unrestricted() OR actor_user_id IS NOT DISTINCT FROM app_user_id());
CREATE POLICY audit_events_officer_read ON audit_events FOR SELECT USING (app_unrestricted() OR (SELECT app_is_officer()));

GRANT SELECT, INSERT ON audit_events TO clusterfund_app;
GRANT EXECUTE ON FUNCTION audit_first_broken_link() TO clusterfund_app;

-- How many events the chain holds, for audit-verify's report (the app role cannot read the head table itself).
CREATE FUNCTION audit_chain_head_seq() RETURNS TABLE (seq bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$ SELECT seq FROM audit_chain_head $$;
