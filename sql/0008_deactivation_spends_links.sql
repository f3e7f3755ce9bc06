-- Deactivating a user must withdraw every way back in, not only their sessions: unused set-password links and
-- unfinished second-factor challenges are spent too, so reactivating the user brings none of them back (a link
-- sent to the wrong mailbox, say, which may be why the user was deactivated).
CREATE FUNCTION admin_revoke_access(p_user uuid, p_now timestamptz)
RETURNS TABLE (sessions integer, password_links integer, challenges integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT app_is_officer() THEN
        RAISE EXCEPTION 'only officers end other users'' access' USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE sessions s SET revoked_at = p_now WHERE s.user_id = p_user AND s.revoked_at IS NULL;
    GET DIAGNOSTICS sessions = ROW_COUNT;
    UPDATE password_tokens t SET used_at = p_now WHERE t.user_id = p_user AND t.used_at IS NULL;
    GET DIAGNOSTICS password_links = ROW_COUNT;
    UPDATE sign_in_challenges c SET used_at = p_now WHERE c.user_id = p_user AND c.used_at IS NULL;
    GET DIAGNOSTICS challenges = ROW_COUNT;
    RETURN NEXT;
END
$$;

REVOKE EXECUTE ON FUNCTION admin_revoke_access(uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION admin_revoke_access(uuid, timestamptz) TO clusterfund_app;

-- Superseded by admin_revoke_access.
DROP FUNCTION admin_revoke_sessions(uuid, timestamptz);
