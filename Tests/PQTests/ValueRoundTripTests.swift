import Foundation
import PQ
import Testing
import TestSupport

@Suite("values round-trip through PostgreSQL")
struct ValueRoundTripTests {
    /// Sends `value` as a parameter cast to `type` and decodes what comes back.
    func roundTrip<T: PostgresCodable>(_ value: T, as type: String, on pool: ConnectionPool) async throws -> T {
        let row = try await pool.withConnection { try await $0.first("SELECT \(value)::" + SQL(unsafeRaw: type)) }
        return try #require(row).decode(T.self, at: 0)
    }

    func expectRoundTrip<T: PostgresCodable & Equatable>(
        _ value: T, as type: String, on pool: ConnectionPool, equals expected: T, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let back = try await roundTrip(value, as: type, on: pool)
        #expect(back == expected, sourceLocation: sourceLocation)
    }

    @Test("booleans, integers at their limits, and text including non-ASCII")
    func scalars() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner)
            try await expectRoundTrip(true, as: "bool", on: pool, equals: true)
            try await expectRoundTrip(false, as: "bool", on: pool, equals: false)
            try await expectRoundTrip(Int16.min, as: "int2", on: pool, equals: Int16.min)
            try await expectRoundTrip(Int32.max, as: "int4", on: pool, equals: Int32.max)
            try await expectRoundTrip(Int64.min, as: "int8", on: pool, equals: Int64.min)
            try await expectRoundTrip(Int(42), as: "int8", on: pool, equals: 42)
            let text = "Zoë O'Brien-Ñandú, \"quoted\" \\ back — 学校 🏫"
            try await expectRoundTrip(text, as: "text", on: pool, equals: text)
            try await expectRoundTrip("", as: "text", on: pool, equals: "")
            await pool.close()
        }
    }

    @Test("uuids, instants to the microsecond, jsonb and exact numerics")
    func structured() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner)
            let id = UUID()
            try await expectRoundTrip(id, as: "uuid", on: pool, equals: id)
            let instant = Date(timeIntervalSince1970: 1_795_000_000.123456)
            let back = try await roundTrip(instant, as: "timestamptz", on: pool)
            #expect(abs(back.timeIntervalSince1970 - instant.timeIntervalSince1970) < 0.000_001)
            let old = Date(timeIntervalSince1970: -86_400 * 365 * 30 + 0.5)
            let oldBack = try await roundTrip(old, as: "timestamptz", on: pool)
            #expect(abs(oldBack.timeIntervalSince1970 - old.timeIntervalSince1970) < 0.000_001)

            struct Payload: Codable, Equatable { var name: String; var count: Int; var tags: [String] }
            let payload = Payload(name: "Åsa", count: 3, tags: ["a", "b \"c\""])
            let json = try await roundTrip(JSONB(payload), as: "jsonb", on: pool)
            #expect(json.value == payload)

            let numeric = try await pool.withConnection { try await $0.first("SELECT 1234.5::numeric(12,2), (-0.07)::numeric") }
            let row = try #require(numeric)
            #expect(PostgresNumeric.scaledInteger(try row.decode(String.self, at: 0), scale: 2) == 123_450)
            #expect(PostgresNumeric.scaledInteger(try row.decode(String.self, at: 1), scale: 2) == -7)
            #expect(PostgresNumeric.scaledInteger("1.005", scale: 2) == nil)
            #expect(PostgresNumeric.format(-7, scale: 2) == "-0.07")
            await pool.close()
        }
    }

    @Test("arrays of every element type, including awkward strings")
    func arrays() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner)
            try await expectRoundTrip([1, -2, 3], as: "int8[]", on: pool, equals: [1, -2, 3])
            try await expectRoundTrip([Int32(7)], as: "int4[]", on: pool, equals: [7])
            let strings = ["plain", "with, comma", "NULL", "quote \" and \\ slash", "", "{braces}", "Zoë"]
            try await expectRoundTrip(strings, as: "text[]", on: pool, equals: strings)
            try await expectRoundTrip([String](), as: "text[]", on: pool, equals: [])
            let ids = [UUID(), UUID()]
            try await expectRoundTrip(ids, as: "uuid[]", on: pool, equals: ids)
            try await expectRoundTrip([true, false], as: "bool[]", on: pool, equals: [true, false])
            let found = try await pool.withConnection { try await $0.first("SELECT 'with, comma' = ANY(\(strings))") }
            #expect(try #require(found).decode(Bool.self, at: 0))
            await pool.close()
        }
    }

    @Test("NULL decodes into an optional and is refused by a non-optional, naming the column")
    func nulls() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner)
            let row = try #require(try await pool.withConnection { try await $0.first("SELECT NULL::text AS nickname, NULL::int8 AS n") })
            #expect(try row.decode(String?.self, at: 0) == nil)
            #expect(try row.decode(Int?.self, named: "n") == nil)
            let error = #expect(throws: PostgresError.self) { try row.decode(String.self, at: 0) }
            #expect(error?.kind == .decoding)
            #expect(error?.column == "nickname")
            #expect(String(reflecting: error).contains("nickname"))
            let optional: String? = nil
            let back = try await pool.withConnection { try await $0.first("SELECT \(optional)::text") }
            #expect(try #require(back).decode(String?.self, at: 0) == nil)
            await pool.close()
        }
    }

    @Test("a value of the wrong type names the column, its type and the Swift type")
    func decodingErrors() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner)
            let row = try #require(try await pool.withConnection { try await $0.first("SELECT 'abc'::text AS urn") })
            let error = #expect(throws: PostgresError.self) { try row.decode(Int.self, named: "urn") }
            let debug = String(reflecting: error)
            #expect(debug.contains("urn") && debug.contains("Int") && debug.contains("oid 25"))
            await pool.close()
        }
    }

    @Test("tuples decode column by column")
    func tuples() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let pool = db.pool(role: .owner)
            let rows = try await pool.withConnection {
                try await $0.query("SELECT n, 'school ' || n, n % 2 = 0 FROM generate_series(1, 3) AS n")
            }.decode((Int, String, Bool).self)
            #expect(rows.map(\.0) == [1, 2, 3])
            #expect(rows[1].1 == "school 2")
            #expect(rows.map(\.2) == [false, true, false])
            await pool.close()
        }
    }
}
