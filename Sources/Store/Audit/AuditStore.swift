import Domain
import Foundation
import PQ

/// One event as officers read it.
public struct AuditEntry: Sendable, Codable {
    public var seq: Int
    public var occurredAt: Date
    public var actorUserId: ID<User>?
    public var actorName: String?
    public var action: String
    public var entityType: String
    public var entityId: String?
    public var requestId: String?
    public var clientAddress: String?
    public var before: [String: String]?
    public var after: [String: String]?
    /// The touched record's name as it is now (a user's display name, a school's name), when it has one.
    public var entityName: String?
    /// The command that acted, for events of the command line (`demo-data`, `create-officer`), which have no actor.
    public var command: String?
    /// Names of the records whose ids are values in `before` or `after` (a role's user and school), by id.
    public var names: [String: String]?
}

/// Which events to show; every field narrows the list.
public struct AuditFilter: Sendable {
    public var actor: ID<User>?
    public var entityType: String?
    public var entityID: String?
    public var from: CalendarDate?
    public var to: CalendarDate?
    /// Who acted: part of a user's name or email (any case), or of a command's name.
    public var person: String?
    /// What was touched: a record's id, or part of the name or email of the user it is or belongs to, or of its school
    /// or cluster's name.
    public var record: String?
    public init(
        actor: ID<User>? = nil, entityType: String? = nil, entityID: String? = nil, from: CalendarDate? = nil, to: CalendarDate? = nil,
        person: String? = nil, record: String? = nil
    ) {
        self.actor = actor
        self.entityType = entityType
        self.entityID = entityID
        self.from = from
        self.to = to
        self.person = person
        self.record = record
    }
}

/// Where the chain breaks: the first event whose hash or link does not hold.
public struct BrokenLink: Sendable, Equatable {
    public var seq: Int
    public var reason: String
}

/// Reading and verifying the audit trail.
public struct AuditStore: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Events newest first, filtered; officers only. Dates are London calendar days, both ends inclusive.
    public func list(_ actor: Actor, filter: AuditFilter, page number: Int?, size: Int? = nil) async throws -> Page<AuditEntry> {
        try Policy.require(actor, .readAuditTrail, on: .council)
        let (number, size, offset) = Page<AuditEntry>.bounds(number: number, size: size)
        let conditions = Self.conditions(filter)
        return try await database.transaction(actingAs: actor.userID) { tx in
            let total = try await tx.one("SELECT count(*) FROM audit_events e WHERE \(conditions)").decode(Int.self, at: 0)
            var items = try await tx.query(
                """
                WITH page AS (
                    SELECT e.*, CASE WHEN e.entity_id ~* \(Self.uuidPattern) THEN e.entity_id::uuid END AS entity_uuid
                    FROM audit_events e WHERE \(conditions)
                    ORDER BY e.seq DESC LIMIT \(size) OFFSET \(offset)
                )
                SELECT p.seq, p.occurred_at, p.actor_user_id, u.display_name, p.action, p.entity_type, p.entity_id,
                       p.request_id, p.client_address, p.before, p.after, \(Self.entityName),
                       holder.display_name, ra.role::text, coalesce(rs.name, rc.name)
                FROM page p LEFT JOIN users u ON u.id = p.actor_user_id
                \(Self.roleParts)
                ORDER BY p.seq DESC
                """
            ).decode(
                (Int, Date, ID<User>?, String?, String, String, String?, String?, String?, JSONB<[String: String]>?, JSONB<[String: String]>?,
                 String?, String?, String?, String?).self
            )
            .map { row in
                AuditEntry(
                    seq: row.0, occurredAt: row.1, actorUserId: row.2, actorName: row.3, action: row.4, entityType: row.5, entityId: row.6,
                    requestId: row.7, clientAddress: row.8, before: row.9?.value, after: row.10?.value,
                    entityName: row.11 ?? Self.roleName(holder: row.12, role: row.13, place: row.14),
                    command: row.2 == nil ? row.7.flatMap(RequestInfo.commandName(requestID:)) : nil
                )
            }
            try await Self.nameReferences(in: &items, tx: tx)
            return Page(items: items, number: number, size: size, total: total)
        }
    }

    /// Records a refusal of a signed-in actor (a role that never does this, a form without its CSRF token), in its own
    /// transaction so the refusal itself cannot roll it back. `route` is the route's pattern (`/users/{userId}/roles`),
    /// never the path as sent; `reason` is a sentence of ours, which names no personal data.
    public func recordDenial(actor: ID<User>, method: String, route: String, reason: String, request: RequestInfo) async throws {
        try await database.transaction(actingAs: actor) { tx in
            try await AuditLog.append(
                .init(actor: actor, action: "permission.denied", entityType: "route", entityID: "\(method) \(route.prefix(200))", after: ["reason": reason]),
                request: request, in: tx
            )
        }
    }

    /// Walks the whole chain; nil when every event's hash and link hold, and each anchor still matches.
    /// The chain alone cannot catch an owner who rewrites an event and every hash after it; an anchor recorded
    /// outside the database can, for every event up to it.
    public func verify(anchors: [AuditAnchor] = []) async throws -> BrokenLink? {
        try await database.transaction(actingAs: nil) { tx in
            if let broken = try await tx.first("SELECT seq, reason FROM audit_first_broken_link()")?.decode((Int, String).self) {
                return BrokenLink(seq: broken.0, reason: broken.1)
            }
            for anchor in anchors.sorted(by: { $0.seq < $1.seq }) {
                let stored = try await tx.first("SELECT hash FROM audit_event_hash_at(\(anchor.seq))")?.decode(String.self, at: 0)
                guard let stored else { return BrokenLink(seq: anchor.seq, reason: "the anchored event is missing") }
                if stored != anchor.hash {
                    return BrokenLink(seq: anchor.seq, reason: "its hash differs from the anchor recorded outside the database")
                }
            }
            return nil
        }
    }

    /// The chain's head: its last event's number (so, how many events there are) and hash, to record as an anchor.
    public func head() async throws -> AuditAnchor {
        try await database.transaction(actingAs: nil) { tx in
            let (seq, hash) = try await tx.one("SELECT seq, hash FROM audit_chain_head_hash()").decode((Int, String).self)
            return AuditAnchor(seq: seq, hash: hash)
        }
    }
}

/// An event's number and hash, written down outside the database as `SEQ:HASH`.
public struct AuditAnchor: Sendable, Equatable, CustomStringConvertible {
    public var seq: Int
    public var hash: String

    public init(seq: Int, hash: String) {
        self.seq = seq
        self.hash = hash
    }

    /// Reads `SEQ:HASH` (a positive number and 64 hex digits), as `description` writes it.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let seq = Int(parts[0]), seq > 0, parts[1].count == 64,
              parts[1].allSatisfy({ $0.isHexDigit }) else { return nil }
        self.init(seq: seq, hash: parts[1].lowercased())
    }

    public var description: String { "\(seq):\(hash)" }
}
