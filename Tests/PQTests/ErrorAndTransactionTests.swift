import Foundation
import PQ
import Testing
import TestSupport

@Suite("errors and transactions")
struct ErrorAndTransactionTests {
    @Test("a unique violation carries SQLSTATE 23505, the constraint and the table")
    func uniqueViolation() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner)
            try await pool.withConnection { lease in
                try await lease.execute("CREATE TABLE schools (urn integer CONSTRAINT schools_urn_key UNIQUE)")
                try await lease.execute("INSERT INTO schools VALUES (\(100_001))")
                let error = await #expect(throws: PostgresError.self) { try await lease.execute("INSERT INTO schools VALUES (\(100_001))") }
                #expect(error?.sqlState == .uniqueViolation)
                #expect(error?.constraint == "schools_urn_key")
                #expect(error?.table == "schools")
                #expect(error?.detail?.contains("100001") == true)
                // The description shown by accident never carries the values.
                #expect(error.map { "\($0)" }?.contains("100001") == false)
            }
            await pool.close()
        }
    }

    @Test("a text parameter holding NUL is refused whole, never cut short at the NUL, and the connection stays usable")
    func nulRefused() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner)
            try await pool.withConnection { lease in
                let error = await #expect(throws: PostgresError.self) { try await lease.execute("SELECT \("abc\u{0}xxxxxxxxx")::text") }
                #expect(error?.sqlState == .characterNotInRepertoire)
                let rows = try await lease.execute("SELECT \("abc")::text")
                #expect(rows == 1)
            }
            await pool.close()
        }
    }

    @Test("a transaction whose body throws leaves no rows")
    func rollbackOnThrow() async throws {
        struct Boom: Error {}
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner)
            try await pool.withConnection { try await $0.execute("CREATE TABLE notes (body text)") }
            await #expect(throws: Boom.self) {
                try await pool.withTransaction { tx in
                    try await tx.execute("INSERT INTO notes VALUES (\("first"))")
                    try await tx.execute("INSERT INTO notes VALUES (\("second"))")
                    throw Boom()
                }
            }
            let count = try await pool.withConnection { try await $0.first("SELECT count(*) FROM notes") }
            #expect(try #require(count).decode(Int.self, at: 0) == 0)
            await pool.close()
        }
    }

    @Test("two conflicting serializable transactions both complete through the retry")
    func serializableRetry() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner)
            try await pool.withConnection { try await $0.execute("CREATE TABLE awards (cluster text, pence bigint)") }
            let barrier = Barrier(parties: 2)
            let attempts = Counter()
            // Each reads the total, then inserts: a write skew that SERIALIZABLE must break with 40001.
            @Sendable func award(_ pence: Int) async throws {
                var first = true
                try await pool.withTransaction(isolation: .serializable) { tx in
                    await attempts.increment()
                    let total = try #require(try await tx.first("SELECT coalesce(sum(pence), 0)::bigint FROM awards")).decode(Int.self, at: 0)
                    if first {
                        first = false
                        await barrier.arrive()
                    }
                    try await tx.execute("INSERT INTO awards VALUES ('north', \(total + pence))")
                }
            }
            async let a: Void = award(100)
            async let b: Void = award(200)
            _ = try await (a, b)
            let rows = try await pool.withConnection { try await $0.query("SELECT pence FROM awards ORDER BY pence") }.decode((Int).self)
            #expect(rows.count == 2)
            #expect(Set(rows) == [100, 300] || Set(rows) == [200, 300])
            #expect(await attempts.value >= 3)
            await pool.close()
        }
    }
}

/// Holds each arriving task until `parties` have arrived.
actor Barrier {
    let parties: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []
    init(parties: Int) { self.parties = parties }
    func arrive() async {
        if waiting.count + 1 == parties {
            waiting.forEach { $0.resume() }
            waiting.removeAll()
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}

actor Counter {
    private(set) var value = 0
    func increment() { value += 1 }
}
