/// An error from PostgreSQL, from libpq, from the pool, or from decoding a row.
///
/// Its `description` is deliberately generic, so an error rendered by mistake leaks nothing of the
/// data or the schema; `String(reflecting:)` gives the full detail for logs.
///
/// ```swift
/// do { try await tx.execute("INSERT INTO schools (urn) VALUES (\(urn))") }
/// catch let error as PostgresError where error.sqlState == .uniqueViolation { … }
/// ```
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is, in the terms a caller acts on.
    public enum Kind: String, Sendable {
        /// The server ran the statement and refused it (constraint, syntax, permission…): see `sqlState`.
        case server
        /// The connection could not be made or was lost: the database is down, restarting or unreachable.
        case connection
        /// No connection became free within the pool's acquire timeout.
        case poolTimeout
        /// The pool has been shut down.
        case poolClosed
        /// A value in a row could not be decoded into the Swift type asked for.
        case decoding
        /// A migration file or the recorded migrations are inconsistent.
        case migration
    }

    public var kind: Kind
    public var sqlState: SQLState?
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var table: String?
    public var column: String?

    public init(
        kind: Kind, sqlState: SQLState? = nil, message: String, detail: String? = nil, hint: String? = nil,
        constraint: String? = nil, table: String? = nil, column: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
    }

    /// True when retrying on a fresh connection may succeed: the connection failed or the server is shutting down.
    public var isConnectionFailure: Bool {
        if kind == .connection { return true }
        guard let code = sqlState?.code else { return false }
        return code.hasPrefix("08") || code == SQLState.adminShutdown.code || code == SQLState.crashShutdown.code
            || code == SQLState.cannotConnectNow.code
    }

    /// True for the failures a transaction is retried after: serialization failure and deadlock.
    public var isTransient: Bool {
        sqlState == .serializationFailure || sqlState == .deadlockDetected
    }

    public var description: String {
        "PostgresError(\(kind.rawValue)\(sqlState.map { ", SQLSTATE \($0.code)" } ?? ""); details redacted, use String(reflecting:))"
    }

    /// What may go to a log: the kind, SQLSTATE and schema names, never the message or detail, which quote values
    /// (a duplicate key's value, the text that failed to parse) that may be personal data.
    public var logSummary: String {
        var parts = [kind.rawValue]
        if let sqlState { parts.append("sqlstate=\(sqlState.code)") }
        if let constraint { parts.append("constraint=\(constraint)") }
        if let table { parts.append("table=\(table)") }
        if let column { parts.append("column=\(column)") }
        return parts.joined(separator: " ")
    }

    public var debugDescription: String {
        var parts = ["kind: \(kind.rawValue)", "message: \(message)"]
        if let sqlState { parts.append("sqlState: \(sqlState.code)") }
        if let detail { parts.append("detail: \(detail)") }
        if let hint { parts.append("hint: \(hint)") }
        if let constraint { parts.append("constraint: \(constraint)") }
        if let table { parts.append("table: \(table)") }
        if let column { parts.append("column: \(column)") }
        return "PostgresError(" + parts.joined(separator: ", ") + ")"
    }
}

/// A five-character SQLSTATE code, with names for the ones the project acts on.
public struct SQLState: Hashable, Sendable, CustomStringConvertible {
    public let code: String
    public init(_ code: String) { self.code = code }
    public var description: String { code }

    public static let uniqueViolation = SQLState("23505")
    public static let foreignKeyViolation = SQLState("23503")
    public static let checkViolation = SQLState("23514")
    public static let notNullViolation = SQLState("23502")
    public static let exclusionViolation = SQLState("23P01")
    public static let raiseException = SQLState("P0001")
    /// `character_not_in_repertoire`: what PostgreSQL answers for a NUL in text, which libpq would silently cut at.
    public static let characterNotInRepertoire = SQLState("22021")
    public static let insufficientPrivilege = SQLState("42501")
    public static let serializationFailure = SQLState("40001")
    public static let deadlockDetected = SQLState("40P01")
    public static let queryCanceled = SQLState("57014")
    public static let adminShutdown = SQLState("57P01")
    public static let crashShutdown = SQLState("57P02")
    public static let cannotConnectNow = SQLState("57P03")
    public static let invalidTextRepresentation = SQLState("22P02")
}
