-- Anchors for the audit chain. The chain's hashes are unkeyed: an owner who rewrites an event and recomputes every
-- later hash leaves a chain that checks out. An anchor is a (seq, hash) pair recorded outside the database, as
-- audit-verify prints it; while the event at seq still carries that hash, nothing up to it has been rewritten.

-- The head of the chain: its last event's number and hash (the app role cannot read the head table itself).
CREATE FUNCTION audit_chain_head_hash() RETURNS TABLE (seq bigint, hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$ SELECT seq, hash FROM audit_chain_head $$;

-- The stored hash of one event, or no row when that event is missing.
CREATE FUNCTION audit_event_hash_at(p_seq bigint) RETURNS TABLE (hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT e.hash FROM audit_events e WHERE e.seq = p_seq
$$;

REVOKE EXECUTE ON FUNCTION audit_chain_head_hash(), audit_event_hash_at(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_chain_head_hash(), audit_event_hash_at(bigint) TO clusterfund_app;
