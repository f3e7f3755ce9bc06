import Domain
import Foundation
import PQ

/// One event for the audit trail: who did what to which record, from where, with the changed fields before and after.
/// Values in `before`/`after` are what the record holds; the trail is read by officers only.
public struct AuditEvent: Sendable {
    public var actor: ID<User>?
    public var action: String
    public var entityType: String
    public var entityID: String?
    public var before: [String: String]?
    public var after: [String: String]?

    public init(
        actor: ID<User>?, action: String, entityType: String, entityID: String? = nil,
        before: [String: String]? = nil, after: [String: String]? = nil
    ) {
        self.actor = actor
        self.action = action
        self.entityType = entityType
        self.entityID = entityID
        self.before = before
        self.after = after
    }
}

/// Appends to the hash-chained trail inside the caller's transaction, so an event exists exactly when its change does.
enum AuditLog {
    static func append(_ event: AuditEvent, request: RequestInfo, in tx: Transaction) async throws {
        try await tx.execute(
            """
            INSERT INTO audit_events (actor_user_id, action, entity_type, entity_id, request_id, client_address, before, after)
            VALUES (\(event.actor), \(event.action), \(event.entityType), \(event.entityID), \(request.requestID),
                    \(request.clientAddress), \(event.before.map(JSONB.init)), \(event.after.map(JSONB.init)))
            """
        )
    }
}
