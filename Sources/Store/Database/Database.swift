import Domain
import Logging
import PQ
import ServiceLifecycle
import Synchronization

/// The store's door to PostgreSQL: the connection pool and the migrations, and the one place where
/// PostgreSQL's errors become `DomainError` or `StoreError`.
///
/// ```swift
/// let database = try Database(configuration: .init(url: env["DATABASE_URL"] ?? ""), logger: logger)
/// let readiness = await database.readiness()
/// ```
public final class Database: Sendable {
    public struct Configuration: Sendable {
        /// libpq connection URI or conninfo; empty means the standard `PG*` environment variables.
        public var url: String
        /// libpq keywords that override the URL (tests point `dbname` at their own database).
        public var overrides: [String: String]
        public var poolSize: Int
        public var acquireTimeout: Duration
        public var statementTimeoutMilliseconds: Int
        /// The folder of numbered migration files.
        public var migrationsDirectory: String

        public init(
            url: String, overrides: [String: String] = [:], poolSize: Int = 10, acquireTimeout: Duration = .seconds(5),
            statementTimeoutMilliseconds: Int = 15_000, migrationsDirectory: String = "sql"
        ) {
            self.url = url
            self.overrides = overrides
            self.poolSize = poolSize
            self.acquireTimeout = acquireTimeout
            self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
            self.migrationsDirectory = migrationsDirectory
        }
    }

    let pool: ConnectionPool
    let migrator: Migrator
    let logger: Logger
    /// Set once the database's migrations were found to match the files; `/ready` then only checks they still do.
    let verifiedMigrations = Mutex<MigrationMark?>(nil)

    /// - Throws: when the migrations folder cannot be read.
    public init(configuration: Configuration, logger: Logger) throws {
        pool = ConnectionPool(
            configuration: .init(
                conninfo: configuration.url,
                overrides: configuration.overrides,
                size: configuration.poolSize,
                acquireTimeout: configuration.acquireTimeout,
                statementTimeoutMilliseconds: configuration.statementTimeoutMilliseconds
            ),
            logger: logger
        )
        migrator = try Migrator(directory: configuration.migrationsDirectory)
        self.logger = logger
    }

    /// The long-lived services to run with the application (the pool closes on graceful shutdown).
    public var services: [any Service] { [pool] }

    /// Closes the pool now (for commands that do not run a service group).
    public func close() async { await pool.close() }

    /// Connections open, in use and waited for.
    public func poolStatistics() async -> (open: Int, inUse: Int, waiting: Int, size: Int) {
        let statistics = await pool.statistics
        return (statistics.open, statistics.inUse, statistics.waiting, statistics.size)
    }

    /// Runs `body` in a transaction and translates PostgreSQL's failures into the store's vocabulary.
    @discardableResult
    func transaction<T>(
        isolation: IsolationLevel = .readCommitted, _ body: (Transaction) async throws -> T
    ) async throws -> T {
        do {
            return try await pool.withTransaction(isolation: isolation, body)
        } catch let error as PostgresError {
            throw translate(error)
        }
    }

    /// Runs one statement on its own, outside any transaction block (PostgreSQL commits it by itself): one round
    /// trip, for hot paths that need nothing else. It runs as the pool's role with no acting user, so it can reach
    /// only what a `SECURITY DEFINER` function hands back.
    ///
    /// A `read` goes on the pool's pipeline, with other requests' statements: it must be short, never wait on a lock
    /// (a plain read never does), and be safe to run twice. Anything else leases a connection of its own.
    func statement(_ sql: SQL, read: Bool) async throws -> Rows {
        do {
            if read { return try await pool.pipelined(sql) }
            return try await pool.withConnection { try await $0.query(sql) }
        } catch let error as PostgresError {
            throw translate(error)
        }
    }

    func translate(_ error: PostgresError) -> any Error {
        if error.isConnectionFailure || error.kind == .poolTimeout || error.kind == .poolClosed {
            logger.warning("database unavailable", metadata: ["kind": "\(error.kind.rawValue)", "sqlstate": "\(error.sqlState?.code ?? "-")"])
            return StoreError.unavailable(reason: error.kind == .poolTimeout ? "the database is busy" : "the database cannot be reached")
        }
        switch error.sqlState {
        case .queryCanceled?, .serializationFailure?, .deadlockDetected?:
            return StoreError.unavailable(reason: "the database is busy")
        case .uniqueViolation?, .exclusionViolation?:
            return DomainError.conflict("That record already exists.")
        case .characterNotInRepertoire?:
            return DomainError.validation([.init(pointer: "", detail: "Text cannot contain a NUL character.")])
        default:
            return StoreError.unexpected(summary: error.logSummary)
        }
    }
}
