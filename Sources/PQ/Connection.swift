import Foundation
import CLibPQ

/// One libpq connection, in libpq's non-blocking mode.
///
/// Statements are sent from the caller's thread without blocking, and the caller suspends on the `SocketPoller` until
/// the answer arrives; only connecting blocks, and the pool does that on a thread of its own.
///
/// It is `@unchecked Sendable` because it keeps its own invariants: one statement at a time (a queue of turns, so two
/// `async let` queries on one transaction wait for each other, in order, instead of corrupting the connection), and a
/// cancel that may come from any thread (`cancelRunningStatement()`, through libpq's thread-safe `PQcancel`).
///
/// Statements are prepared once per connection and reused by their text (`PQsendPrepare`, then `PQsendQueryPrepared`
/// with the values still bound as parameters): the `preparedStatementLimit` most recently used are kept, the least
/// recently used is deallocated first, and all go with the connection.
public final class Connection: @unchecked Sendable {
    let handle: OpaquePointer
    /// libpq's cancel key for this backend; valid as long as the connection (PQgetCancel, libpq 15).
    private let canceller: OpaquePointer?
    let poller: SocketPoller
    /// Guards `running` and `statementNumber`, which a cancel from another thread reads.
    private let cancelLock = NSLock()
    private var running = false
    private var statementNumber: UInt64 = 0
    /// Guards `busy`, `turns`, `cancelling` and `handOffAfterCancel`: a statement holds the connection; the others
    /// wait in `turns`, first come first served.
    private let turnLock = NSLock()
    private var busy = false
    /// A cancel is on its way to the server: the turn is not handed on until it has arrived, so it can only ever
    /// reach the statement it was meant for.
    private var cancelling = false
    private var handOffAfterCancel = false
    private var turns: [CheckedContinuation<Void, Never>] = []

    /// The most prepared statements kept on this connection.
    public let preparedStatementLimit: Int
    /// Touched only by the statement whose turn it is.
    private var prepared: [String: PreparedStatement] = [:]
    private var preparedCount = 0
    private var useClock: UInt64 = 0

    private struct PreparedStatement {
        var name: String
        var lastUsed: UInt64
    }

    /// Connects with a libpq conninfo string or URI (empty: the standard `PG*` variables and service files), then runs
    /// `setUp` (if any) before anyone else can use it. Blocks: call it from a thread that may block.
    /// - Parameters:
    ///   - conninfo: `postgresql://user@host:5432/db?sslmode=…`, or `host=… dbname=…`, or `""`.
    ///   - overrides: keywords that take precedence over the conninfo (e.g. `dbname` for test databases).
    ///   - fallbacks: keywords used only where the conninfo and environment say nothing (e.g. `connect_timeout`).
    ///   - preparedStatementLimit: how many prepared statements to keep (0: prepare none, send each with its text).
    /// - Throws: `PostgresError` of kind `.connection`, with libpq's message, or the set-up statement's error.
    init(
        conninfo: String, overrides: [String: String] = [:], fallbacks: [String: String] = [:], preparedStatementLimit: Int = 100,
        setUp: String? = nil, poller: SocketPoller
    ) throws(PostgresError) {
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
        // PQexec still waits in non-blocking mode, so the set-up below is one blocking round trip.
        var failure: PostgresError?
        if let setUp {
            let result = PQexec(connection, setUp)
            if result == nil || (PQresultStatus(result) != PGRES_TUPLES_OK && PQresultStatus(result) != PGRES_COMMAND_OK) {
                failure = PostgresError(kind: .connection, message: String(cString: PQerrorMessage(connection)).trimmingSpaces)
            }
            PQclear(result)
        }
        if failure == nil, PQsetnonblocking(connection, 1) != 0 {
            failure = PostgresError(kind: .connection, message: "libpq could not make the connection non-blocking")
        }
        if let failure {
            PQfinish(connection)
            throw failure
        }
        handle = connection
        canceller = PQgetCancel(connection)
        self.poller = poller
        self.preparedStatementLimit = max(0, preparedStatementLimit)
    }

