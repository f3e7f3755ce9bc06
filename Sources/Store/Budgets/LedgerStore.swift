import Domain
import Foundation
import PQ

/// One ledger entry as officers read it.
public struct LedgerEntryRecord: Sendable {
    public var id: UUID
    public var position: Int64
    public var fundingYear: FundingYear
    public var clusterID: ID<Cluster>
    public var kind: LedgerKind
    public var amount: Pence
    public var touchesReserve: Bool
    public var sourceKind: String?
    public var sourceID: UUID?
    public var reason: String?
    public var authorName: String?
    public var createdAt: Date
}

/// Where an entry's money came from: the award or instalment it belongs to (the panel issue writes these).
public struct LedgerSource: Sendable, Hashable {
    public enum Kind: String, Sendable { case award, instalment }
    public var kind: Kind
    public var id: UUID
    public init(kind: Kind, id: UUID) {
        self.kind = kind
        self.id = id
    }
}

/// A guard row that disagrees with the sum of its entries.
public struct LedgerMismatch: Sendable, Equatable {
    public var fundingYear: Int
    public var clusterID: ID<Cluster>
}

/// The ledger: every movement of a cluster's money, as immutable entries. Balances are sums of entries. A movement
/// takes the cluster's guard row for the year under lock first, so however many commitments race, each sees the
/// balance the one before it left, and the guard's CHECKs stand behind the rule if the code ever did not.
public struct LedgerStore: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// A cluster's balance in a funding year, for whoever may see it: officers any; a school's staff the cluster their
    /// school was in on the year's first day; an EP their clusters'. Anyone else is told there is no such balance.
    public func balance(_ actor: Actor, cluster: ID<Cluster>, year: FundingYear) async throws -> Balance {
        try Policy.require(actor, .viewBalance, on: .cluster(cluster), notFound: "There is no such cluster.")
        return try await database.transaction(actingAs: actor.userID) { tx in
            let visible = try await actor.isOfficer
                ? tx.first("SELECT 1 FROM clusters WHERE id = \(cluster)") != nil
                : Self.mayReadBalance(cluster: cluster, year: year, in: tx)
            guard visible else {
                throw DomainError.notFound("There is no such cluster.")
            }
            return try await Self.balance(cluster: cluster, year: year, in: tx)
        }
    }

    static func mayReadBalance(cluster: ID<Cluster>, year: FundingYear, in tx: Transaction) async throws -> Bool {
        try await tx.one(
            "SELECT (\(cluster.description + "/" + String(year.startYear)) = ANY (keys) OR \(cluster.description + "/*") = ANY (keys)) FROM app_budget_keys() keys"
        ).decode(Bool.self, at: 0)
    }

    static func balance(cluster: ID<Cluster>, year: FundingYear, in tx: Transaction) async throws -> Balance {
        let rows = try await tx.query(
            """
            SELECT kind, touches_reserve, sum(amount_pence)::bigint FROM ledger_entries
            WHERE cluster_id = \(cluster) AND funding_year = \(year.startYear) GROUP BY kind, touches_reserve
            """
        ).decode((String, Bool, Pence).self)
        var sums = Balance.Sums()
        for (kind, touchesReserve, amount) in rows {
            if let kind = LedgerKind(rawValue: kind) { sums.add(kind, amount: amount, touchesReserve: touchesReserve) }
        }
        return Balance(sums)
    }

    /// Every cluster's balance in a funding year (officers), by cluster id.
    static func balances(year: FundingYear, in tx: Transaction) async throws -> [ID<Cluster>: Balance] {
        let rows = try await tx.query(
            """
            SELECT cluster_id, kind, touches_reserve, sum(amount_pence)::bigint FROM ledger_entries
            WHERE funding_year = \(year.startYear) GROUP BY cluster_id, kind, touches_reserve
            """
        ).decode((ID<Cluster>, String, Bool, Pence).self)
        var sums: [ID<Cluster>: Balance.Sums] = [:]
        for (cluster, kind, touchesReserve, amount) in rows {
            if let kind = LedgerKind(rawValue: kind) { sums[cluster, default: Balance.Sums()].add(kind, amount: amount, touchesReserve: touchesReserve) }
        }
        return sums.mapValues(Balance.init)
    }

    /// A cluster's entries in a funding year, oldest first (officers only).
    public func entries(_ actor: Actor, cluster: ID<Cluster>, year: FundingYear, kind: LedgerKind?, page number: Int?, size: Int? = nil)
        async throws -> Page<LedgerEntryRecord>
    {
        try Policy.require(actor, .manageBudgets, on: .council)
        let (number, size, offset) = Page<LedgerEntryRecord>.bounds(number: number, size: size)
        let conditions: SQL = """
            WHERE e.cluster_id = \(cluster) AND e.funding_year = \(year.startYear) AND (\(kind?.rawValue)::text IS NULL OR e.kind = \(kind?.rawValue))
            """
        return try await database.transaction(actingAs: actor.userID) { tx in
            guard try await tx.first("SELECT 1 FROM clusters WHERE id = \(cluster)") != nil else { throw DomainError.notFound("There is no such cluster.") }
            let rows = try await tx.query(
                """
                SELECT e.id, e.position, e.funding_year, e.cluster_id, e.kind, e.amount_pence, e.touches_reserve, e.source_kind, e.source_id,
                       e.reason, u.display_name, e.created_at, count(*) OVER ()
                FROM ledger_entries e LEFT JOIN users u ON u.id = e.author_user_id \(conditions)
                ORDER BY e.position LIMIT \(size) OFFSET \(offset)
                """
            )
            let items = try rows.decode((UUID, Int64, Int, ID<Cluster>, String, Pence, Bool, String?, UUID?, String?, String?, Date).self).map {
                LedgerEntryRecord(id: $0.0, position: $0.1, fundingYear: FundingYear($0.2), clusterID: $0.3, kind: LedgerKind(rawValue: $0.4) ?? .adjustment,
                                  amount: $0.5, touchesReserve: $0.6, sourceKind: $0.7, sourceID: $0.8, reason: $0.9, authorName: $0.10, createdAt: $0.11)
            }
            var total = try rows.first.map { try $0.decode(Int.self, at: 12) } ?? 0
            if rows.isEmpty, offset > 0 {
                total = try await tx.one("SELECT count(*) FROM ledger_entries e \(conditions)").decode(Int.self, at: 0)
            }
            return Page(items: items, number: number, size: size, total: total)
        }
    }

    /// Sets `amount` aside for an award, from the cluster's ordinary funds or (an emergency) its reserve. Refused, with
    /// what is still available, when it would take either below zero.
    public func commit(_ actor: Actor, cluster: ID<Cluster>, year: FundingYear, amount: Pence, fromReserve: Bool, source: LedgerSource?,
                       request: RequestInfo) async throws -> Balance {
        try await move(actor, .commitment, cluster: cluster, year: year, amount: amount, fromReserve: fromReserve, source: source, request: request) {
            amount, balance throws(DomainError) in try LedgerRules.checkCommitment(amount, fromReserve: fromReserve, balance: balance)
        }
    }

    /// Gives back committed money no longer needed (an underspend), never more than is committed.
    public func release(_ actor: Actor, cluster: ID<Cluster>, year: FundingYear, amount: Pence, fromReserve: Bool, source: LedgerSource?,
                        request: RequestInfo) async throws -> Balance {
        try await move(actor, .release, cluster: cluster, year: year, amount: amount, fromReserve: fromReserve, source: source, request: request) {
            amount, balance throws(DomainError) in try LedgerRules.checkRelease(amount, fromReserve: fromReserve, balance: balance)
        }
    }

    func move(_ actor: Actor, _ kind: LedgerKind, cluster: ID<Cluster>, year: FundingYear, amount: Pence, fromReserve: Bool, source: LedgerSource?,
              request: RequestInfo, rule: @escaping @Sendable (Pence, Balance) throws(DomainError) -> Void) async throws -> Balance {
        try Policy.require(actor, .manageBudgets, on: .council)
        return try await database.transaction(actingAs: actor.userID) { tx in
            let balance = try await Self.lockedBalance(cluster: cluster, year: year, in: tx)
            try rule(amount, balance)
            try await Self.insert(kind, cluster: cluster, year: year, amount: amount, touchesReserve: fromReserve, source: source, reason: nil,
                                  author: actor.userID, in: tx)
            try await AuditLog.append(
                .init(actor: actor.userID, action: "ledger.\(kind.rawValue)", entityType: "cluster", entityID: cluster.description,
                      after: ["fundingYear": String(year.startYear), "amountPence": String(amount.value), "fromReserve": String(fromReserve),
                              "source": source.map { "\($0.kind.rawValue):\($0.id.uuidString.lowercased())" } ?? ""]),
                request: request, in: tx
            )
            return try await Self.balance(cluster: cluster, year: year, in: tx)
        }
    }

    /// Locks the cluster's guard row for the year (when it has one: a cluster with no entries has nothing to spend),
    /// then reads its balance from the entries.
    static func lockedBalance(cluster: ID<Cluster>, year: FundingYear, in tx: Transaction) async throws -> Balance {
        _ = try await tx.first("SELECT 1 FROM ledger_guards WHERE funding_year = \(year.startYear) AND cluster_id = \(cluster) FOR UPDATE")
        return try await balance(cluster: cluster, year: year, in: tx)
    }

    static func insert(_ kind: LedgerKind, cluster: ID<Cluster>, year: FundingYear, amount: Pence, touchesReserve: Bool, source: LedgerSource?,
                       reason: String?, author: ID<User>, in tx: Transaction) async throws {
        try await tx.execute(
            """
            INSERT INTO ledger_entries (funding_year, cluster_id, kind, amount_pence, touches_reserve, source_kind, source_id, reason, author_user_id)
            VALUES (\(year.startYear), \(cluster), \(kind.rawValue), \(amount), \(touchesReserve), \(source?.kind.rawValue), \(source?.id), \(reason), \(author))
            """
        )
    }

    /// Every guard row that disagrees with the sums of its entries, or entries with no guard: none, if all is well.
    /// Run as the owner (`clusterfund ledger verify`), which reads every cluster's ledger.
    public func verify() async throws -> (checked: Int, mismatches: [LedgerMismatch]) {
        try await database.transaction(actingAs: nil) { tx in
            let rows = try await tx.query(
                """
                WITH sums AS (
                    SELECT funding_year, cluster_id,
                           sum(amount_pence) FILTER (WHERE kind IN ('allocation', 'adjustment'))::bigint AS allocated,
                           sum(amount_pence) FILTER (WHERE kind = 'reserve_transfer')::bigint AS reserve,
                           sum(CASE kind WHEN 'commitment' THEN amount_pence WHEN 'release' THEN -amount_pence END)
                               FILTER (WHERE NOT touches_reserve)::bigint AS committed,
                           sum(CASE kind WHEN 'commitment' THEN amount_pence WHEN 'release' THEN -amount_pence END)
                               FILTER (WHERE touches_reserve)::bigint AS reserve_committed
                    FROM ledger_entries GROUP BY funding_year, cluster_id)
                SELECT coalesce(g.funding_year, s.funding_year), coalesce(g.cluster_id, s.cluster_id),
                       g.funding_year IS NOT NULL AND s.funding_year IS NOT NULL
                       AND g.allocated_pence = coalesce(s.allocated, 0) AND g.reserve_pence = coalesce(s.reserve, 0)
                       AND g.committed_pence = coalesce(s.committed, 0) AND g.reserve_committed_pence = coalesce(s.reserve_committed, 0)
                FROM ledger_guards g FULL JOIN sums s ON s.funding_year = g.funding_year AND s.cluster_id = g.cluster_id
                ORDER BY 1, 2
                """
            ).decode((Int, ID<Cluster>, Bool).self)
            return (rows.count, rows.filter { !$0.2 }.map { LedgerMismatch(fundingYear: $0.0, clusterID: $0.1) })
        }
    }
}
