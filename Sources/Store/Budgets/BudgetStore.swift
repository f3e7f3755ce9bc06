import Domain
import Foundation
import PQ

/// A funding year's budget with everything its page shows: the terms, the figures the formula reads, the plan (or why
/// there is none yet), the overrides, and once confirmed each cluster's balance from the ledger.
public struct BudgetView: Sendable {
    public var year: FundingYear
    public var terms: BudgetTerms
    /// False until an officer first saves the year's budget; the terms are then the defaults.
    public var exists: Bool
    public var confirmedAt: Date?
    public var confirmedByName: String?
    /// The January census the formula reads (the one of the funding year's first calendar year).
    public var censusYear: Int
    /// The academic year whose memberships are in force on the funding year's first day.
    public var membershipYear: AcademicYear
    /// Schools in a cluster that day with no figure for a weighted measure in that census (counted as zero).
    public var schoolsWithoutFigures: Int
    public var plan: BudgetPlan?
    public var planProblem: DomainError?
    public var overrides: [AllocationOverride]
    public var balances: [ID<Cluster>: Balance]

    public var isConfirmed: Bool { confirmedAt != nil }
}

/// One line of the budgets list.
public struct BudgetSummary: Sendable {
    public var year: FundingYear
    public var total: Pence
    public var confirmedAt: Date?
}

