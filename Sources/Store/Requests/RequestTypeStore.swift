import Domain
import Foundation
import PQ

/// The council's types of request, read from `request_types` (the rules are data; see `RequestType`).
public struct RequestTypeStore: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// The active types, in the council's order.
    public func types(_ actor: Actor) async throws -> [RequestType] {
        try await database.transaction(actingAs: actor.userID) { tx in try await Self.types(in: tx) }
    }

    static func types(in tx: Transaction) async throws -> [RequestType] {
        try await tx.query(
            """
            SELECT code, name, min_pupils, max_pupils, describes_cohort, is_costed, route, payment, applies_threshold
            FROM request_types WHERE active ORDER BY sort_order, code LIMIT 100
            """
        ).decode((String, String, Int, Int?, Bool, Bool, String, String, Bool).self).compactMap { row in
            guard let route = DecisionRoute(rawValue: row.6), let payment = PaymentPlan(rawValue: row.7) else { return nil }
            return RequestType(code: row.0, name: row.1, minPupils: row.2, maxPupils: row.3, describesCohort: row.4, isCosted: row.5, route: route,
                               payment: payment, appliesThreshold: row.8)
        }
    }
}
