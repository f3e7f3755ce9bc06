import Foundation
import Logging
import PQ
import Store

/// A database of its own for one test, copied from a template that the production migrator built once.
///
/// ```swift
/// try await TestDatabase.with { db in
///     let pool = db.pool(role: .app)
///     …
/// }
/// ```
/// Connection settings come from `DATABASE_OWNER_URL` and `DATABASE_URL` (set by `scripts/test`);
/// a server that is not on this machine is refused, so tests can never touch a shared database.
public struct TestDatabase: Sendable {
    public enum Role: Sendable {
        /// Owns the schema; runs migrations.
        case owner
        /// The role the server uses.
        case app
    }

    /// This test's database name.
    public let name: String

    /// A new pool on this test's database as `role`. Close it (or let the test end) when done.
    public func pool(role: Role, size: Int = 4, acquireTimeout: Duration = .seconds(5), preparedStatementLimit: Int = 100) -> ConnectionPool {
        ConnectionPool(
            configuration: .init(
                conninfo: TestEnvironment.url(for: role), overrides: ["dbname": name], size: size, acquireTimeout: acquireTimeout,
                preparedStatementLimit: preparedStatementLimit
            ),
            logger: TestEnvironment.logger
        )
    }

    /// The store's configuration for this database as `role`.
    /// A libpq URI for this database as `role`, for command-line tools such as `pg_dump`.
    public func url(role: Role) -> String {
        guard var components = URLComponents(string: TestEnvironment.url(for: role)) else { return "" }
        components.path = "/" + name
        return components.string ?? ""
    }

    public func configuration(role: Role, poolSize: Int = 4, migrationsDirectory: String = TestEnvironment.migrationsDirectory) -> Database.Configuration {
        Database.Configuration(
            url: TestEnvironment.url(for: role), overrides: ["dbname": name], poolSize: poolSize, migrationsDirectory: migrationsDirectory
        )
    }

    /// Runs `body` with a fresh migrated database, dropped afterwards whatever happens.
    public static func with<T>(migrated: Bool = true, _ body: (TestDatabase) async throws -> T) async throws -> T {
        // Swift Testing starts every test at once; a few databases at a time keeps connections under the server's limit.
        await TestDatabasePermits.shared.acquire()
        defer { Task { await TestDatabasePermits.shared.release() } }
        let template = migrated ? try await TemplateBuilder.shared.migratedTemplate() : "template0"
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let maintenance = TestEnvironment.maintenance
        // Names are generated here from hex digits only, so raw text is safe for these identifiers.
        try await maintenance.withConnection { try await $0.execute(SQL(unsafeRaw: "CREATE DATABASE \(name) TEMPLATE \(template)")) }
        do {
            let value = try await body(TestDatabase(name: name))
            try await drop(name)
            return value
        } catch {
            try? await drop(name)
            throw error
        }
    }

    /// Drops the database once its connections have gone. The owner may not terminate the app role's backends
    /// (`WITH (FORCE)` then fails with 42501), and a pool closed a moment ago may still be hanging up; so wait for
    /// them, up to five seconds, before forcing.
    private static func drop(_ name: String) async throws {
        try await TestEnvironment.maintenance.withConnection { lease in
            for _ in 0..<50 {
                let open = try await lease.first("SELECT count(*) FROM pg_stat_activity WHERE datname = \(name)")?.decode(Int.self, at: 0) ?? 0
                if open == 0 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await lease.execute(SQL(unsafeRaw: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
        }
    }
}

/// Where the test cluster is, read once.
public enum TestEnvironment {
    public static let logger: Logger = {
        var logger = Logger(label: "clusterfund.tests")
        logger.logLevel = .warning
        return logger
    }()

    /// The repository's `sql/` folder, found from this file's place in the tree.
    public static let migrationsDirectory: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("sql").path
    }()

    static func url(for role: TestDatabase.Role) -> String {
        let environment = ProcessInfo.processInfo.environment
        switch role {
        case .owner: return environment["DATABASE_OWNER_URL"] ?? environment["DATABASE_URL"] ?? ""
        case .app: return environment["DATABASE_URL"] ?? ""
        }
    }

    /// The owner's connection to the database named in its URL, used to create and drop test databases.
    static let maintenance = ConnectionPool(
        configuration: .init(conninfo: url(for: .owner), size: 2, acquireTimeout: .seconds(60)),
        logger: logger
    )
}

/// Builds the migrated template once per run (and once per migration set across runs), under an advisory lock.
actor TemplateBuilder {
    static let shared = TemplateBuilder()
    private var built: String?

    func migratedTemplate() async throws -> String {
        if let built { return built }
        let migrator = try Migrator(directory: TestEnvironment.migrationsDirectory)
        let name = "cf_template_" + Self.fingerprint(migrator.migrations.map { "\($0.name)\n\($0.sql)" }.joined(separator: "\u{0}"))
        let maintenance = TestEnvironment.maintenance
        try await maintenance.withConnection { lease in
            try await Self.refuseRemoteServer(lease)
            try await lease.execute("SELECT pg_advisory_lock(4242)")
            do {
                let exists = try await lease.first("SELECT 1 FROM pg_database WHERE datname = \(name)") != nil
                if !exists {
                    // A run that died while building leaves "_building" behind; it is never used, so drop it.
                    try await lease.execute(SQL(unsafeRaw: "DROP DATABASE IF EXISTS \(name)_building WITH (FORCE)"))
                    try await lease.execute(SQL(unsafeRaw: "CREATE DATABASE \(name)_building TEMPLATE template0"))
                    let pool = ConnectionPool(
                        configuration: .init(conninfo: TestEnvironment.url(for: .owner), overrides: ["dbname": "\(name)_building"], size: 1),
                        logger: TestEnvironment.logger
                    )
                    try await migrator.migrate(pool)
                    await pool.close()
                    try await lease.execute(SQL(unsafeRaw: "ALTER DATABASE \(name)_building RENAME TO \(name)"))
                }
                try await lease.execute("SELECT pg_advisory_unlock(4242)")
            } catch {
                _ = try? await lease.execute("SELECT pg_advisory_unlock(4242)")
                throw error
            }
        }
        built = name
        return name
    }

    /// Tests run only against a server on this machine (a unix socket or a loopback address).
    private static func refuseRemoteServer(_ lease: Lease) async throws {
        let address = try await lease.first("SELECT host(inet_server_addr())")?.decode(String?.self, at: 0)
        if let address, !(address == "127.0.0.1" || address == "::1") {
            throw PostgresError(kind: .connection, message: "tests refuse to run against a database server at \(address); use scripts/test")
        }
    }

    /// FNV-1a over the migrations, so a changed migration set gets a new template.
    static func fingerprint(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

/// At most `limit` test databases exist at once.
actor TestDatabasePermits {
    static let shared = TestDatabasePermits(limit: 4)
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { available = limit }

    func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            available += 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
