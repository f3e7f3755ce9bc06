import Foundation
@testable import Store
import Testing

@Suite("bounded bcrypt work")
struct ConcurrencyLimitTests {
    /// Waits (briefly, by polling) until the limit's load is as expected.
    static func waitUntil(_ limit: ConcurrencyLimit, running: Int, waiting: Int) async throws {
        for _ in 0..<500 where limit.load != (running, waiting) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(limit.load == (running, waiting))
    }

    @Test("past the running and waiting places, work is refused at once; waiting work runs in turn")
    func refusesPastTheQueue() async throws {
        let limit = ConcurrencyLimit(limit: 1, queueLimit: 1)
        let (gate, open) = AsyncStream<Void>.makeStream()
        let first = Task {
            try await limit.run { () async -> String in
                for await _ in gate { break }
                return "first"
            }
        }
        try await Self.waitUntil(limit, running: 1, waiting: 0)
        let second = Task { try await limit.run { "second" } }
        try await Self.waitUntil(limit, running: 1, waiting: 1)
        await #expect(throws: ServerBusy()) { try await limit.run { "third" } }
        open.yield()
        #expect(try await first.value == "first")
        #expect(try await second.value == "second")
        #expect(limit.load == (0, 0))
        #expect(try await limit.run { "again" } == "again")
    }

    @Test("the password hasher refuses checks past its limit instead of queueing them without end")
    func hasherIsBounded() async throws {
        let hasher = try await PasswordHasher.make(cost: 12, limit: ConcurrencyLimit(limit: 1, queueLimit: 0))
        let hash = try await hasher.hash("correct horse battery staple")
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 {
                group.addTask { (try? await hasher.verify("correct horse battery staple", hash: hash)) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.contains(true), "one check runs")
        #expect(outcomes.contains(false), "checks past the limit are refused")
    }
}
