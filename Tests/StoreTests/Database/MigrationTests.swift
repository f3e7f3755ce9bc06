import Foundation
import PQ
import Synchronization
@testable import Store
import Testing
import TestSupport

@Suite("migrations")
struct MigrationTests {
    /// A copy of `sql/` that a test may edit.
    func copyOfMigrations() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sql-" + UUID().uuidString).path
        try FileManager.default.copyItem(atPath: TestEnvironment.migrationsDirectory, toPath: directory)
        return directory
    }

    @Test("an empty database reports pending migrations, and migrate is idempotent")
    func migrateTwice() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let owner = try Database(configuration: db.configuration(role: .owner), logger: TestEnvironment.logger)
            guard case .migrationsPending(let pending) = await owner.readiness() else {
                Issue.record("expected pending migrations")
                return
            }
            #expect(pending.first == "0001_roles_and_privileges")
            let applied = try await owner.migrate()
            #expect(applied == pending)
            #expect(try await owner.migrate().isEmpty)
            #expect(await owner.readiness() == .ready)
            await owner.close()
        }
    }

    @Test("a changed applied migration stops start-up and refuses to migrate")
    func changedMigration() async throws {
        try await TestDatabase.with { db in
            let directory = try copyOfMigrations()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let file = (directory as NSString).appendingPathComponent("0001_roles_and_privileges.sql")
            try (try String(contentsOfFile: file, encoding: .utf8) + "\n-- edited after it ran\n").write(toFile: file, atomically: true, encoding: .utf8)
            let database = try Database(configuration: db.configuration(role: .owner, migrationsDirectory: directory), logger: TestEnvironment.logger)
            #expect(await database.readiness() == .migrationsChanged(["0001_roles_and_privileges"]))
            #expect(await database.readiness().explanation.contains("edited"))
            let error = await #expect(throws: MigrationError.self) { try await database.migrate() }
            #expect(error?.message.contains("0001_roles_and_privileges") == true)
            await database.close()
        }
    }

    @Test("a migration that fails leaves nothing behind and names the file")
    func failingMigration() async throws {
        try await TestDatabase.with { db in
            let directory = try copyOfMigrations()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let file = (directory as NSString).appendingPathComponent("9999_broken.sql")
            try "CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n".write(toFile: file, atomically: true, encoding: .utf8)
            let database = try Database(configuration: db.configuration(role: .owner, migrationsDirectory: directory), logger: TestEnvironment.logger)
            let error = await #expect(throws: MigrationError.self) { try await database.migrate() }
            #expect(error?.message.contains("9999_broken") == true)
            let exists = try await database.transaction { tx in try await tx.first("SELECT to_regclass('half_done') IS NOT NULL") }
            #expect(try #require(exists).decode(Bool.self, at: 0) == false)
            #expect(await database.readiness() == .migrationsPending(["9999_broken"]))
            await database.close()
        }
    }

    @Test("the server's role owns nothing and may only read the migration record")
    func appRolePrivileges() async throws {
        try await TestDatabase.with { db in
            let app = try Database(configuration: db.configuration(role: .app), logger: TestEnvironment.logger)
            #expect(await app.readiness() == .ready)
            await #expect(throws: StoreError.self) {
                try await app.transaction { tx in try await tx.execute("DELETE FROM schema_migrations") }
            }
            await #expect(throws: StoreError.self) {
                try await app.transaction { tx in try await tx.execute("CREATE TABLE intruder (id int)") }
            }
            let owned = try await app.transaction { tx in
                try await tx.first("SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = 'clusterfund_app'")
            }
            #expect(try #require(owned).decode(Int.self, at: 0) == 0)
            await app.close()
        }
    }

    @Test("once ready, readiness still notices a migration that another build applied")
    func readinessAfterReady() async throws {
        try await TestDatabase.with { db in
            let app = try Database(configuration: db.configuration(role: .app), logger: TestEnvironment.logger)
            #expect(await app.readiness() == .ready)
            #expect(app.verifiedMigrations.withLock { $0 } != nil, "the checked history is remembered")
            let owner = db.pool(role: .owner, size: 1)
            try await owner.withConnection { lease in
                try await lease.execute("INSERT INTO schema_migrations (version, name, checksum) VALUES (9998, '9998_from_a_newer_build', 'x')")
            }
            #expect(await app.readiness() == .migrationsUnknown(["9998_from_a_newer_build"]))
            try await owner.withConnection { try await $0.execute("DELETE FROM schema_migrations WHERE version = 9998") }
            #expect(await app.readiness() == .ready)
            await owner.close()
            await app.close()
        }
    }
}
