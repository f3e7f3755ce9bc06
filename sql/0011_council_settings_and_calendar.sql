-- The council's own rules as data (officers change them on the settings page and PATCH /api/v1/council-settings),
-- the academic years' term dates and the council's closure days. Council-wide, not school-scoped: every signed-in
-- user reads them; only officers change them. The server reads them through clusterfund_app like everything else.

ALTER TABLE council_settings
    ADD COLUMN la_code text CONSTRAINT council_settings_la_code_format CHECK (la_code ~ '^[0-9]{3}$'),
    -- Exactly one of the two cut-off forms: calendar days before the meeting, or an ISO weekday (1 Monday .. 7 Sunday)
    -- of the week before it.
    ADD COLUMN cut_off_days_before integer DEFAULT 7 CONSTRAINT council_settings_cut_off_days CHECK (cut_off_days_before BETWEEN 0 AND 60),
    ADD COLUMN cut_off_weekday_before smallint CONSTRAINT council_settings_cut_off_weekday CHECK (cut_off_weekday_before BETWEEN 1 AND 7),
    ADD COLUMN request_cap_per_school_per_meeting integer
        CONSTRAINT council_settings_request_cap CHECK (request_cap_per_school_per_meeting BETWEEN 1 AND 50),
    ADD COLUMN individual_threshold_pence bigint NOT NULL DEFAULT 600000
        CONSTRAINT council_settings_individual_threshold CHECK (individual_threshold_pence BETWEEN 1 AND 1000000000),
    ADD COLUMN longest_funding_terms integer NOT NULL DEFAULT 3
        CONSTRAINT council_settings_longest_funding_terms CHECK (longest_funding_terms BETWEEN 1 AND 9),
    ADD COLUMN default_reserve_percent integer NOT NULL DEFAULT 10
        CONSTRAINT council_settings_default_reserve CHECK (default_reserve_percent BETWEEN 0 AND 50),
    ADD COLUMN decision_notice_working_days integer NOT NULL DEFAULT 7
        CONSTRAINT council_settings_decision_notice CHECK (decision_notice_working_days BETWEEN 1 AND 60),
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE council_settings ADD CONSTRAINT council_settings_one_cut_off
    CHECK ((cut_off_days_before IS NULL) <> (cut_off_weekday_before IS NULL));

-- Officers change the settings; the table is one row, so there is no insert or delete for anyone.
GRANT UPDATE (la_code, cut_off_days_before, cut_off_weekday_before, request_cap_per_school_per_meeting,
              individual_threshold_pence, longest_funding_terms, default_reserve_percent, decision_notice_working_days,
              second_factor_for_everyone, updated_at) ON council_settings TO clusterfund_app;
ALTER TABLE council_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY council_settings_read ON council_settings FOR SELECT TO clusterfund_app USING (true);
CREATE POLICY council_settings_officer_update ON council_settings FOR UPDATE TO clusterfund_app
    USING ((SELECT app_is_officer())) WITH CHECK ((SELECT app_is_officer()));

-- Term dates an officer sets for each academic year (named by the year it starts: 2026 is 2026/27).
CREATE TABLE term_dates (
    academic_year integer NOT NULL CONSTRAINT term_dates_year_range CHECK (academic_year BETWEEN 2000 AND 2100),
    term text NOT NULL CONSTRAINT term_dates_term_known CHECK (term IN ('autumn', 'spring', 'summer')),
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (academic_year, term),
    CONSTRAINT term_dates_order CHECK (starts_on < ends_on),
    CONSTRAINT term_dates_within_year CHECK (
        starts_on >= make_date(academic_year, 9, 1) AND ends_on <= make_date(academic_year + 1, 8, 31))
);

-- Days the council's schools are closed besides weekends and bank holidays (a local holiday, an extra INSET day):
-- working-day counts skip them and the meeting schedule avoids them.
CREATE TABLE closure_days (
    day date PRIMARY KEY,
    reason text NOT NULL CONSTRAINT closure_days_reason_present CHECK (length(btrim(reason)) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT, INSERT, UPDATE ON term_dates TO clusterfund_app;
GRANT SELECT, INSERT, DELETE ON closure_days TO clusterfund_app;
ALTER TABLE term_dates ENABLE ROW LEVEL SECURITY;
ALTER TABLE closure_days ENABLE ROW LEVEL SECURITY;
CREATE POLICY term_dates_read ON term_dates FOR SELECT TO clusterfund_app USING (true);
CREATE POLICY term_dates_officer_insert ON term_dates FOR INSERT TO clusterfund_app WITH CHECK ((SELECT app_is_officer()));
CREATE POLICY term_dates_officer_update ON term_dates FOR UPDATE TO clusterfund_app
    USING ((SELECT app_is_officer())) WITH CHECK ((SELECT app_is_officer()));
CREATE POLICY closure_days_read ON closure_days FOR SELECT TO clusterfund_app USING (true);
CREATE POLICY closure_days_officer_insert ON closure_days FOR INSERT TO clusterfund_app WITH CHECK ((SELECT app_is_officer()));
CREATE POLICY closure_days_officer_delete ON closure_days FOR DELETE TO clusterfund_app USING ((SELECT app_is_officer()));
