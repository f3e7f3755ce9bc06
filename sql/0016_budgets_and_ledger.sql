-- Each funding year's budget: the cluster-funding total, the formula's weights and the reserve share. Funding year Y
-- (1 April Y to 31 March Y+1) reads the January census of Y and the memberships of academic year Y-1, which are in
-- force on 1 April Y. Until an officer confirms it, the budget is a draft they may change; confirming writes the
-- ledger, and after that only adjustments change what a cluster has.
CREATE TABLE budgets (
    funding_year integer PRIMARY KEY CHECK (funding_year BETWEEN 2000 AND 2100),
    total_pence bigint NOT NULL CHECK (total_pence BETWEEN 0 AND 100000000000),
    weight_on_roll integer NOT NULL CHECK (weight_on_roll BETWEEN 0 AND 100),
    weight_sen_support integer NOT NULL CHECK (weight_sen_support BETWEEN 0 AND 100),
    weight_fsm integer NOT NULL CHECK (weight_fsm BETWEEN 0 AND 100),
    reserve_percent integer NOT NULL CHECK (reserve_percent BETWEEN 0 AND 50),
    confirmed_at timestamptz,
    confirmed_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (weight_on_roll + weight_sen_support + weight_fsm > 0),
    CHECK ((confirmed_at IS NULL) = (confirmed_by IS NULL))
);

-- An officer's allocation for one cluster in place of the formula's, with the reason. Only a draft's are changed.
CREATE TABLE budget_overrides (
    funding_year integer NOT NULL REFERENCES budgets (funding_year),
    cluster_id uuid NOT NULL REFERENCES clusters (id),
    allocation_pence bigint NOT NULL CHECK (allocation_pence BETWEEN 0 AND 100000000000),
    reason text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 500),
    set_by uuid NOT NULL REFERENCES users (id),
    set_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (funding_year, cluster_id)
);

-- Every movement of money. Amounts are positive but for adjustments (either sign) and reserve transfers (negative:
-- back out of the reserve). Commitments, releases and payments say whether they touch the contingency reserve (an
-- emergency award) or the cluster's ordinary funds. The source is the award or instalment an entry belongs to.
CREATE TABLE ledger_entries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    position bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    funding_year integer NOT NULL CHECK (funding_year BETWEEN 2000 AND 2100),
    cluster_id uuid NOT NULL REFERENCES clusters (id),
    kind text NOT NULL CHECK (kind IN ('allocation', 'adjustment', 'commitment', 'release', 'payment', 'reserve_transfer')),
    amount_pence bigint NOT NULL CHECK (amount_pence BETWEEN -100000000000 AND 100000000000),
    touches_reserve boolean NOT NULL DEFAULT false,
    source_kind text CHECK (source_kind IN ('award', 'instalment')),
    source_id uuid,
    reason text CHECK (reason IS NULL OR length(btrim(reason)) BETWEEN 1 AND 500),
    author_user_id uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((source_kind IS NULL) = (source_id IS NULL)),
    CHECK (CASE kind
        WHEN 'allocation' THEN amount_pence >= 0 AND NOT touches_reserve
        WHEN 'adjustment' THEN amount_pence <> 0 AND NOT touches_reserve AND reason IS NOT NULL
        WHEN 'reserve_transfer' THEN amount_pence <> 0 AND touches_reserve
        ELSE amount_pence > 0 END)
);
CREATE INDEX ledger_entries_cluster_year ON ledger_entries (cluster_id, funding_year, position);
CREATE INDEX ledger_entries_year ON ledger_entries (funding_year);
CREATE INDEX ledger_entries_source ON ledger_entries (source_id) WHERE source_id IS NOT NULL;

-- Nothing in the ledger is ever changed or removed, by anyone, the owner included: a correction is a new entry.
-- Statement-level, so an UPDATE or DELETE that would match no row under row-level security fails all the same.
CREATE FUNCTION ledger_entries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are never changed or removed: record an adjustment instead'
        USING ERRCODE = 'insufficient_privilege', TABLE = 'ledger_entries';
END
$$;
CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_refuse_change();

-- One row per cluster and funding year, the lock every movement of its money takes and the running totals that the
-- CHECKs hold: ordinary funds never below zero available, the reserve never below zero. It is a lock and a check, not
-- the truth: balances are always read as sums of entries, and `clusterfund ledger verify` compares the two.
CREATE TABLE ledger_guards (
    funding_year integer NOT NULL,
    cluster_id uuid NOT NULL REFERENCES clusters (id),
    allocated_pence bigint NOT NULL DEFAULT 0,
    reserve_pence bigint NOT NULL DEFAULT 0,
    committed_pence bigint NOT NULL DEFAULT 0,
    reserve_committed_pence bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (funding_year, cluster_id),
    CONSTRAINT ledger_guards_ordinary_not_overspent CHECK (allocated_pence - reserve_pence - committed_pence >= 0),
    CONSTRAINT ledger_guards_reserve_not_overspent CHECK (reserve_pence - reserve_committed_pence >= 0),
    CONSTRAINT ledger_guards_reserve_not_negative CHECK (reserve_pence >= 0),
    CONSTRAINT ledger_guards_committed_not_negative CHECK (committed_pence >= 0 AND reserve_committed_pence >= 0)
);

