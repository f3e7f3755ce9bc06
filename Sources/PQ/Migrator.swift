import Foundation

/// Applies the numbered plain-SQL files of `sql/` in order, each in its own transaction, and records
/// each one's SHA-256 in `schema_migrations`. Applied files are history: a changed or unknown one stops everything.
///
/// ```swift
/// let migrator = try Migrator(directory: "sql")
/// let applied = try await migrator.migrate(pool)          // as the owner role
/// let status = try await migrator.status(pool)            // as any role that can read schema_migrations
/// ```
public struct Migrator: Sendable {
    /// One file `NNNN_name.sql`.
    public struct Migration: Sendable, Equatable {
        public var version: Int
        public var name: String
        public var sql: String
    }

    /// Where the database stands against the files.
    public enum Status: Sendable, Equatable {
        case current
        case pending([String])
        /// An applied file's content has changed since it was applied: history was edited.
        case changed([String])
        /// The database records a migration that no file has: the code is older than the database.
        case unknownApplied([String])
    }

    public let migrations: [Migration]

    /// Reads every `NNNN_name.sql` in `directory`, ordered by number.
    /// - Throws: `PostgresError` of kind `.migration` when the folder is missing or two files share a number.
    public init(directory: String) throws {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw PostgresError(kind: .migration, message: "cannot read the migrations folder \(directory)")
        }
        var migrations: [Migration] = []
        for file in files where file.hasSuffix(".sql") {
            guard let prefix = file.split(separator: "_").first, let version = Int(prefix) else { continue }
            let path = (directory as NSString).appendingPathComponent(file)
            guard let sql = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw PostgresError(kind: .migration, message: "cannot read migration \(file)")
            }
            migrations.append(Migration(version: version, name: String(file.dropLast(4)), sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (a, b) in zip(migrations, migrations.dropFirst()) where a.version == b.version {
            throw PostgresError(kind: .migration, message: "migrations \(a.name) and \(b.name) share the number \(a.version)")
        }
        self.migrations = migrations
    }

    /// Compares the database with the files without changing anything.
    public func status(_ pool: ConnectionPool) async throws -> Status {
        try await pool.withConnection { try await status(on: $0) }
    }

    /// Applies every pending migration under an advisory lock, so two migrators never race.
    /// - Returns: the names of the migrations applied now.
    @discardableResult
    public func migrate(_ pool: ConnectionPool) async throws -> [String] {
        try await pool.withConnection { lease in
            try await lease.execute("SELECT pg_advisory_lock(\(Self.lockKey))")
            do {
                let applied = try await apply(on: lease)
                try await lease.execute("SELECT pg_advisory_unlock(\(Self.lockKey))")
                return applied
            } catch {
                _ = try? await lease.execute("SELECT pg_advisory_unlock(\(Self.lockKey))")
                throw error
            }
        }
    }

    private static let lockKey: Int64 = 0x636C_7573_7465_72  // "cluster"

    private func apply(on lease: Lease) async throws -> [String] {
        try await lease.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
        switch try await status(on: lease) {
        case .current: return []
        case .changed(let names):
            throw PostgresError(kind: .migration, message: "applied migrations have changed since they ran: \(names.joined(separator: ", "))")
        case .unknownApplied(let names):
            throw PostgresError(kind: .migration, message: "the database has migrations this code does not know: \(names.joined(separator: ", "))")
        case .pending(let names):
            for migration in migrations where names.contains(migration.name) {
                try await lease.execute("BEGIN")
                do {
                    try await lease.executeScript(SQL(unsafeRaw: migration.sql))
                    try await lease.execute(
                        """
                        INSERT INTO schema_migrations (version, name, checksum)
                        VALUES (\(migration.version), \(migration.name), encode(sha256(convert_to(\(migration.sql), 'UTF8')), 'hex'))
                        """
                    )
                    try await lease.execute("COMMIT")
                } catch let error as PostgresError {
                    _ = try? await lease.execute("ROLLBACK")
                    var failure = error
                    failure.message = "migration \(migration.name) failed: \(error.message)"
                    throw failure
                }
            }
            return names
        }
    }

    private func status(on lease: Lease) async throws -> Status {
        let exists = try await lease.first("SELECT to_regclass('schema_migrations') IS NOT NULL")?.decode(Bool.self, at: 0) ?? false
        guard exists else { return migrations.isEmpty ? .current : .pending(migrations.map(\.name)) }
        // Checksums are computed by PostgreSQL itself, so the project needs no hashing library for them.
        let rows = try await lease.query(
            """
            SELECT m.version, m.name, m.checksum = encode(sha256(convert_to(f.sql, 'UTF8')), 'hex')
            FROM schema_migrations m
            LEFT JOIN unnest(\(migrations.map(\.version)), \(migrations.map(\.sql))) AS f(version, sql) ON f.version = m.version
            ORDER BY m.version
            """
        ).decode((Int, String, Bool?).self)
        let known = Set(migrations.map(\.version))
        let unknown = rows.filter { !known.contains($0.0) }.map(\.1)
        if !unknown.isEmpty { return .unknownApplied(unknown) }
        let changed = rows.filter { $0.2 != true }.map(\.1)
        if !changed.isEmpty { return .changed(changed) }
        let applied = Set(rows.map(\.0))
        let pending = migrations.filter { !applied.contains($0.version) }.map(\.name)
        return pending.isEmpty ? .current : .pending(pending)
    }
}
