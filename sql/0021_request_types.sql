-- The types of request (DOMAIN.md, "Requests") as data: each row carries the rules the code reads (how many pupils,
-- a cohort instead, costed or not, decided at a meeting or by the emergency route, how it is paid, whether the
-- per-pupil threshold applies), so a council adds a type, or bounds the size of a group, without a release.
CREATE TABLE request_types (
    code text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    name text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    min_pupils integer NOT NULL CHECK (min_pupils BETWEEN 0 AND 100),
    -- NULL: no bound (a council may set one, as Southwark bounds groups at 5).
    max_pupils integer CHECK (max_pupils IS NULL OR max_pupils BETWEEN min_pupils AND 100),
    describes_cohort boolean NOT NULL,
    is_costed boolean NOT NULL,
    route text NOT NULL CHECK (route IN ('meeting', 'emergency')),
    payment text NOT NULL CHECK (payment IN ('instalments', 'lump_sum', 'none')),
    applies_threshold boolean NOT NULL,
    sort_order integer NOT NULL,
    active boolean NOT NULL DEFAULT true,
    CHECK (NOT describes_cohort OR max_pupils = 0),
    CHECK (is_costed = (payment <> 'none')),
    CHECK (NOT applies_threshold OR is_costed)
);

INSERT INTO request_types (code, name, min_pupils, max_pupils, describes_cohort, is_costed, route, payment, applies_threshold, sort_order) VALUES
    ('discussion', 'Solution-focused discussion', 0, 1, false, false, 'meeting', 'none', false, 1),
    ('individual', 'Individual', 1, 1, false, true, 'meeting', 'instalments', true, 2),
    ('group', 'Group', 2, NULL, false, true, 'meeting', 'instalments', false, 3),
    ('project', 'Project', 0, 0, true, true, 'meeting', 'lump_sum', false, 4),
    ('emergency', 'Emergency', 1, NULL, false, true, 'emergency', 'instalments', false, 5);

GRANT SELECT ON request_types TO clusterfund_app;
ALTER TABLE request_types ENABLE ROW LEVEL SECURITY;
ALTER TABLE request_types FORCE ROW LEVEL SECURITY;
-- Everyone signed in reads the types (they are the council's published rules); only the owner writes them.
CREATE POLICY request_types_read ON request_types FOR SELECT TO clusterfund_app USING (true);
DO $$
BEGIN
    EXECUTE format('CREATE POLICY request_types_owner ON request_types TO %I USING (true) WITH CHECK (true)',
                   (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'request_types'::regclass));
END
$$;
