import Logging
import PQ
import Synchronization

/// Where the database stands, for `/ready` and for refusing to serve an unmigrated database.
public enum Readiness: Sendable, Equatable {
    case ready
    case databaseUnreachable
    case migrationsPending([String])
    case migrationsChanged([String])
    case migrationsUnknown([String])

    /// A sentence for an operator: what is wrong and what to run.
    public var explanation: String {
        switch self {
        case .ready: "The database is reachable and its migrations are current."
        case .databaseUnreachable: "The database cannot be reached."
        case .migrationsPending(let names):
            "Migrations are pending (\(names.joined(separator: ", "))): run `clusterfund migrate`, or serve with --migrate."
        case .migrationsChanged(let names):
            "Applied migrations have been edited since they ran (\(names.joined(separator: ", "))): restore them and add a new migration instead."
        case .migrationsUnknown(let names):
            "The database has migrations this build does not know (\(names.joined(separator: ", "))): deploy the matching build."
        }
    }
}

extension Database {
    /// Checks that the database answers and that its migrations match the files, changing nothing.
    ///
    /// The full comparison (every file's checksum, computed by PostgreSQL) runs until it first succeeds; after that
    /// each call runs one cheap statement that finds the same history still applied, and compares in full again only
    /// when it is not (another build migrated the database, say).
    public func readiness() async -> Readiness {
        do {
            if let verified = verifiedMigrations.withLock({ $0 }) {
                let row = try await statement("SELECT count(*), coalesce(max(version), 0) FROM schema_migrations", read: true).first
                if let row, try MigrationMark(count: row.decode(Int.self, at: 0), latest: row.decode(Int.self, at: 1)) == verified {
                    return .ready
                }
                verifiedMigrations.withLock { $0 = nil }
            }
            switch try await migrator.status(pool) {
            case .current:
                verifiedMigrations.withLock { $0 = MigrationMark(count: migrator.migrations.count, latest: migrator.migrations.last?.version ?? 0) }
                return .ready
            case .pending(let names): return .migrationsPending(names)
            case .changed(let names): return .migrationsChanged(names)
            case .unknownApplied(let names): return .migrationsUnknown(names)
            }
        } catch {
            logger.warning("readiness check failed", metadata: ["error": "\((error as? PostgresError)?.logSummary ?? "\(type(of: error))")"])
            return .databaseUnreachable
        }
    }

    /// Applies pending migrations (connect as the owner role for this).
    /// - Returns: the names of the migrations applied.
    public func migrate() async throws -> [String] {
        do {
            return try await migrator.migrate(pool)
        } catch let error as PostgresError where error.kind == .migration {
            throw MigrationError(message: error.message)
        } catch let error as PostgresError {
            throw MigrationError(message: error.isConnectionFailure ? "the database cannot be reached: \(error.message)" : error.message)
        }
    }
}

/// How many migrations are applied and the latest one's number, as last found matching the files.
struct MigrationMark: Sendable, Equatable {
    var count: Int
    var latest: Int
}

/// Migrating failed; the message names the file and PostgreSQL's reason, for the operator.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
