import Logging
import NIOCore
import NIOPosix
import Synchronization
import ServiceLifecycle

/// A bounded pool of libpq connections. Statements never block a thread: they are sent without waiting and their
/// answers are awaited on the pool's `SocketPoller`. Only connecting blocks, on the pool's own small `NIOThreadPool`,
/// never on Swift concurrency's cooperative threads.
///
/// ```swift
/// let pool = ConnectionPool(configuration: .init(conninfo: url, size: 10), logger: logger)
/// let count = try await pool.withConnection { try await $0.query("SELECT count(*) FROM schools") }
/// ```
/// Broken connections are discarded (all idle ones with them: a restart of PostgreSQL kills them together)
/// and new ones are opened on demand, so the pool recovers by itself after the database comes back.
public actor ConnectionPool: Service {
    public struct Configuration: Sendable {
        /// libpq conninfo string or URI; empty uses the `PG*` environment variables.
        public var conninfo: String
        /// Keywords that override the conninfo (tests use `dbname`).
        public var overrides: [String: String]
        /// The most connections open at once.
        public var size: Int
        /// How long a caller waits for a free connection before `PostgresError.Kind.poolTimeout`.
        public var acquireTimeout: Duration
        /// `statement_timeout` set on every connection, in milliseconds (0: none).
        public var statementTimeoutMilliseconds: Int
        /// `application_name`, unless the conninfo sets one.
        public var applicationName: String
        /// `connect_timeout` in seconds, unless the conninfo sets one.
        public var connectTimeoutSeconds: Int
        /// Prepared statements kept per connection, least recently used dropped first (0: none).
        public var preparedStatementLimit: Int

        public init(
            conninfo: String, overrides: [String: String] = [:], size: Int = 10, acquireTimeout: Duration = .seconds(5),
            statementTimeoutMilliseconds: Int = 15_000, applicationName: String = "clusterfund", connectTimeoutSeconds: Int = 5,
            preparedStatementLimit: Int = 100
        ) {
            self.conninfo = conninfo
            self.overrides = overrides
            self.size = max(1, size)
            self.acquireTimeout = acquireTimeout
            self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
            self.applicationName = applicationName
            self.connectTimeoutSeconds = connectTimeoutSeconds
            self.preparedStatementLimit = preparedStatementLimit
        }
    }

    /// What the pool is doing now, for `/metrics`.
    public struct Statistics: Sendable {
        public var open: Int
        public var inUse: Int
        public var waiting: Int
        public var size: Int
    }

    public nonisolated let configuration: Configuration
    let logger: Logger
    /// Where connections are opened (libpq's connect blocks).
    private let threads: NIOThreadPool
    /// Where the connections' answers are awaited.
    private let poller = SocketPoller()
    /// The connection that carries `pipelined` statements, once opened.
    /// Read from any thread without a hop to the actor.
    private nonisolated let pipelineBox = Mutex<Pipeline?>(nil)
    private var pipelineOpening: Task<Pipeline, any Error>?
    private var idle: [Connection] = []
    private var open = 0
    private var waiters: [Waiter] = []
    /// Where the waiters' timeouts run.
    private let timers: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    private var nextWaiterID = 0
    private var closed = false

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        threads = NIOThreadPool(numberOfThreads: min(configuration.size, 2))
        threads.start()
    }

    public var statistics: Statistics {
        Statistics(open: open, inUse: open - idle.count, waiting: waiters.count, size: configuration.size)
    }

    /// Leases a connection for the duration of `body`, then returns it (or discards it if it broke).
    /// The body runs off the pool's actor, so callers never queue behind each other's work.
    @discardableResult
    public nonisolated func withConnection<T>(_ body: (Lease) async throws -> T) async throws -> T {
        let connection = try await acquire()
        let lease = Lease(connection: connection)
        do {
            let value = try await body(lease)
            await release(connection)
            return value
        } catch {
            await release(connection)
            throw error
        }
    }

    /// Runs one statement outside any transaction block on the pool's pipeline: a connection of its own (beyond
    /// `size`) that carries many callers' statements at once, for the short statements every request makes.
    /// Such a statement must never wait on a lock (it would hold up every one behind it: plain reads only), and be
    /// safe to run twice: when the pipeline's connection turns out dead (the server restarted since), it runs once
    /// more on a new one. It is not cancelled with its task.
    public nonisolated func pipelined(_ sql: SQL) async throws -> Rows {
        do {
            return try await currentPipeline().query(sql)
        } catch let error as PostgresError where error.isConnectionFailure {
            return try await currentPipeline().query(sql)
        }
    }

    /// The pipeline, opened (again) when there is none or it failed.
    private nonisolated func currentPipeline() async throws -> Pipeline {
        if let pipeline = pipelineBox.withLock({ $0 }), pipeline.isHealthy { return pipeline }
        return try await openPipeline()
    }

    private func openPipeline() async throws -> Pipeline {
        if closed { throw PostgresError(kind: .poolClosed, message: "the connection pool is closed") }
        if let pipeline = pipelineBox.withLock({ $0 }) {
            if pipeline.isHealthy { return pipeline }
            logger.warning("discarded the broken pipeline connection")
            pipelineBox.withLock { $0 = nil }
        }
        // Callers arriving while it opens wait for the same one.
        if let opening = pipelineOpening { return try await opening.value }
        let opening = Task { try Pipeline(connection: try await self.connect()) }
        pipelineOpening = opening
        defer { pipelineOpening = nil }
        let pipeline = try await opening.value
        if closed {
            // The pool closed while this one opened: it must not outlive it.
            pipeline.fail(PostgresError(kind: .poolClosed, message: "the connection pool is closed"))
            throw PostgresError(kind: .poolClosed, message: "the connection pool is closed")
        }
        pipelineBox.withLock { $0 = pipeline }
        return pipeline
    }

    /// Waits for graceful shutdown, then closes every connection and stops the threads.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    /// Closes idle connections, fails waiters, and refuses new leases; leased connections close on return.
    public func close() async {
        guard !closed else { return }
        closed = true
        open -= idle.count
        idle.removeAll()
        for waiter in waiters {
            waiter.timer.cancel()
            waiter.continuation.resume(throwing: PostgresError(kind: .poolClosed, message: "the connection pool is closed"))
        }
        waiters.removeAll()
        let pipeline = pipelineBox.withLock { box in
            defer { box = nil }
            return box
        }
        pipeline?.fail(PostgresError(kind: .poolClosed, message: "the connection pool is closed"))
        poller.stop()
        try? await threads.shutdownGracefully()
    }

    /// What ends a wait: a released connection, or a freed slot to connect in (the timer ends it with an error).
    private enum Wake: Sendable {
        case connection(Connection)
        case slot
    }

    /// A caller waiting for a connection, and the timer that gives up for it.
    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Wake, any Error>
        var timer: Scheduled<Void>
    }

    private func acquire() async throws -> Connection {
        if closed { throw PostgresError(kind: .poolClosed, message: "the connection pool is closed") }
        if let connection = idle.popLast() { return connection }
        if open < configuration.size {
            open += 1
            return try await connectInSlot()
        }
        // Every connection is leased: wait in line. The timeout is a timer on an event loop, cancelled when the wait
        // ends, so a wait costs no task of its own; a cancelled task leaves the line at once.
        let id = nextWaiterID
        nextWaiterID += 1
        let timeout = configuration.acquireTimeout.components
        let wake: Wake = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let timer = timers.next().scheduleTask(
                    in: .nanoseconds(timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000)
                ) { _ = Task { await self.expireWaiter(id) } }
                waiters.append(Waiter(id: id, continuation: continuation, timer: timer))
            }
        } onCancel: {
            Task { await self.expireWaiter(id, cancelled: true) }
        }
        switch wake {
        case .connection(let connection): return connection
        case .slot: return try await connectInSlot()
        }
    }

    private func expireWaiter(_ id: Int, cancelled: Bool = false) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.timer.cancel()
        let seconds = Double(configuration.acquireTimeout.components.seconds)
            + Double(configuration.acquireTimeout.components.attoseconds) / 1e18
        waiter.continuation.resume(
            throwing: cancelled
                ? CancellationError()
                : PostgresError(
                    kind: .poolTimeout,
                    message: "no database connection became free within \(seconds) s (pool size \(configuration.size))"
                ) as any Error
        )
    }

    /// Ends the first wait in line with `wake`.
    private func wakeFirstWaiter(_ wake: Wake) {
        let waiter = waiters.removeFirst()
        waiter.timer.cancel()
        waiter.continuation.resume(returning: wake)
    }

    /// Opens a connection in a slot already counted in `open`; frees the slot if connecting fails.
    private func connectInSlot() async throws -> Connection {
        do {
            return try await connect()
        } catch {
            freeSlot()
            throw error
        }
    }

    /// Opens a connection, on the pool's threads: libpq's connect blocks.
    private func connect() async throws -> Connection {
        do {
            let configuration = configuration
            let poller = poller
            return try await threads.runIfActive { () throws -> Connection in
                // Every session speaks UTC and ISO dates, so timestamptz text decodes without guessing.
                try Connection(
                    conninfo: configuration.conninfo,
                    overrides: configuration.overrides,
                    fallbacks: [
                        "application_name": configuration.applicationName,
                        "connect_timeout": String(configuration.connectTimeoutSeconds),
                    ],
                    preparedStatementLimit: configuration.preparedStatementLimit,
                    setUp: """
                        SELECT set_config('statement_timeout', '\(configuration.statementTimeoutMilliseconds)', false),
                               set_config('TimeZone', 'UTC', false), set_config('DateStyle', 'ISO, YMD', false)
                        """,
                    poller: poller
                )
            }
        } catch {
            logger.warning("database connection failed", metadata: ["error.kind": "\((error as? PostgresError)?.kind.rawValue ?? "other")"])
            throw error
        }
    }

    private func release(_ connection: Connection) async {
        guard !closed else {
            open -= 1
            return
        }
        if !connection.isHealthy {
            // The server went away: the idle connections went with it. Drop them all and start again.
            logger.warning("discarded broken database connections", metadata: ["count": "\(idle.count + 1)"])
            open -= idle.count
            idle.removeAll()
            freeSlot()
            return
        }
        if connection.isInTransaction {
            // A body returned or threw inside a transaction it did not end: never hand that state on. Straight on the
            // connection, with no cancellation handler: a cancelled request's connection is exactly the one that most
            // needs its rollback.
            let rolledBack = (try? await connection.query("ROLLBACK")) != nil
            if !rolledBack {
                freeSlot()
                return
            }
        }
        if !waiters.isEmpty {
            wakeFirstWaiter(.connection(connection))
        } else {
            idle.append(connection)
        }
    }

    /// A connection was closed: give its slot to the first waiter, who will open a new one.
    private func freeSlot() {
        if !waiters.isEmpty {
            wakeFirstWaiter(.slot)
        } else {
            open -= 1
        }
    }
}
