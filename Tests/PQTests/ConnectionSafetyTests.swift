import Foundation
import PQ
import Testing
import TestSupport

@Suite("one connection: one statement at a time, cancellable, prepared once")
struct ConnectionSafetyTests {
    @Test("two statements started at once on one transaction both succeed, one after the other")
    func serialisedStatements() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner, size: 1)
            let (first, second) = try await pool.withTransaction { tx in
                // Each reports when it began and ended on the server; on one connection they must not overlap.
                async let first = tx.row("SELECT clock_timestamp(), pg_sleep(0.3)::text, clock_timestamp()")
                async let second = tx.row("SELECT clock_timestamp(), pg_sleep(0.3)::text, clock_timestamp()")
                return try await (first, second)
            }
            let a = try first.decode((Date, String, Date).self)
            let b = try second.decode((Date, String, Date).self)
            #expect(a.2 <= b.0 || b.2 <= a.0, "the second statement began only after the first ended")
            await pool.close()
        }
    }

    @Test("cancelling a task stops its statement on the server at once, and the connection is reused clean")
    func cancellation() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner, size: 1)
            let watcher = db.pool(role: .owner, size: 1)
            let started = Barrier(parties: 2)
            let pid = try await pool.withConnection { $0.backendPID }
            let sleeper = Task {
                try await pool.withTransaction { tx in
                    await started.arrive()
                    try await tx.execute("SELECT pg_sleep(10)")
                }
            }
            await started.arrive()
            // Wait until the server runs the sleep, so the cancel has something to stop.
            for _ in 0..<200 {
                if try await state(of: pid, on: watcher) == "active" { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(try await state(of: pid, on: watcher) == "active")
            let cancelledAt = ContinuousClock.now
            sleeper.cancel()
            var state = try await state(of: pid, on: watcher)
            while state == "active", ContinuousClock.now - cancelledAt < .seconds(1) {
                try await Task.sleep(for: .milliseconds(20))
                state = try await self.state(of: pid, on: watcher)
            }
            #expect(state != "active", "the backend stopped within a second")
            let error = await #expect(throws: PostgresError.self) { try await sleeper.value }
            #expect(error?.sqlState == .queryCanceled)
            // The same (only) connection serves again, rolled back and idle.
            #expect(try await self.state(of: pid, on: watcher) == "idle")
            let again = try await pool.withConnection { lease in
                (lease.backendPID, try await lease.row("SELECT 1::int8").decode(Int.self, at: 0))
            }
            #expect(again.0 == pid)
            #expect(again.1 == 1)
            await pool.close()
            await watcher.close()
        }
    }

    @Test("a cancel reaches only the statement it was meant for, never the next one on the same connection")
    func cancelNeverReachesTheNextStatement() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner, size: 1)
            // Cancels land at different moments of a short statement (before, during, just after it); whatever the
            // moment, the next statement on the one connection must run untouched.
            for attempt in 0..<25 {
                let task = Task { try await pool.withConnection { try await $0.execute("SELECT pg_sleep(0.01)") } }
                try await Task.sleep(for: .milliseconds(attempt % 13))
                task.cancel()
                _ = await task.result
                // The next statement lasts a few milliseconds, so a stray cancel would find it running.
                let one = try await pool.withConnection { try await $0.first("SELECT 1::int8 FROM pg_sleep(0.005)")?.decode(Int.self, at: 0) }
                #expect(one == 1, "attempt \(attempt): the next statement ran")
            }
            await pool.close()
        }
    }

    @Test("a task cancelled before its statement runs sends nothing, and leaves the connection usable")
    func cancelledBeforeStart() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner, size: 1)
            let task = Task {
                try await pool.withTransaction { tx in
                    withUnsafeCurrentTask { $0?.cancel() }
                    try await tx.execute("SELECT 1")
                }
            }
            await #expect(throws: CancellationError.self) { try await task.value }
            let one = try await pool.withConnection { try await $0.row("SELECT 1::int8").decode(Int.self, at: 0) }
            #expect(one == 1)
            await pool.close()
        }
    }

    @Test("a statement bigger than the socket's buffer is sent whole, and many wait on the poller at once")
    func largeStatementsAndManyWaiting() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner, size: 4)
            // 8 MiB: libpq cannot hand it to the kernel in one go, so it is sent as the server reads.
            let big = String(repeating: "x", count: 8 << 20)
            let length = try await pool.withConnection { try await $0.row("SELECT length(\(big))::int8").decode(Int.self, at: 0) }
            #expect(length == 8 << 20)
            // Sixteen statements on four connections, each answered after a pause, all awaited together.
            let sums = try await withThrowingTaskGroup(of: Int.self) { group in
                for value in 1...16 {
                    group.addTask {
                        try await pool.withConnection { lease in
                            try await lease.row("SELECT \(value)::int8 + 0 * length(pg_sleep(0.05)::text)").decode(Int.self, at: 0)
                        }
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(sums.sorted() == Array(1...16))
            await pool.close()
        }
    }

    @Test("a statement is prepared once per connection, and the least recently used is dropped at the limit")
    func preparedStatementCache() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner, size: 1, preparedStatementLimit: 3)
            try await pool.withConnection { lease in
                let copies: SQL = "SELECT count(*) FROM pg_prepared_statements WHERE statement = 'SELECT $1::int8 + 1'"
                for value in 1...5 { _ = try await lease.query("SELECT \(value)::int8 + 1") }
                #expect(try await lease.row(copies).decode(Int.self, at: 0) == 1, "one statement for five values")
                for value in 1...5 { _ = try await lease.query("SELECT \(value)::int8 + 2") }
                _ = try await lease.query("SELECT \(1)::int8 + 3")
                _ = try await lease.query("SELECT \(1)::int8 + 4")
                let statements = try await lease.query("SELECT statement FROM pg_prepared_statements ORDER BY prepare_time")
                    .decode((String).self)
                #expect(statements.count == 3, "never more than the limit")
                #expect(!statements.contains("SELECT $1::int8 + 1"), "the least recently used went first")
                #expect(statements.contains("SELECT $1::int8 + 4"))
            }
            await pool.close()
        }
    }
}

extension ConnectionSafetyTests {
    /// The backend's state in pg_stat_activity ("active", "idle", "idle in transaction", …).
    func state(of pid: Int32, on pool: ConnectionPool) async throws -> String? {
        try await pool.withConnection { lease in
            try await lease.first("SELECT state FROM pg_stat_activity WHERE pid = \(Int(pid))")?.decode(String?.self, at: 0) ?? nil
        }
    }
}

extension Queryable {
    /// The first row, which the statement must return.
    fileprivate func row(_ sql: SQL) async throws -> Row { try #require(try await first(sql)) }
}
