-- A request's supporting documents, as references only (DOMAIN.md, "Requests": attachments as references; no file
-- storage): a title, the document's date, and where the school keeps it. Replaced with the draft, like its lines.
CREATE TABLE funding_request_documents (
    request_id uuid NOT NULL REFERENCES funding_requests (id),
    position integer NOT NULL CHECK (position BETWEEN 0 AND 19),
    title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    dated_on date,
    kept_at text NOT NULL CHECK (length(btrim(kept_at)) BETWEEN 1 AND 500),
    PRIMARY KEY (request_id, position)
);
GRANT SELECT, INSERT, DELETE ON funding_request_documents TO clusterfund_app;
ALTER TABLE funding_request_documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE funding_request_documents FORCE ROW LEVEL SECURITY;
CREATE POLICY funding_request_documents_reach ON funding_request_documents TO clusterfund_app
    USING (request_id = ANY ((SELECT app_request_ids())::uuid[])) WITH CHECK (request_id = ANY ((SELECT app_request_ids())::uuid[]));
DO $$
BEGIN
    EXECUTE format('CREATE POLICY funding_request_documents_owner ON funding_request_documents TO %I USING (true) WITH CHECK (true)',
                   (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'funding_request_documents'::regclass));
END
$$;
