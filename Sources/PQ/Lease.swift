/// A leased connection: its statements run one at a time.
///
/// A statement whose task is cancelled is cancelled on the server too (`PQcancel`, sent from another thread), and
/// fails with SQLSTATE 57014; a task already cancelled runs no statement at all. Either way the transaction is rolled
/// back when the connection returns to the pool, so the next lease finds it clean.
public struct Lease: Sendable, Queryable {
    let connection: Connection

    public func query(_ sql: SQL) async throws -> Rows {
        try await cancellable { try await $0.query(sql) }
    }

    /// Runs a multi-statement script without parameters (migrations).
    public func executeScript(_ sql: SQL) async throws {
        try await cancellable { try await $0.executeScript(sql) }
    }

    private func cancellable<T: Sendable>(_ work: (Connection) async throws -> T) async throws -> T {
        try Task.checkCancellation()
        let connection = connection
        return try await withTaskCancellationHandler {
            try await work(connection)
        } onCancel: {
            connection.cancelRunningStatement()
        }
    }

    /// The backend's process id.
    public var backendPID: Int32 { connection.backendPID }
}

/// Anything statements can run on: a lease, or a transaction.
public protocol Queryable: Sendable {
    func query(_ sql: SQL) async throws -> Rows
}

extension Queryable {
    /// Runs a statement for its effect; returns the number of rows it touched.
    @discardableResult
    public func execute(_ sql: SQL) async throws -> Int { try await query(sql).affectedRows }

    /// The first row, or nil.
    public func first(_ sql: SQL) async throws -> Row? { try await query(sql).first }
}