/// Each funding year's budget: officers set the total, the formula's weights and the reserve share, preview the
/// allocations, override one cluster's with a reason, and confirm, which writes the ledger. After that, only
/// adjustments (recorded, with a reason) change what a cluster has.
public struct BudgetStore: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    public func authorize(_ actor: Actor) throws(DomainError) {
        try Policy.require(actor, .manageBudgets, on: .council)
    }

    public func list(_ actor: Actor, page number: Int?, size: Int? = nil) async throws -> Page<BudgetSummary> {
        try authorize(actor)
        let (number, size, offset) = Page<BudgetSummary>.bounds(number: number, size: size)
        return try await database.transaction(actingAs: actor.userID) { tx in
            let items = try await tx.query(
                "SELECT funding_year, total_pence, confirmed_at FROM budgets ORDER BY funding_year DESC LIMIT \(size) OFFSET \(offset)"
            ).decode((Int, Pence, Date?).self).map { BudgetSummary(year: FundingYear($0.0), total: $0.1, confirmedAt: $0.2) }
            let total = try await tx.one("SELECT count(*) FROM budgets").decode(Int.self, at: 0)
            return Page(items: items, number: number, size: size, total: total)
        }
    }

    public func budget(_ actor: Actor, year: FundingYear) async throws -> BudgetView {
        try authorize(actor)
        return try await database.transaction(actingAs: actor.userID) { tx in try await Self.view(year, in: tx) }
    }

    /// Saves a draft budget's terms and, when given, replaces its overrides. A confirmed budget is changed only by
    /// adjustments.
    public func save(_ actor: Actor, year: FundingYear, terms: BudgetTerms, overrides: [AllocationOverride]?, request: RequestInfo) async throws -> BudgetView {
        try authorize(actor)
        let terms = try terms.validated()
        let checked = try overrides.map { list throws(DomainError) in try BudgetPlan.checkedOverrides(list) }
        return try await database.transaction(actingAs: actor.userID) { tx in
            let before = try await Self.lockDraft(year, in: tx)
            try await Self.writeTerms(terms, year: year, in: tx)
            if let checked {
                let clusters = Set(try await Self.figures(year, in: tx).figures.map(\.clusterID))
                if let index = checked.firstIndex(where: { !clusters.contains($0.clusterID) }) {
                    throw DomainError.missingReference(.init(pointer: "/overrides/\(index)/clusterId",
                                                             detail: "That cluster held no schools on the first day of \(year.name)."))
                }
                try await tx.execute("DELETE FROM budget_overrides WHERE funding_year = \(year.startYear)")
                for override in checked {
                    try await Self.writeOverride(override, year: year, by: actor.userID, in: tx)
                }
            }
            try await AuditLog.append(
                .init(actor: actor.userID, action: "budget.saved", entityType: "budget", entityID: String(year.startYear),
                      before: before.map(Self.audited), after: Self.audited(terms).merging(checked.map { ["overrides": String($0.count)] } ?? [:]) { $1 }),
                request: request, in: tx
            )
            return try await Self.view(year, in: tx)
        }
    }

    /// Sets (or with a nil allocation, removes) one cluster's override on a draft budget.
    public func override(_ actor: Actor, year: FundingYear, cluster: ID<Cluster>, allocation: Pence?, reason: String, request: RequestInfo) async throws -> BudgetView {
        try authorize(actor)
        let checked = try allocation.map { pence throws(DomainError) in
            try BudgetPlan.checkedOverride(AllocationOverride(clusterID: cluster, allocation: pence, reason: reason))
        }
        return try await database.transaction(actingAs: actor.userID) { tx in
            guard try await Self.lockDraft(year, in: tx) != nil else {
                throw DomainError.invalidTransition("Save \(year.name)'s total and formula first; then override a cluster.")
            }
            let clusters = Set(try await Self.figures(year, in: tx).figures.map(\.clusterID))
            guard clusters.contains(cluster) else {
                throw DomainError.missingReference(.init(pointer: "/clusterId", detail: "That cluster held no schools on the first day of \(year.name)."))
            }
            let before = try await tx.first(
                "SELECT allocation_pence, reason FROM budget_overrides WHERE funding_year = \(year.startYear) AND cluster_id = \(cluster)"
            )?.decode((Pence, String).self)
            try await tx.execute("DELETE FROM budget_overrides WHERE funding_year = \(year.startYear) AND cluster_id = \(cluster)")
            if let checked { try await Self.writeOverride(checked, year: year, by: actor.userID, in: tx) }
            try await AuditLog.append(
                .init(actor: actor.userID, action: checked == nil ? "budget.override_removed" : "budget.overridden", entityType: "budget",
                      entityID: String(year.startYear),
                      before: before.map { ["clusterId": cluster.description, "allocationPence": String($0.0.value), "reason": $0.1] },
                      after: checked.map { ["clusterId": cluster.description, "allocationPence": String($0.allocation.value), "reason": $0.reason] }),
                request: request, in: tx
            )
            return try await Self.view(year, in: tx)
        }
    }

    /// Confirms a draft whose allocations add up to its total: per cluster, one allocation entry (the whole allocation)
    /// and one reserve transfer (its reserve share).
    public func confirm(_ actor: Actor, year: FundingYear, request: RequestInfo) async throws -> BudgetView {
        try authorize(actor)
        return try await database.transaction(actingAs: actor.userID) { tx in
            guard try await Self.lockDraft(year, in: tx) != nil else {
                throw DomainError.invalidTransition("Save \(year.name)'s total and formula first; then confirm.")
            }
            let view = try await Self.view(year, in: tx)
            if let problem = view.planProblem { throw problem }
            guard let plan = try view.plan?.confirmable() else { throw DomainError.invalidTransition("There is nothing to confirm.") }
            try await Self.writeConfirmation(plan, year: year, by: actor.userID, in: tx)
            try await AuditLog.append(
                .init(actor: actor.userID, action: "budget.confirmed", entityType: "budget", entityID: String(year.startYear),
                      after: Self.audited(plan.terms).merging(["clusters": String(plan.rows.count), "allocatedPence": String(plan.allocated.value)]) { $1 }),
                request: request, in: tx
            )
            return try await Self.view(year, in: tx)
        }
    }

    /// Moves money in a confirmed budget: from one cluster to another, or into or out of one, with a reason. Each side
    /// is an adjustment entry; a cluster never goes below what it has reserved and committed.
    public func adjust(_ actor: Actor, year: FundingYear, from: ID<Cluster>?, to: ID<Cluster>?, amount: Pence, reason: String,
                       request: RequestInfo) async throws -> BudgetView {
        try authorize(actor)
        let reason = try LedgerRules.checkedTransfer(from: from, to: to, amount: amount, reason: reason)
        return try await database.transaction(actingAs: actor.userID) { tx in
            guard let confirmed = try await tx.first("SELECT confirmed_at IS NOT NULL FROM budgets WHERE funding_year = \(year.startYear) FOR UPDATE")?
                .decode(Bool.self, at: 0), confirmed
            else { throw DomainError.invalidTransition("Confirm \(year.name)'s budget first; until then change its total, formula or overrides.") }
            for (pointer, cluster) in [("/fromClusterId", from), ("/toClusterId", to)] {
                if let cluster, try await tx.first("SELECT 1 FROM clusters WHERE id = \(cluster)") == nil {
                    throw DomainError.missingReference(.init(pointer: pointer, detail: "There is no such cluster."))
                }
            }
            // Guards are locked in one order (by id), so two opposite moves cannot deadlock.
            for cluster in [from, to].compactMap({ $0 }).sorted(by: { $0.description < $1.description }) {
                let balance = try await LedgerStore.lockedBalance(cluster: cluster, year: year, in: tx)
                if cluster == from { try LedgerRules.checkAdjustment(Pence(-amount.value), balance: balance) }
            }
            if let from {
                try await LedgerStore.insert(.adjustment, cluster: from, year: year, amount: Pence(-amount.value), touchesReserve: false, source: nil,
                                             reason: reason, author: actor.userID, in: tx)
            }
            if let to {
                try await LedgerStore.insert(.adjustment, cluster: to, year: year, amount: amount, touchesReserve: false, source: nil, reason: reason,
                                             author: actor.userID, in: tx)
            }
            try await AuditLog.append(
                .init(actor: actor.userID, action: "budget.adjusted", entityType: "budget", entityID: String(year.startYear),
                      after: ["fromClusterId": from?.description ?? "", "toClusterId": to?.description ?? "", "amountPence": String(amount.value),
                              "reason": reason]),
                request: request, in: tx
            )
            return try await Self.view(year, in: tx)
        }
    }
}
