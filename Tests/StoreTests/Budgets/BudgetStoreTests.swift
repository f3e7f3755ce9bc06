import Domain
import Foundation
import PQ
@testable import Store
import Testing
import TestSupport

@Suite("budgets and the ledger, stored")
struct BudgetStoreTests {
    static let year = FundingYear(2027)

    struct Setting {
        var officer: Actor
        var budgets: BudgetStore
        var ledger: LedgerStore
        var north: ID<Cluster>
        var south: ID<Cluster>
    }

    /// The demo council (North and South, six schools each in 2026/27, so in force on 1 April 2027) with a January 2027
    /// census in which North holds 7 school-units of every figure to South's 6 (`addCensus`).
    static func setUp(_ fixture: IdentityFixture) async throws -> Setting {
        let officer = try await fixture.signIn(.officer).session.actor
        try await fixture.addCensus(fundingYear: 2027)
        let clusters = try await ClusterStore(database: fixture.database, clock: fixture.clock.clock).list(officer, year: AcademicYear(2026))
        return Setting(officer: officer, budgets: BudgetStore(database: fixture.database), ledger: LedgerStore(database: fixture.database),
                       north: try #require(clusters.first { $0.name == "North Locality" }?.id),
                       south: try #require(clusters.first { $0.name == "South Locality" }?.id))
    }

    /// `clusterfund ledger verify` as it runs: as the owner, over every cluster's ledger.
    static func verify(_ fixture: IdentityFixture) async throws -> (checked: Int, mismatches: [LedgerMismatch]) {
        let owner = try Database(configuration: fixture.testDatabase.configuration(role: .owner, poolSize: 1), logger: TestEnvironment.logger)
        let result = try await LedgerStore(database: owner).verify()
        await owner.close()
        return result
    }

    static func terms(_ pence: Int64) -> BudgetTerms { BudgetTerms(total: Pence(pence), weights: .standard, reservePercent: 10) }

    @Test("an officer saves a draft, previews it, overrides one cluster, and confirms only when the allocations add up")
    func lifecycle() async throws {
        try await IdentityFixture.with { fixture in
            let s = try await Self.setUp(fixture)
            let fresh = try await s.budgets.budget(s.officer, year: Self.year)
            #expect(!fresh.exists && fresh.terms.weights == .standard && fresh.terms.reservePercent == 10 && fresh.membershipYear == AcademicYear(2026))
            let draft = try await s.budgets.save(s.officer, year: Self.year, terms: Self.terms(1_000_001), overrides: nil, request: fixture.request())
            let plan = try #require(draft.plan)
            // North has 7 school-units of every figure to South's 6: 7/13 of £10,000.01, the odd penny by remainder.
            #expect(plan.rows.map(\.figures.name) == ["North Locality", "South Locality"])
            #expect(plan.rows.map(\.allocation.value) == [538_462, 461_539] && plan.isBalanced)
            #expect(plan.rows.map(\.reserve.value) == [53_846, 46_153])

            _ = try await s.budgets.override(s.officer, year: Self.year, cluster: s.north, allocation: Pence(600_000), reason: "New resource base",
                                             request: fixture.request())
            await #expect(throws: DomainError.self) { _ = try await s.budgets.confirm(s.officer, year: Self.year, request: fixture.request()) }
            let both = try await s.budgets.save(s.officer, year: Self.year, terms: Self.terms(1_000_001), overrides: [
                AllocationOverride(clusterID: s.north, allocation: Pence(600_000), reason: "New resource base"),
                AllocationOverride(clusterID: s.south, allocation: Pence(400_001), reason: "Falling rolls"),
            ], request: fixture.request())
            #expect(both.plan?.isBalanced == true)
            let confirmed = try await s.budgets.confirm(s.officer, year: Self.year, request: fixture.request())
            #expect(confirmed.isConfirmed && confirmed.confirmedByName == "Olu Officer")
            let north = try #require(confirmed.balances[s.north])
            #expect(north.allocatedPence == Pence(600_000) && north.reservePence == Pence(60_000) && north.availablePence == Pence(540_000))
            #expect(confirmed.balances.values.reduce(Pence.zero) { $0 + $1.allocatedPence } == Pence(1_000_001))
            let entries = try await s.ledger.entries(s.officer, cluster: s.north, year: Self.year, kind: nil, page: 1)
            #expect(entries.items.map(\.kind) == [.allocation, .reserveTransfer] && entries.items.first?.reason == "New resource base")

            // Confirmed: the terms and overrides are fixed; money moves by adjustment, never beyond what is available.
            await #expect(throws: DomainError.self) {
                _ = try await s.budgets.save(s.officer, year: Self.year, terms: Self.terms(5), overrides: nil, request: fixture.request())
            }
            await #expect(throws: DomainError.self) { _ = try await s.budgets.confirm(s.officer, year: Self.year, request: fixture.request()) }
            let moved = try await s.budgets.adjust(s.officer, year: Self.year, from: s.north, to: s.south, amount: Pence(40_000),
                                                   reason: "Brookfield moved to South in September", request: fixture.request())
            #expect(moved.balances[s.north]?.allocatedPence == Pence(560_000) && moved.balances[s.south]?.allocatedPence == Pence(440_001))
            let error = await #expect(throws: DomainError.self) {
                _ = try await s.budgets.adjust(s.officer, year: Self.year, from: s.north, to: nil, amount: Pence(500_001), reason: "Too much",
                                               request: fixture.request())
            }
            #expect(error?.message.contains("£5,000.00 available") == true)
            let actions = try await fixture.audit.list(s.officer, filter: AuditFilter(entityType: "budget"), page: 1).items.map(\.action)
            #expect(actions == ["budget.adjusted", "budget.confirmed", "budget.saved", "budget.overridden", "budget.saved"])
            let verified = try await Self.verify(fixture)
            #expect(verified.checked == 2 && verified.mismatches.isEmpty)
        }
    }

    @Test("only officers set budgets; a school's staff see the balance of the cluster their school was in that year, an EP their clusters'")
    func access() async throws {
        try await IdentityFixture.with { fixture in
            let s = try await Self.setUp(fixture)
            _ = try await s.budgets.save(s.officer, year: Self.year, terms: Self.terms(1_300_000), overrides: nil, request: fixture.request())
            _ = try await s.budgets.confirm(s.officer, year: Self.year, request: fixture.request())
            for person in [IdentityFixture.Person.senco, .headteacher, .psychologist] {
                let actor = try await fixture.signIn(person).session.actor
                await #expect(throws: DomainError.forbidden("Only council officers set budgets and read the ledger.")) {
                    _ = try await s.budgets.budget(actor, year: Self.year)
                }
                await #expect(throws: DomainError.self) {
                    _ = try await s.ledger.entries(actor, cluster: s.north, year: Self.year, kind: nil, page: 1)
                }
                #expect(try await s.ledger.balance(actor, cluster: s.north, year: Self.year).allocatedPence == Pence(700_000), "\(person)")
                await #expect(throws: DomainError.notFound("There is no such cluster."), "\(person)") {
                    _ = try await s.ledger.balance(actor, cluster: s.south, year: Self.year)
                }
            }
            // Funding year 2026 is in force from 1 April 2026, when the schools' 2025/26 clusters applied: they had none.
            let senco = try await fixture.signIn(.senco).session.actor
            await #expect(throws: DomainError.notFound("There is no such cluster.")) {
                _ = try await s.ledger.balance(senco, cluster: s.north, year: FundingYear(2026))
            }
            // Row-level security agrees, whatever the code asks: the SENCo's own reads of the ledger see North's 2027 only.
            let seen = try await fixture.asApp(user: senco.userID) { tx in
                try await tx.query("SELECT DISTINCT cluster_id, funding_year FROM ledger_entries").decode((ID<Cluster>, Int).self)
            }
            #expect(seen.count == 1 && seen.first?.0 == s.north && seen.first?.1 == 2027)
        }
    }

    @Test("200 commitments race for money that covers 150: exactly 150 succeed and the rest are refused naming the sum left; the same for the reserve")
    func race() async throws {
        try await IdentityFixture.with { fixture in
            let s = try await Self.setUp(fixture)
            // North gets exactly £15,000.00: £1,500.00 reserve, £13,500.00 for ordinary awards.
            _ = try await s.budgets.save(s.officer, year: Self.year, terms: Self.terms(2_000_000), overrides: [
                AllocationOverride(clusterID: s.north, allocation: Pence(1_500_000), reason: "Test"),
                AllocationOverride(clusterID: s.south, allocation: Pence(500_000), reason: "Test"),
            ], request: fixture.request())
            _ = try await s.budgets.confirm(s.officer, year: Self.year, request: fixture.request())
            let database = try Database(configuration: fixture.testDatabase.configuration(role: .app, poolSize: 12), logger: TestEnvironment.logger)
            let ledger = LedgerStore(database: database)
            for (fromReserve, amount) in [(false, Pence(9_000)), (true, Pence(1_000))] {
                let outcomes = await withTaskGroup(of: String?.self) { group in
                    for _ in 0..<200 {
                        group.addTask {
                            do {
                                _ = try await ledger.commit(s.officer, cluster: s.north, year: Self.year, amount: amount, fromReserve: fromReserve,
                                                            source: nil, request: fixture.request())
                                return nil
                            } catch {
                                return "\(error)"
                            }
                        }
                    }
                    return await group.reduce(into: [String?]()) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 == nil }.count == 150, "reserve: \(fromReserve)")
                let refusals = outcomes.compactMap { $0 }
                #expect(refusals.count == 50 && refusals.allSatisfy { $0.contains("£0.00 is available") }, "\(refusals.first ?? "")")
                let balance = try await ledger.balance(s.officer, cluster: s.north, year: Self.year)
                #expect((fromReserve ? balance.reserveAvailablePence : balance.availablePence) == .zero)
            }
            await database.close()
            let (checked, mismatches) = try await Self.verify(fixture)
            #expect(checked == 2 && mismatches.isEmpty)
        }
    }

    @Test("nobody changes or removes a ledger entry, the owner included, even where no row would match")
    func immutable() async throws {
        try await IdentityFixture.with { fixture in
            let s = try await Self.setUp(fixture)
            _ = try await s.budgets.save(s.officer, year: Self.year, terms: Self.terms(1_000), overrides: nil, request: fixture.request())
            _ = try await s.budgets.confirm(s.officer, year: Self.year, request: fixture.request())
            for statement: SQL in ["UPDATE ledger_entries SET amount_pence = 1", "DELETE FROM ledger_entries",
                                   "DELETE FROM ledger_entries WHERE false", "TRUNCATE ledger_entries"] {
                await #expect(throws: PostgresError.self, "app: \(statement.text)") {
                    try await fixture.asApp(user: s.officer.userID) { tx in _ = try await tx.execute(statement) }
                }
                let error = await #expect(throws: PostgresError.self, "owner: \(statement.text)") {
                    try await fixture.asOwner { tx in _ = try await tx.execute(statement) }
                }
                #expect("\(String(describing: error))".contains("never changed or removed"), "owner: \(statement.text)")
            }
            #expect(try await s.ledger.entries(s.officer, cluster: s.north, year: Self.year, kind: nil, page: 1).total == 2)
        }
    }
}
