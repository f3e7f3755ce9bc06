-- Schools as the council knows them: their type, multi-academy trust and whether they are open, and their figures
-- per January census, kept as each census was so that a past year's budget can always be recomputed.

-- Multi-academy trusts by their DfE code (GIAS "Trusts (code)"). Conflicts of interest follow trusts, so a trust is a
-- record of its own, not a name on each school.
CREATE TABLE trusts (
    code text PRIMARY KEY CONSTRAINT trusts_code_format CHECK (code ~ '^[0-9]{1,10}$'),
    name text NOT NULL CONSTRAINT trusts_name_present CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE schools
    ADD COLUMN type text NOT NULL DEFAULT 'maintained'
        CONSTRAINT schools_type_known CHECK (type IN ('maintained', 'academy', 'free', 'independent', 'other')),
    ADD COLUMN trust_code text REFERENCES trusts (code),
    ADD COLUMN status text NOT NULL DEFAULT 'open' CONSTRAINT schools_status_known CHECK (status IN ('open', 'closed')),
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE schools ADD CONSTRAINT schools_name_length CHECK (length(name) <= 200);
CREATE INDEX schools_trust ON schools (trust_code);
CREATE INDEX schools_name ON schools (lower(name));

-- One row per school and January census (2026 is the census of January 2026). A figure is NULL until an import or an
-- officer records it: GIAS gives the roll and free school meals, the DfE's SEN statistics the SEN support and EHCPs.
CREATE TABLE school_census_figures (
    school_id uuid NOT NULL REFERENCES schools (id),
    census_year integer NOT NULL CONSTRAINT school_census_year_range CHECK (census_year BETWEEN 2000 AND 2100),
    on_roll integer CONSTRAINT school_census_on_roll CHECK (on_roll BETWEEN 0 AND 100000),
    sen_support integer CONSTRAINT school_census_sen_support CHECK (sen_support BETWEEN 0 AND 100000),
    ehcp integer CONSTRAINT school_census_ehcp CHECK (ehcp BETWEEN 0 AND 100000),
    fsm integer CONSTRAINT school_census_fsm CHECK (fsm BETWEEN 0 AND 100000),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, census_year)
);
CREATE INDEX school_census_figures_year ON school_census_figures (census_year);

GRANT SELECT, INSERT, UPDATE ON trusts, school_census_figures TO clusterfund_app;

-- Trust names are public information (GIAS publishes them) and every signed-in user may see them; officers write.
ALTER TABLE trusts ENABLE ROW LEVEL SECURITY;
ALTER TABLE trusts FORCE ROW LEVEL SECURITY;
CREATE POLICY trusts_read ON trusts FOR SELECT TO clusterfund_app USING ((SELECT app_user_id()) IS NOT NULL);
CREATE POLICY trusts_officer_insert ON trusts FOR INSERT TO clusterfund_app WITH CHECK ((SELECT app_is_officer()));
CREATE POLICY trusts_officer_update ON trusts FOR UPDATE TO clusterfund_app
    USING ((SELECT app_is_officer())) WITH CHECK ((SELECT app_is_officer()));

-- A school's figures are seen by whoever sees the school; officers write them.
ALTER TABLE school_census_figures ENABLE ROW LEVEL SECURITY;
ALTER TABLE school_census_figures FORCE ROW LEVEL SECURITY;
CREATE POLICY school_census_figures_read ON school_census_figures FOR SELECT TO clusterfund_app
    USING (school_id = ANY ((SELECT app_visible_school_ids())::uuid[]));
CREATE POLICY school_census_figures_officer_insert ON school_census_figures FOR INSERT TO clusterfund_app
    WITH CHECK ((SELECT app_is_officer()));
CREATE POLICY school_census_figures_officer_update ON school_census_figures FOR UPDATE TO clusterfund_app
    USING ((SELECT app_is_officer())) WITH CHECK ((SELECT app_is_officer()));

-- The owner (demo data, set-up commands) on the tables FORCE binds it to, as sql/0009 does for the others.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['trusts', 'school_census_figures'] LOOP
        EXECUTE format('CREATE POLICY %I ON %I TO %I USING (true) WITH CHECK (true)', t || '_owner', t,
                       (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = t::regclass));
    END LOOP;
END
$$;
