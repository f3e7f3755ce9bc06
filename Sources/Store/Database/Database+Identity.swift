import Domain
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

/// One page of a list. Every list in Clusterfund is paginated.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var number: Int
    public var size: Int
    public var total: Int

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