    deinit {
        if let canceller { PQfreeCancel(canceller) }
        PQfinish(handle)
    }

    /// True while libpq believes the connection usable; false after the server went away.
    public var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    /// True when the connection is inside a transaction block (or a failed one) that was not ended.
    public var isInTransaction: Bool { PQtransactionStatus(handle) != PQTRANS_IDLE }

    /// The backend process id, for `pg_terminate_backend` in tests and for logs.
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// Runs one parameterised statement and returns its rows. Statements on one connection run one at a time.
    /// - Throws: `PostgresError` carrying the server's SQLSTATE and fields, or kind `.connection`.
    public func query(_ sql: SQL) async throws -> Rows {
        let values = sql.binds.map(\.text)
        // libpq passes parameters as C strings, which end at the first NUL: refuse rather than send less than was given.
        if values.contains(where: { $0?.utf8.contains(0) == true }) {
            throw PostgresError(kind: .server, sqlState: .characterNotInRepertoire, message: "a text parameter contains a NUL character")
        }
        await takeTurn()
        defer { giveTurn() }
        beginStatement()
        defer { endStatement() }
        let count = Int32(sql.binds.count)
        guard let name = try await preparedName(for: sql) else {
            let types = sql.binds.map { Oid($0.type) }
            let sent = Self.withOptionalCStringArray(values) { values in
                types.withUnsafeBufferPointer { PQsendQueryParams(handle, sql.text, count, $0.baseAddress, values, nil, nil, 0) }
            }
            return try await outcome(ofSending: sent)
        }
        let sent = Self.withOptionalCStringArray(values) { values in PQsendQueryPrepared(handle, name, count, values, nil, nil, 0) }
        return try await outcome(ofSending: sent)
    }

    /// Runs a script of several statements with no parameters (migration files only).
    public func executeScript(_ sql: SQL) async throws {
        precondition(sql.binds.isEmpty, "a script takes no parameters")
        await takeTurn()
        defer { giveTurn() }
        beginStatement()
        defer { endStatement() }
        _ = try await outcome(ofSending: PQsendQuery(handle, sql.text))
    }

