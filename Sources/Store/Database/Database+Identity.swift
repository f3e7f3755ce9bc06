import Domain
import Foundation
import PQ

extension Database {
    /// A transaction in which PostgreSQL's row-level security sees `user` as the acting user (or nobody).
    /// Every service transaction goes through here, so the database's own lock always applies.
    @discardableResult
    func transaction<T>(
        actingAs user: ID<User>?, isolation: IsolationLevel = .readCommitted, _ body: (Transaction) async throws -> T
    ) async throws -> T {
        try await transaction(isolation: isolation) { tx in
            try await tx.execute("SELECT set_config('app.user_id', \(user?.description ?? ""), true)")
            return try await body(tx)
        }
    }
}

/// A session found by its token hash, with the actor behind it, as one statement returned them.
struct SessionOfActor: Sendable {
    var sessionID: ID<Session>
    var kind: String
    var csrfToken: String
    var lastSeenAt: Date
    var expiresAt: Date
    var revokedAt: Date?
    var userActive: Bool
    var actor: Actor
    /// Whether the sign-in that opened the session passed a second factor, and whether the council requires one of all.
    var secondFactor: Bool
    var secondFactorForEveryone: Bool
}

extension Database {
    /// The session a token hash belongs to, its user and the user's roles in force on `today`, in one round trip
    /// (`auth_actor`, a single statement outside any transaction); nil for an unknown token. Liveness is the caller's
    /// to judge: the session is returned revoked or expired as it is.
    func sessionOfActor(tokenHash: ByteA, today: CalendarDate) async throws -> SessionOfActor? {
        let rows = try await statement(
            """
            SELECT session_id, user_id, kind, csrf_token, last_seen_at, expires_at, revoked_at, user_active, display_name,
                   assignment_id, role, school_id, cluster_id, starts_on, ends_on, own_school_cluster_ids,
                   second_factor, second_factor_for_everyone
            FROM auth_actor(\(tokenHash), \(today))
            """,
            read: true
        )
        guard let first = rows.first else { return nil }
        let (sessionID, userID, kind, csrf, lastSeen, expires, revoked, active, name) = try first.decode(
            (ID<Session>, ID<User>, String, String, Date, Date, Date?, Bool, String).self
        )
        let clusters = try first.decode([ID<Cluster>].self, at: 15)
        let secondFactor = try first.decode(Bool.self, at: 16)
        let secondFactorForEveryone = try first.decode(Bool.self, at: 17)
        // One row per role in force; a user with none comes back as one row with empty role columns.
        let assignments = try rows.compactMap { row -> RoleAssignment? in
            guard let id = try row.decode(ID<RoleAssignment>?.self, at: 9) else { return nil }
            return RoleAssignment(row: (
                id, try row.decode(String.self, at: 10), try row.decode(ID<School>?.self, at: 11), try row.decode(ID<Cluster>?.self, at: 12),
                try row.decode(CalendarDate.self, at: 13), try row.decode(CalendarDate?.self, at: 14)
            ))
        }
        return SessionOfActor(
            sessionID: sessionID, kind: kind, csrfToken: csrf, lastSeenAt: lastSeen, expiresAt: expires, revokedAt: revoked, userActive: active,
            actor: Actor(userID: userID, displayName: name, assignments: assignments, clustersOfOwnSchools: Set(clusters)),
            secondFactor: secondFactor, secondFactorForEveryone: secondFactorForEveryone
        )
    }

    /// Records that a session was used now, unless it already was since `notSince`: one statement, no transaction.
    func touchSession(tokenHash: ByteA, now: Date, notSince: Date) async throws {
        // A write, which could wait on the session's row lock: never on the pipeline, where it would hold up everyone.
        _ = try await statement("SELECT auth_touch_session(\(tokenHash), \(now), \(notSince))", read: false)
    }
}

/// One page of a list. Every list in Clusterfund is paginated.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var number: Int
    public var size: Int
    public var total: Int

    public init(items: [Item], number: Int, size: Int, total: Int) {
        self.items = items
        self.number = number
        self.size = size
        self.total = total
    }

    /// A page with nothing on it, for a list whose filter was refused before it was asked.
    public static var empty: Page { Page(items: [], number: 1, size: 1, total: 0) }

    public var pageCount: Int { max(1, (total + size - 1) / size) }
    public var hasNext: Bool { number < pageCount }
    public var hasPrevious: Bool { number > 1 }

    /// Clamps a requested page number and size to sensible bounds.
    public static func bounds(number: Int?, size: Int?) -> (number: Int, size: Int, offset: Int) {
        let size = min(max(size ?? 50, 1), 200)
        let number = max(number ?? 1, 1)
        return (number, size, (number - 1) * size)
    }
}

extension Queryable {
    /// The single row a statement must return (an aggregate, an `INSERT … RETURNING`); its absence is a bug.
    func one(_ sql: SQL) async throws -> Row {
        guard let row = try await first(sql) else { throw StoreError.unexpected(summary: "a statement returned no row: \(sql.text.prefix(60))") }
        return row
    }
}