-- Keeps the guard in step with each entry, in the entry's own transaction, whoever writes it.
CREATE FUNCTION ledger_keep_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    -- A zero row first (the CHECKs would judge a first row's own amounts before any conflict), then the update.
    INSERT INTO ledger_guards (funding_year, cluster_id) VALUES (NEW.funding_year, NEW.cluster_id) ON CONFLICT DO NOTHING;
    UPDATE ledger_guards SET
        allocated_pence = allocated_pence + CASE WHEN NEW.kind IN ('allocation', 'adjustment') THEN NEW.amount_pence ELSE 0 END,
        reserve_pence = reserve_pence + CASE WHEN NEW.kind = 'reserve_transfer' THEN NEW.amount_pence ELSE 0 END,
        committed_pence = committed_pence + CASE WHEN NEW.touches_reserve THEN 0 WHEN NEW.kind = 'commitment' THEN NEW.amount_pence
                                                 WHEN NEW.kind = 'release' THEN -NEW.amount_pence ELSE 0 END,
        reserve_committed_pence = reserve_committed_pence + CASE WHEN NOT NEW.touches_reserve THEN 0
                                                 WHEN NEW.kind = 'commitment' THEN NEW.amount_pence
                                                 WHEN NEW.kind = 'release' THEN -NEW.amount_pence ELSE 0 END
    WHERE funding_year = NEW.funding_year AND cluster_id = NEW.cluster_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER ledger_entries_keep_guard AFTER INSERT ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_keep_guard();

-- Whose balance a user may see, as 'cluster/year' keys: a school's staff the cluster their school was in on the first
-- day of the funding year (academic year Y-1 for funding year Y); an EP their clusters' in every year ('cluster/*').
-- Officers see all and never reach this.
CREATE FUNCTION app_budget_keys() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(array_agg(k), '{}') FROM (
        SELECT m.cluster_id::text || '/' || (m.academic_year + 1) AS k FROM cluster_memberships m
        WHERE m.school_id = ANY (app_own_school_ids())
        UNION
        SELECT ra.cluster_id::text || '/*' FROM app_current_assignments() ra WHERE ra.role = 'educational_psychologist'
    ) keys
$$;
REVOKE ALL ON FUNCTION app_budget_keys() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_budget_keys() TO clusterfund_app;

GRANT SELECT, INSERT, UPDATE ON budgets TO clusterfund_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON budget_overrides TO clusterfund_app;
GRANT SELECT, INSERT ON ledger_entries TO clusterfund_app;
-- UPDATE only so a transaction may lock its guard row (SELECT ... FOR UPDATE); the policy lets no update through.
GRANT SELECT, UPDATE ON ledger_guards TO clusterfund_app;

ALTER TABLE budgets ENABLE ROW LEVEL SECURITY;
ALTER TABLE budgets FORCE ROW LEVEL SECURITY;
-- The council's total and formula are public policy: every signed-in user may read them; officers write.
CREATE POLICY budgets_read ON budgets FOR SELECT TO clusterfund_app USING ((SELECT app_user_id()) IS NOT NULL);
CREATE POLICY budgets_officer_insert ON budgets FOR INSERT TO clusterfund_app WITH CHECK ((SELECT app_is_officer()));
CREATE POLICY budgets_officer_update ON budgets FOR UPDATE TO clusterfund_app
    USING ((SELECT app_is_officer())) WITH CHECK ((SELECT app_is_officer()));

ALTER TABLE budget_overrides ENABLE ROW LEVEL SECURITY;
ALTER TABLE budget_overrides FORCE ROW LEVEL SECURITY;
CREATE POLICY budget_overrides_officer ON budget_overrides TO clusterfund_app
    USING ((SELECT app_is_officer())) WITH CHECK ((SELECT app_is_officer()));

ALTER TABLE ledger_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY ledger_entries_read ON ledger_entries FOR SELECT TO clusterfund_app
    USING ((SELECT app_is_officer())
           OR (cluster_id::text || '/' || funding_year) = ANY ((SELECT app_budget_keys())::text[])
           OR (cluster_id::text || '/*') = ANY ((SELECT app_budget_keys())::text[]));
CREATE POLICY ledger_entries_officer_insert ON ledger_entries FOR INSERT TO clusterfund_app WITH CHECK ((SELECT app_is_officer()));

ALTER TABLE ledger_guards ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_guards FORCE ROW LEVEL SECURITY;
CREATE POLICY ledger_guards_officer_read ON ledger_guards FOR SELECT TO clusterfund_app USING ((SELECT app_is_officer()));
CREATE POLICY ledger_guards_lock_only ON ledger_guards FOR UPDATE TO clusterfund_app USING ((SELECT app_is_officer())) WITH CHECK (false);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['budgets', 'budget_overrides', 'ledger_entries', 'ledger_guards'] LOOP
        EXECUTE format('CREATE POLICY %I ON %I TO %I USING (true) WITH CHECK (true)', t || '_owner', t,
                       (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = t::regclass));
    END LOOP;
END
$$;
