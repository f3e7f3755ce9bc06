import CLibPQ
import Foundation

/// One connection that carries many callers' single statements at once (libpq's pipeline mode, libpq 14 and later).
///
/// Each statement is sent as soon as it is asked for, with a sync point of its own, without waiting for the answers
/// to those before it; PostgreSQL runs them back to back and the answers come back in order. Under load one wake-up
/// of the server and of the poller serves a batch of callers, where a connection each would wake both for every one.
/// For short reads outside any transaction block only (the actor lookup, readiness): each runs in an implicit
/// transaction of its own, and an error fails that statement alone. A statement that waited on a lock would hold up
/// every one behind it, so writes never come here. A statement here is not cancelled with its task.
final class Pipeline: @unchecked Sendable {
    private let connection: Connection
    /// Guards every libpq call on the connection and the state below: callers send on their own threads, and the
    /// reader reads on its.
    private let lock = NSLock()
    /// The statements sent and not yet answered, oldest first.
    private var pending: [Pending] = []
    private var reading = false
    private var unsent = false
    /// Set once the connection has failed: every later statement fails at once, and the pool opens a new pipeline.
    private(set) var failure: PostgresError?
    private var prepared: [String: String] = [:]
    private var preparedCount = 0

    /// The most distinct statements prepared on the pipeline; past it, statements are sent with their text.
    static let preparedStatementLimit = 20

    private struct Pending {
        var continuation: CheckedContinuation<Rows, any Error>
        var rows: Rows?
        var failure: PostgresError?
        /// The key of the statement prepared with this one, forgotten if preparing fails.
        var preparedKey: String?
        var resultsSeen = 0
    }

    /// Puts `connection` (idle, just opened) in pipeline mode.
    init(connection: Connection) throws(PostgresError) {
        guard PQenterPipelineMode(connection.handle) == 1 else { throw connection.connectionError() }
        self.connection = connection
    }

    var isHealthy: Bool { lock.withLock { failure == nil && connection.isHealthy } }

    /// Runs one statement outside any transaction and returns its rows.
    func query(_ sql: SQL) async throws -> Rows {
        let values = sql.binds.map(\.text)
        if values.contains(where: { $0?.utf8.contains(0) == true }) {
            throw PostgresError(kind: .server, sqlState: .characterNotInRepertoire, message: "a text parameter contains a NUL character")
        }
        return try await withCheckedThrowingContinuation { continuation in
            if lock.withLock({ send(sql, values: values, continuation: continuation) }) {
                Task { await self.read() }
            }
        }
    }

    /// Stops: statements waiting fail, and later ones fail at once.
    func fail(_ error: PostgresError) {
        let waiting = lock.withLock { failEverything(error) }
        waiting.forEach { $0.resume(throwing: error) }
    }

    /// Sends `sql` and records who waits for it; true when a reader must be started. Called with `lock` held.
    private func send(_ sql: SQL, values: [String?], continuation: CheckedContinuation<Rows, any Error>) -> Bool {
        if let failure {
            continuation.resume(throwing: failure)
            return false
        }
        let handle = connection.handle
        let count = Int32(sql.binds.count)
        let types = sql.binds.map { Oid($0.type) }
        let key = sql.text + "\u{0}" + types.map(String.init).joined(separator: ",")
        var preparedKey: String?
        var name = prepared[key]
        if name == nil, prepared.count < Self.preparedStatementLimit {
            // Prepared and run under one sync: if preparing fails, the run is skipped and the caller gets the reason.
            preparedCount += 1
            let newName = "cf_pipeline_\(preparedCount)"
            let sent = types.withUnsafeBufferPointer { PQsendPrepare(handle, newName, sql.text, count, $0.baseAddress) }
            if sent == 1 {
                prepared[key] = newName
                preparedKey = key
                name = newName
            }
        }
        let sent: Int32 = Connection.withOptionalCStringArray(values) { values in
            if let name { return PQsendQueryPrepared(handle, name, count, values, nil, nil, 0) }
            return types.withUnsafeBufferPointer { PQsendQueryParams(handle, sql.text, count, $0.baseAddress, values, nil, nil, 0) }
        }
        guard sent == 1, PQpipelineSync(handle) == 1 else {
            let error = connection.connectionError()
            let waiting = failEverything(error)
            waiting.forEach { $0.resume(throwing: error) }
            continuation.resume(throwing: error)
            return false
        }
        pending.append(Pending(continuation: continuation, preparedKey: preparedKey))
        flush()
        if let failure {
            failEverything(failure).forEach { $0.resume(throwing: failure) }
            return false
        }
        guard !reading else { return false }
        reading = true
        return true
    }

