import Logging

/// How strictly concurrent transactions are kept apart.
public enum IsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

/// Statements inside one open transaction.
public struct Transaction: Queryable {
    let lease: Lease
    public func query(_ sql: SQL) async throws -> Rows { try await lease.query(sql) }
}

extension ConnectionPool {
    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    ///
    /// Serialization failures (40001) and deadlocks (40P01) rerun the whole body, up to `maxAttempts` times
    /// with a small random pause; so does a connection found dead before the transaction began (the server
    /// restarted while it sat idle). A connection lost mid-transaction is not retried: the caller gets
    /// `PostgresError.Kind.connection`.
    ///
    /// ```swift
    /// let id = try await pool.withTransaction(isolation: .serializable) { tx in
    ///     try await tx.query("INSERT INTO … RETURNING id").first?.decode(UUID.self, at: 0)
    /// }
    /// ```
    @discardableResult
    public nonisolated func withTransaction<T>(
        isolation: IsolationLevel = .readCommitted,
        maxAttempts: Int = 5,
        _ body: (Transaction) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            var began = false
            do {
                return try await withConnection { lease in
                    // The isolation level is a constant of this enum, never input, so raw text is safe here.
                    try await lease.execute(SQL(unsafeRaw: "BEGIN ISOLATION LEVEL \(isolation.rawValue)"))
                    began = true
                    do {
                        let value = try await body(Transaction(lease: lease))
                        try await lease.execute("COMMIT")
                        return value
                    } catch {
                        _ = try? await lease.execute("ROLLBACK")
                        throw error
                    }
                }
            } catch let error as PostgresError where attempt < maxAttempts && (error.isTransient || (error.isConnectionFailure && !began)) {
                logger.notice(
                    "retrying transaction",
                    metadata: ["attempt": "\(attempt)", "sqlstate": "\(error.sqlState?.code ?? "-")", "kind": "\(error.kind.rawValue)"]
                )
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 2...20) * attempt))
            }
        }
    }
}
