import Logging
import PQ

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
    public func readiness() async -> Readiness {
        do {
            switch try await migrator.status(pool) {
            case .current: return .ready
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

/// Migrating failed; the message names the file and PostgreSQL's reason, for the operator.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
