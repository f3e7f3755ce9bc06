import Foundation
import PQ
import Testing
import TestSupport

@Suite("the pipeline: many callers' statements on one connection")
struct PipelineTests {
    @Test("two hundred statements at once each get their own answer, and an error fails only its own")
    func answersInOrder() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner, size: 1)
            let outcomes = try await withThrowingTaskGroup(of: (Int, Int?, Int?).self) { group in
                for value in 1...200 {
                    group.addTask {
                        if value % 50 == 0 {
                            // Division by zero: this statement fails, the others on the pipeline do not.
                            let failed = await #expect(throws: PostgresError.self) {
                                try await pool.pipelined("SELECT (\(value)::int8 / 0)::int8")
                            }
                            #expect(failed?.sqlState?.code == "22012")
                            return (value, nil, nil)
                        }
                        let rows = try await pool.pipelined("SELECT \(value)::int8, pg_backend_pid()")
                        return (value, try rows.first?.decode(Int.self, at: 0), try rows.first?.decode(Int.self, at: 1))
                    }
                }
                return try await group.reduce(into: [Int: (Int?, Int?)]()) { $0[$1.0] = ($1.1, $1.2) }
            }
            #expect(outcomes.count == 200)
            for (value, answer) in outcomes {
                #expect(answer.0 == (value % 50 == 0 ? nil : value), "statement \(value) got its own answer")
            }
            // All of them went over one connection: the pipeline's.
            #expect(Set(outcomes.values.compactMap(\.1)).count == 1)
            await pool.close()
        }
    }

    @Test("a statement that cannot be prepared fails with its reason, and the same text can be tried again")
    func failedPrepare() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner, size: 1)
            for _ in 1...2 {
                let error = await #expect(throws: PostgresError.self) { try await pool.pipelined("SELECT nonsense FROM nowhere_at_all") }
                #expect(error?.sqlState?.code == "42P01")
            }
            let big = String(repeating: "y", count: 4 << 20)
            let length = try await pool.pipelined("SELECT length(\(big))::int8").first?.decode(Int.self, at: 0)
            #expect(length == 4 << 20, "a statement bigger than the socket's buffer is sent whole")
            await pool.close()
        }
    }

    @Test("when the pipeline's connection is killed, the next statement runs on a new one")
    func recovers() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner, size: 1)
            let watcher = db.pool(role: .owner, size: 1)
            let first = try #require(try await pool.pipelined("SELECT pg_backend_pid()").first?.decode(Int.self, at: 0))
            try await watcher.withConnection { lease in
                // Waits (up to 5 s) until the backend has gone, so the next statement cannot find it still answering.
                _ = try await lease.query("SELECT pg_terminate_backend(\(first)::int4, 5000)")
            }
            let second = try #require(try await pool.pipelined("SELECT pg_backend_pid()").first?.decode(Int.self, at: 0))
            #expect(second != first)
            await pool.close()
            await watcher.close()
        }
    }

    @Test("a closed pool's pipeline refuses statements")
    func closed() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner, size: 1)
            _ = try await pool.pipelined("SELECT 1")
            await pool.close()
            await #expect(throws: PostgresError.self) { try await pool.pipelined("SELECT 1") }
        }
    }
}
