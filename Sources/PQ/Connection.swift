import Foundation
import CLibPQ

/// One libpq connection. Its calls block, so it is only ever used from a pool thread, by one lease at a time;
/// that invariant (kept by `ConnectionPool`) is why it is `@unchecked Sendable`.
public final class Connection: @unchecked Sendable {
    private let handle: OpaquePointer

    /// Connects with a libpq conninfo string or URI (empty: the standard `PG*` variables and service files).
    /// - Parameters:
    ///   - conninfo: `postgresql://user@host:5432/db?sslmode=…`, or `host=… dbname=…`, or `""`.
    ///   - overrides: keywords that take precedence over the conninfo (e.g. `dbname` for test databases).
    ///   - fallbacks: keywords used only where the conninfo and environment say nothing (e.g. `connect_timeout`).
    /// - Throws: `PostgresError` of kind `.connection`, with libpq's message.
    public init(conninfo: String, overrides: [String: String] = [:], fallbacks: [String: String] = [:]) throws(PostgresError) {
        // The conninfo is expanded first ("dbname" with expand_dbname), then explicit keywords override it.
        // Fallbacks are applied only when neither the conninfo nor the environment sets the keyword.
        var keywords = ["dbname"]
        var values = [conninfo]
        for (key, value) in overrides.sorted(by: { $0.key < $1.key }) {
            keywords.append(key)
            values.append(value)
        }
        let explicit = Self.keywordsSet(in: conninfo)
        for (key, value) in fallbacks.sorted(by: { $0.key < $1.key }) where overrides[key] == nil && !explicit.contains(key) {
            keywords.append(key)
            values.append(value)
        }
        let connection: OpaquePointer? = Self.withCStringArray(keywords) { keywordPointers in
            Self.withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else { throw PostgresError(kind: .connection, message: "libpq could not allocate a connection") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection)).trimmingSpaces
            PQfinish(connection)
            throw PostgresError(kind: .connection, message: message)
        }
        // Notices (e.g. "relation already exists, skipping") would go to stderr unstructured; drop them.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
    }

    deinit { PQfinish(handle) }

    /// True while libpq believes the connection usable; false after the server went away.
    public var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    /// True when the connection is inside a transaction block (or a failed one) that was not ended.
    public var isInTransaction: Bool { PQtransactionStatus(handle) != PQTRANS_IDLE }

    /// The backend process id, for `pg_terminate_backend` in tests and for logs.
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// Runs one parameterised statement and returns its rows.
    /// - Throws: `PostgresError` carrying the server's SQLSTATE and fields, or kind `.connection`.
    public func query(_ sql: SQL) throws(PostgresError) -> Rows {
        let count = Int32(sql.binds.count)
        let types = sql.binds.map { Oid($0.type) }
        let result: OpaquePointer? = Self.withOptionalCStringArray(sql.binds.map(\.text)) { values in
            types.withUnsafeBufferPointer { typePointer in
                PQexecParams(handle, sql.text, count, typePointer.baseAddress, values, nil, nil, 0)
            }
        }
        return try consume(result)
    }

    /// Runs a script of several statements with no parameters (migration files only).
    public func executeScript(_ sql: SQL) throws(PostgresError) {
        precondition(sql.binds.isEmpty, "a script takes no parameters")
        var result = PQexec(handle, sql.text)
        _ = try consume(result)
        // PQexec returns the last result only; drain any others so the connection is ready again.
        result = PQgetResult(handle)
        while let extra = result {
            PQclear(extra)
            result = PQgetResult(handle)
        }
    }

    private func consume(_ result: OpaquePointer?) throws(PostgresError) -> Rows {
        guard let result else {
            throw PostgresError(kind: .connection, message: String(cString: PQerrorMessage(handle)).trimmingSpaces)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return Rows(copying: result)
        default:
            throw error(from: result)
        }
    }

    private func error(from result: OpaquePointer) -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let value = PQresultErrorField(result, code) else { return nil }
            return String(cString: value)
        }
        let state = field(Int32(UInt8(ascii: "C")))  // PG_DIAG_SQLSTATE
        let message = field(Int32(UInt8(ascii: "M"))) ?? String(cString: PQresultErrorMessage(result)).trimmingSpaces
        let lost = state == nil && !isHealthy
        return PostgresError(
            kind: lost ? .connection : .server,
            sqlState: state.map(SQLState.init),
            message: message.isEmpty ? String(cString: PQerrorMessage(handle)).trimmingSpaces : message,
            detail: field(Int32(UInt8(ascii: "D"))),
            hint: field(Int32(UInt8(ascii: "H"))),
            constraint: field(Int32(UInt8(ascii: "n"))),
            table: field(Int32(UInt8(ascii: "t"))),
            column: field(Int32(UInt8(ascii: "c")))
        )
    }

    private static func keywordsSet(in conninfo: String) -> Set<String> {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &error) else {
            PQfreemem(error)
            return []
        }
        defer { PQconninfoFree(options) }
        var keys: Set<String> = []
        var option = options
        while let keyword = option.pointee.keyword {
            if option.pointee.val != nil { keys.insert(String(cString: keyword)) }
            option += 1
        }
        return keys
    }

    /// A NULL-terminated array of C strings, as `PQconnectdbParams` wants.
    private static func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        withOptionalCStringArray(strings + [nil], body)
    }

    /// Passes C strings that live for the duration of `body`; nil entries stay NULL, and an empty list is a NULL
    /// pointer (libpq takes NULL for "no parameters").
    private static func withOptionalCStringArray<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        let owned: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
        defer { owned.forEach { free($0) } }
        let pointers = owned.map { UnsafePointer($0) }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
