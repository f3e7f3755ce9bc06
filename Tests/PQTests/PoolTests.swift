import Foundation
import PQ
import Testing
import TestSupport

@Suite("the connection pool")
struct PoolTests {
    @Test("an exhausted pool times out with a clear error")
    func exhaustion() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner, size: 1, acquireTimeout: .milliseconds(200))
            let holding = Barrier(parties: 2)
            async let held: Void = pool.withConnection { lease in
                await holding.arrive()
                try await lease.execute("SELECT pg_sleep(1)")
            }
            await holding.arrive()
            let started = ContinuousClock.now
            let error = await #expect(throws: PostgresError.self) { try await pool.withConnection { try await $0.execute("SELECT 1") } }
            #expect(error?.kind == .poolTimeout)
            #expect(error?.message.contains("pool size 1") == true)
            #expect(ContinuousClock.now - started < .seconds(1))
            try await held
            // Once the holder returns its connection, the pool serves again.
            let again = try await pool.withConnection { try await $0.first("SELECT 1") }
            #expect(again != nil)
            let statistics = await pool.statistics
            #expect(statistics.open == 1 && statistics.inUse == 0 && statistics.waiting == 0)
            await pool.close()
        }
    }

    @Test("waiters are served in turn as connections come back")
    func queueing() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner, size: 2, acquireTimeout: .seconds(10))
            let total = try await withThrowingTaskGroup(of: Int.self) { group in
                for n in 1...20 {
                    group.addTask { try await pool.withConnection { try #require(try await $0.first("SELECT \(n)::int8")).decode(Int.self, at: 0) } }
                }
                return try await group.reduce(0, +)
            }
            #expect(total == 210)
            #expect(await pool.statistics.open <= 2)
            await pool.close()
        }
    }

    @Test("after the server drops every connection, the pool serves again without a restart")
    func recoversAfterConnectionsDrop() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner, size: 3)
            // Warm three connections, as a running server would have.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 { group.addTask { _ = try await pool.withConnection { try await $0.execute("SELECT pg_sleep(0.05)") } } }
                try await group.waitForAll()
            }
            #expect(await pool.statistics.open == 3)
            // What a restart of PostgreSQL does to them, seen from libpq: every backend is terminated.
            let killer = db.pool(role: .owner, size: 1)
            try await killer.withConnection { lease in
                try await lease.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(db.name) AND pid <> pg_backend_pid()"
                )
            }
            await killer.close()
            // A transaction whose BEGIN finds its connection dead is retried on a fresh one.
            let answer = try await pool.withTransaction { tx in try #require(try await tx.first("SELECT 41 + 1")).decode(Int.self, at: 0) }
            #expect(answer == 42)
            #expect(await pool.statistics.open == 1)
            await pool.close()
        }
    }

    @Test("a connection killed mid-statement fails with a connection error, not a hang")
    func killedMidStatement() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner, size: 1)
            let pid = try await pool.withConnection { $0.backendPID }
            let killer = db.pool(role: .owner, size: 1)
            async let kill: Void = {
                try await Task.sleep(for: .milliseconds(300))
                try await killer.withConnection { try await $0.execute("SELECT pg_terminate_backend(\(pid))") }
            }()
            let started = ContinuousClock.now
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withTransaction { tx in try await tx.execute("SELECT pg_sleep(30)") }
            }
            try await kill
            #expect(error?.isConnectionFailure == true)
            #expect(ContinuousClock.now - started < .seconds(10))
            await killer.close()
            await pool.close()
        }
    }

    @Test("statement_timeout and application_name are set on every connection")
    func sessionSettings() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = ConnectionPool(
                configuration: .init(conninfo: "", overrides: ["dbname": db.name, "host": "127.0.0.1", "port": ProcessInfo.processInfo.environment["PGPORT"] ?? "5433", "user": "clusterfund_owner"], size: 1, statementTimeoutMilliseconds: 150, applicationName: "clusterfund-test"),
                logger: TestEnvironment.logger
            )
            let row = try #require(try await pool.withConnection { try await $0.first("SELECT current_setting('statement_timeout'), current_setting('application_name'), current_setting('TimeZone')") })
            #expect(try row.decode(String.self, at: 0) == "150ms")
            #expect(try row.decode(String.self, at: 1) == "clusterfund-test")
            #expect(try row.decode(String.self, at: 2) == "UTC")
            let error = await #expect(throws: PostgresError.self) { try await pool.withConnection { try await $0.execute("SELECT pg_sleep(2)") } }
            #expect(error?.sqlState == .queryCanceled)
            await pool.close()
        }
    }
}