    /// Reads answers as they arrive, until none is awaited.
    private func read() async {
        let socket = PQsocket(connection.handle)
        while true {
            let events: SocketPoller.Events = lock.withLock { unsent ? [.readable, .writable] : .readable }
            let ready: SocketPoller.Events
            do {
                ready = try await connection.poller.wait(for: events, on: socket)
            } catch {
                fail((error as? PostgresError) ?? PostgresError(kind: .connection, message: "\(error)"))
                return
            }
            var answered: [(CheckedContinuation<Rows, any Error>, Result<Rows, PostgresError>)] = []
            var failed: [CheckedContinuation<Rows, any Error>] = []
            var failedWith: PostgresError?
            let done: Bool = lock.withLock {
                if ready.contains(.writable) { flush() }
                guard PQconsumeInput(connection.handle) == 1 else {
                    let error = connection.connectionError()
                    failedWith = error
                    failed = failEverything(error)
                    return true
                }
                answered = drain()
                if let failure {
                    failedWith = failure
                    failed = failEverything(failure)
                }
                if pending.isEmpty && !unsent || failure != nil {
                    reading = false
                    return true
                }
                return false
            }
            for (continuation, outcome) in answered { continuation.resume(with: outcome) }
            if let failedWith { failed.forEach { $0.resume(throwing: failedWith) } }
            if done { return }
        }
    }

    /// Takes every answer that has arrived, in order. Called with `lock` held.
    private func drain() -> [(CheckedContinuation<Rows, any Error>, Result<Rows, PostgresError>)] {
        var answered: [(CheckedContinuation<Rows, any Error>, Result<Rows, PostgresError>)] = []
        var endsInARow = 0
        // A statement's answer is its results, each followed by NULL, then its sync point.
        while !pending.isEmpty, PQisBusy(connection.handle) == 0, endsInARow < 2 {
            guard let result = PQgetResult(connection.handle) else {
                endsInARow += 1
                continue
            }
            endsInARow = 0
            switch PQresultStatus(result) {
            case PGRES_PIPELINE_SYNC:
                PQclear(result)
                let done = pending.removeFirst()
                if let failure = done.failure {
                    answered.append((done.continuation, .failure(failure)))
                } else if let rows = done.rows {
                    answered.append((done.continuation, .success(rows)))
                } else {
                    answered.append((done.continuation, .failure(PostgresError(kind: .connection, message: "no answer to the statement"))))
                }
            case PGRES_PIPELINE_ABORTED:
                PQclear(result)  // skipped after its own statement's error, which is recorded
            default:
                pending[0].resultsSeen += 1
                do {
                    pending[0].rows = try connection.consume(result)
                } catch {
                    if pending[0].failure == nil { pending[0].failure = error }
                    // Preparing failed (its result comes first): forget the name, so the next caller prepares again.
                    if pending[0].resultsSeen == 1, let key = pending[0].preparedKey { prepared[key] = nil }
                }
            }
        }
        return answered
    }

    /// Sends what libpq holds back; notes whether some is left for when the socket can take it. Called with `lock` held.
    private func flush() {
        let flushed = PQflush(connection.handle)
        unsent = flushed == 1
        if flushed < 0 {
            failure = connection.connectionError()
        }
    }

    /// Marks the pipeline failed and hands back everyone waiting. Called with `lock` held.
    private func failEverything(_ error: PostgresError) -> [CheckedContinuation<Rows, any Error>] {
        if failure == nil { failure = error }
        let waiting = pending.map(\.continuation)
        pending.removeAll()
        return waiting
    }
}