    /// The name of `sql`'s prepared statement, preparing it first if this connection has not; nil when caching is off.
    /// Called in the statement's turn.
    private func preparedName(for sql: SQL) async throws -> String? {
        guard preparedStatementLimit > 0 else { return nil }
        useClock += 1
        // The parameter types are part of a prepared statement, so they are part of its key.
        let key = sql.binds.isEmpty ? sql.text : sql.text + "\u{0}" + sql.binds.map { String($0.type) }.joined(separator: ",")
        if let found = prepared[key] {
            prepared[key]?.lastUsed = useClock
            return found.name
        }
        if prepared.count >= preparedStatementLimit, let oldest = prepared.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            // libpq 15 has no PQsendClosePrepared; DEALLOCATE does the same in one round trip. The name is ours, never input.
            _ = try await outcome(ofSending: PQsendQuery(handle, "DEALLOCATE \(oldest.value.name)"))
            prepared[oldest.key] = nil
        }
        preparedCount += 1
        let name = "cf_\(preparedCount)"
        let types = sql.binds.map { Oid($0.type) }
        let sent = types.withUnsafeBufferPointer { PQsendPrepare(handle, name, sql.text, Int32(types.count), $0.baseAddress) }
        _ = try await outcome(ofSending: sent)
        prepared[key] = PreparedStatement(name: name, lastUsed: useClock)
        return name
    }

    /// Waits, without blocking a thread, for everything the statement just sent returns: the last result's rows, or
    /// the first error. `sent` is what libpq's `PQsend…` call returned (1: queued).
    private func outcome(ofSending sent: Int32) async throws -> Rows {
        guard sent == 1 else { throw connectionError() }
        let socket = PQsocket(handle)
        guard socket >= 0 else { throw connectionError() }
        // What did not fit in the socket's buffer is sent as the server reads; its answers are read meanwhile.
        while true {
            let flushed = PQflush(handle)
            if flushed == 0 { break }
            guard flushed > 0 else { throw connectionError() }
            let ready = try await poller.wait(for: [.readable, .writable], on: socket)
            if ready.contains(.readable), PQconsumeInput(handle) == 0 { throw connectionError() }
        }
        var rows: Rows?
        var failure: PostgresError?
        while true {
            while PQisBusy(handle) != 0 {
                _ = try await poller.wait(for: SocketPoller.Events.readable, on: socket)
                guard PQconsumeInput(handle) == 1 else { throw connectionError() }
            }
            guard let result = PQgetResult(handle) else { break }
            do {
                rows = try consume(result)
            } catch {
                if failure == nil { failure = error }
            }
        }
        if let failure { throw failure }
        guard let rows else { throw connectionError() }
        return rows
    }

    func connectionError() -> PostgresError {
        PostgresError(kind: .connection, message: String(cString: PQerrorMessage(handle)).trimmingSpaces)
    }

    /// Waits until no other statement holds the connection, then holds it.
    private func takeTurn() async {
        let free = turnLock.withLock {
            if busy { return false }
            busy = true
            return true
        }
        if free { return }
        await withCheckedContinuation { (turn: CheckedContinuation<Void, Never>) in
            let now = turnLock.withLock {
                if busy {
                    turns.append(turn)
                    return false
                }
                busy = true
                return true
            }
            if now { turn.resume() }
        }
    }

    /// Hands the connection to the next statement waiting, if any (after a cancel in flight has arrived).
    private func giveTurn() {
        let next: CheckedContinuation<Void, Never>? = turnLock.withLock {
            if cancelling {
                handOffAfterCancel = true
                return nil
            }
            return nextTurnLocked()
        }
        next?.resume()
    }

    /// The next statement's turn, or none (and the connection free). Called with `turnLock` held.
    private func nextTurnLocked() -> CheckedContinuation<Void, Never>? {
        if turns.isEmpty {
            busy = false
            return nil
        }
        return turns.removeFirst()
    }

    private func beginStatement() {
        cancelLock.lock()
        defer { cancelLock.unlock() }
        statementNumber += 1
        running = true
    }

    private func endStatement() {
        cancelLock.lock()
        defer { cancelLock.unlock() }
        running = false
    }

    /// Asks the server to cancel the statement running now, from any thread but the one running it.
    ///
    /// The cancel is sent from another thread, and only while the same statement still runs, so it can never reach a
    /// later statement (another task's, once the connection is back in the pool). A statement cancelled before the
    /// server began it runs on to its end or to `statement_timeout`; that window is a few microseconds.
    public func cancelRunningStatement() {
        cancelLock.lock()
        let statement = running ? statementNumber : nil
        cancelLock.unlock()
        guard let statement else { return }
        // PQcancel opens a connection of its own to the server; never do that on the caller's (maybe event-loop) thread.
        DispatchQueue.global().async { self.cancel(ifStillRunning: statement) }
    }

    private func cancel(ifStillRunning statement: UInt64) {
        cancelLock.lock()
        guard running, statementNumber == statement, let canceller else {
            cancelLock.unlock()
            return
        }
        // The statement still holds its turn; from here the turn is not handed on until the cancel has arrived, so
        // the statement may end meanwhile but no other can begin. No lock is held while the cancel travels.
        turnLock.withLock { cancelling = true }
        cancelLock.unlock()
        var message = [CChar](repeating: 0, count: 256)
        _ = PQcancel(canceller, &message, 256)
        let next: CheckedContinuation<Void, Never>? = turnLock.withLock {
            cancelling = false
            guard handOffAfterCancel else { return nil }
            handOffAfterCancel = false
            return nextTurnLocked()
        }
        next?.resume()
    }

    func consume(_ result: OpaquePointer?) throws(PostgresError) -> Rows {
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
}
