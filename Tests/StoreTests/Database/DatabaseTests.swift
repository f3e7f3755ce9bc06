import Domain
import Foundation
import PQ
@testable import Store
import Testing
import TestSupport

@Suite("the store's database facade")
struct DatabaseTests {
    @Test("dates, pence and typed ids round-trip, and numeric pounds decode exactly to pence")
    func domainValues() async throws {
        struct Pupil {}
        try await TestDatabase.with { db in
            let database = try Database(configuration: db.configuration(role: .owner), logger: TestEnvironment.logger)
            let date = try #require(CalendarDate(year: 2027, month: 3, day: 31))
            let id = ID<Pupil>(UUID())
            let row = try #require(
                try await database.transaction { tx in
                    try await tx.first("SELECT \(date)::date, \(Pence(123_456))::bigint, \(id)::uuid, 1234.56::numeric(12,2), \(Optional<CalendarDate>.none)::date")
                }
            )
            #expect(try row.decode(CalendarDate.self, at: 0) == date)
            #expect(try row.decode(Pence.self, at: 1) == Pence(123_456))
            #expect(try row.decode(ID<Pupil>.self, at: 2) == id)
            #expect(try row.decode(Pence.self, at: 3) == Pence(123_456))
            #expect(try row.decode(CalendarDate?.self, at: 4) == nil)
            let tooPrecise = try #require(try await database.transaction { tx in try await tx.first("SELECT 1.005::numeric") })
            #expect(throws: PostgresError.self) { try tooPrecise.decode(Pence.self, at: 0) }
            await database.close()
        }
    }

    @Test("a unique violation becomes a conflict in the user's words")
    func conflict() async throws {
        try await TestDatabase.with { db in
            let database = try Database(configuration: db.configuration(role: .owner), logger: TestEnvironment.logger)
            try await database.transaction { tx in try await tx.execute("CREATE TABLE t (k int UNIQUE)") }
            try await database.transaction { tx in try await tx.execute("INSERT INTO t VALUES (1)") }
            let error = await #expect(throws: DomainError.self) {
                try await database.transaction { tx in try await tx.execute("INSERT INTO t VALUES (1)") }
            }
            #expect(error == .conflict("That record already exists."))
            await database.close()
        }
    }

    @Test("a database killed mid-request surfaces as unavailable, not a hang")
    func killedMidRequest() async throws {
        try await TestDatabase.with { db in
            let database = try Database(configuration: db.configuration(role: .owner, poolSize: 1), logger: TestEnvironment.logger)
            let killer = db.pool(role: .owner, size: 1)
            async let kill: Void = {
                try await Task.sleep(for: .milliseconds(300))
                try await killer.withConnection { lease in
                    // Only our own client connections: an autovacuum worker in the database is not ours to end (42501).
                    try await lease.execute(
                        """
                        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                        WHERE datname = \(db.name) AND pid <> pg_backend_pid() AND usename = current_user AND backend_type = 'client backend'
                        """)
                }
            }()
            await #expect {
                try await database.transaction { tx in try await tx.execute("SELECT pg_sleep(20)") }
            } throws: { error in
                if case StoreError.unavailable = error { return true }
                return false
            }
            try await kill
            // And the next request is served by a new connection.
            #expect(await database.readiness() == .ready)
            await killer.close()
            await database.close()
        }
    }

    @Test("an unreachable database is reported as such")
    func unreachable() async throws {
        let database = try Database(
            configuration: .init(url: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", migrationsDirectory: TestEnvironment.migrationsDirectory),
            logger: TestEnvironment.logger
        )
        #expect(await database.readiness() == .databaseUnreachable)
        await #expect {
            try await database.transaction { tx in try await tx.execute("SELECT 1") }
        } throws: { error in
            if case StoreError.unavailable = error { return true }
            return false
        }
        await database.close()
    }
}
