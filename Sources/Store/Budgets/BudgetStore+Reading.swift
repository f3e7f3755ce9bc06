import Domain
import Foundation
import PQ

extension BudgetStore {
    /// The year's terms under a row lock, nil when none are saved yet; a confirmed budget is refused.
    static func lockDraft(_ year: FundingYear, in tx: Transaction) async throws -> BudgetTerms? {
        guard let row = try await tx.first(
            """
            SELECT total_pence, weight_on_roll, weight_sen_support, weight_fsm, reserve_percent, confirmed_at IS NOT NULL
            FROM budgets WHERE funding_year = \(year.startYear) FOR UPDATE
            """
        )?.decode((Pence, Int, Int, Int, Int, Bool).self) else { return nil }
        guard !row.5 else {
            throw DomainError.invalidTransition("\(year.name)'s budget is confirmed: move money between clusters with an adjustment and a reason.")
        }
        return BudgetTerms(total: row.0, weights: FormulaWeights(onRoll: row.1, senSupport: row.2, freeSchoolMeals: row.3), reservePercent: row.4)
    }

    /// The figures the formula reads for `year`: each cluster's schools on 1 April of its first calendar year (the
    /// memberships of the academic year before) and their figures in that January's census.
    static func figures(_ year: FundingYear, in tx: Transaction) async throws -> (figures: [ClusterFigures], schoolsWithoutFigures: Int) {
        let rows = try await tx.query(
            """
            SELECT c.id, c.name, count(*)::int, coalesce(sum(f.on_roll), 0)::bigint, coalesce(sum(f.sen_support), 0)::bigint,
                   coalesce(sum(f.fsm), 0)::bigint, count(*) FILTER (WHERE f.on_roll IS NULL OR f.sen_support IS NULL OR f.fsm IS NULL)::int
            FROM cluster_memberships m JOIN clusters c ON c.id = m.cluster_id
            LEFT JOIN school_census_figures f ON f.school_id = m.school_id AND f.census_year = \(year.censusYear)
            WHERE m.academic_year = \(year.membershipYear.startYear)
            GROUP BY c.id, c.name ORDER BY c.name
            """
        ).decode((ID<Cluster>, String, Int, Int64, Int64, Int64, Int).self)
        let figures = rows.map {
            ClusterFigures(clusterID: $0.0, name: $0.1, schools: $0.2, onRoll: $0.3, senSupport: $0.4, freeSchoolMeals: $0.5)
        }
        return (figures, rows.reduce(0) { $0 + $1.6 })
    }

    static func view(_ year: FundingYear, in tx: Transaction) async throws -> BudgetView {
        let saved = try await tx.first(
            """
            SELECT b.total_pence, b.weight_on_roll, b.weight_sen_support, b.weight_fsm, b.reserve_percent, b.confirmed_at, u.display_name
            FROM budgets b LEFT JOIN users u ON u.id = b.confirmed_by WHERE b.funding_year = \(year.startYear)
            """
        )?.decode((Pence, Int, Int, Int, Int, Date?, String?).self)
        let terms: BudgetTerms
        if let saved {
            terms = BudgetTerms(total: saved.0, weights: FormulaWeights(onRoll: saved.1, senSupport: saved.2, freeSchoolMeals: saved.3),
                                reservePercent: saved.4)
        } else {
            terms = BudgetTerms(total: .zero, weights: .standard, reservePercent: try await CouncilSettingsStore.read(in: tx).settings.defaultReservePercent)
        }
        let overrides = try await tx.query(
            "SELECT cluster_id, allocation_pence, reason FROM budget_overrides WHERE funding_year = \(year.startYear) ORDER BY cluster_id"
        ).decode((ID<Cluster>, Pence, String).self).map { AllocationOverride(clusterID: $0.0, allocation: $0.1, reason: $0.2) }
        let (figures, missing) = try await Self.figures(year, in: tx)
        var plan: BudgetPlan?
        var problem: DomainError?
        do throws(DomainError) {
            plan = try BudgetPlan.make(terms, figures: figures, overrides: overrides)
        } catch {
            problem = error
        }
        let balances = saved?.5 == nil ? [:] : try await LedgerStore.balances(year: year, in: tx)
        return BudgetView(year: year, terms: terms, exists: saved != nil, confirmedAt: saved?.5, confirmedByName: saved?.6, censusYear: year.censusYear,
                          membershipYear: year.membershipYear, schoolsWithoutFigures: missing, plan: plan, planProblem: problem,
                          overrides: overrides, balances: balances)
    }

    static func writeTerms(_ terms: BudgetTerms, year: FundingYear, in tx: Transaction) async throws {
        try await tx.execute(
            """
            INSERT INTO budgets (funding_year, total_pence, weight_on_roll, weight_sen_support, weight_fsm, reserve_percent)
            VALUES (\(year.startYear), \(terms.total), \(terms.weights.onRoll), \(terms.weights.senSupport), \(terms.weights.freeSchoolMeals),
                    \(terms.reservePercent))
            ON CONFLICT (funding_year) DO UPDATE SET total_pence = EXCLUDED.total_pence, weight_on_roll = EXCLUDED.weight_on_roll,
                weight_sen_support = EXCLUDED.weight_sen_support, weight_fsm = EXCLUDED.weight_fsm,
                reserve_percent = EXCLUDED.reserve_percent, updated_at = now()
            """
        )
    }

    /// Per cluster, one allocation entry (the whole allocation) and one reserve transfer (its reserve share); then the
    /// budget is marked confirmed.
    static func writeConfirmation(_ plan: BudgetPlan, year: FundingYear, by author: ID<User>, in tx: Transaction) async throws {
        for row in plan.rows {
            try await LedgerStore.insert(.allocation, cluster: row.figures.clusterID, year: year, amount: row.allocation, touchesReserve: false,
                                         source: nil, reason: row.overrideReason, author: author, in: tx)
            if row.reserve > .zero {
                try await LedgerStore.insert(.reserveTransfer, cluster: row.figures.clusterID, year: year, amount: row.reserve, touchesReserve: true,
                                             source: nil, reason: nil, author: author, in: tx)
            }
        }
        try await tx.execute("UPDATE budgets SET confirmed_at = now(), confirmed_by = \(author), updated_at = now() WHERE funding_year = \(year.startYear)")
    }

    static func writeOverride(_ override: AllocationOverride, year: FundingYear, by user: ID<User>, in tx: Transaction) async throws {
        try await tx.execute(
            """
            INSERT INTO budget_overrides (funding_year, cluster_id, allocation_pence, reason, set_by)
            VALUES (\(year.startYear), \(override.clusterID), \(override.allocation), \(override.reason), \(user))
            """
        )
    }

    static func audited(_ terms: BudgetTerms) -> [String: String] {
        ["totalPence": String(terms.total.value), "weightOnRoll": String(terms.weights.onRoll), "weightSenSupport": String(terms.weights.senSupport),
         "weightFreeSchoolMeals": String(terms.weights.freeSchoolMeals), "reservePercent": String(terms.reservePercent)]
    }
}
