-- Hardening after review.

-- Deactivating a user must end their sessions. Officers have no read policy on other users' sessions (they hold
-- token hashes and addresses), so an UPDATE by an officer matched no rows; revoke through a function that checks the
-- caller is an officer and touches nothing else.
DROP POLICY sessions_officer_revoke ON sessions;
CREATE FUNCTION admin_revoke_sessions(p_user uuid, p_now timestamptz) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    revoked integer;
BEGIN
    IF NOT app_is_officer() THEN
        RAISE EXCEPTION 'only officers end other users'' sessions' USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE sessions SET revoked_at = p_now WHERE user_id = p_user AND revoked_at IS NULL;
    GET DIAGNOSTICS revoked = ROW_COUNT;
    RETURN revoked;
END
$$;

-- Before the password is checked, return only what checking it needs: no TOTP secret.
DROP FUNCTION auth_user_by_email(text);
CREATE FUNCTION auth_user_by_email(p_email text) RETURNS TABLE (id uuid, password_hash text, active boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT id, password_hash, active FROM users WHERE lower(email) = lower(p_email)
$$;

-- Functions run for the server's role only, not for every role that can connect.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO clusterfund_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- Sign-in attempts are now written before the password or code is checked (and marked succeeded after), so
-- parallel guesses are counted; look them up by id.
GRANT UPDATE (succeeded) ON sign_in_attempts TO clusterfund_app;
