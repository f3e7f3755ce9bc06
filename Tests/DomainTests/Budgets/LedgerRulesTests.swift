import Domain
import Foundation
import Testing

@Suite("the ledger's rules")
struct LedgerRulesTests {
    /// £1,000 allocated, £100 of it reserved, £300 committed, £40 of the reserve committed, £120 paid.
    static func balance() -> Balance {
        var sums = Balance.Sums()
        sums.add(.allocation, amount: Pence(100_000), touchesReserve: false)
        sums.add(.reserveTransfer, amount: Pence(10_000), touchesReserve: true)
        sums.add(.commitment, amount: Pence(40_000), touchesReserve: false)
        sums.add(.release, amount: Pence(10_000), touchesReserve: false)
        sums.add(.commitment, amount: Pence(4_000), touchesReserve: true)
        sums.add(.payment, amount: Pence(12_000), touchesReserve: false)
        return Balance(sums)
    }

    @Test("balances are sums of entries: allocation less reserve less commitments is what is available")
    func sums() {
        let balance = Self.balance()
        #expect(balance.allocatedPence == Pence(100_000) && balance.reservePence == Pence(10_000))
        #expect(balance.committedPence == Pence(30_000) && balance.paidPence == Pence(12_000))
        #expect(balance.availablePence == Pence(60_000))
        #expect(balance.reserveCommittedPence == Pence(4_000) && balance.reserveAvailablePence == Pence(6_000))
    }

    @Test("a commitment beyond what is available is refused, naming the sum left; up to it is allowed")
    func commitments() throws {
        let balance = Self.balance()
        try LedgerRules.checkCommitment(Pence(60_000), fromReserve: false, balance: balance)
        try LedgerRules.checkCommitment(Pence(6_000), fromReserve: true, balance: balance)
        #expect(throws: DomainError.self) { try LedgerRules.checkCommitment(Pence(60_001), fromReserve: false, balance: balance) }
        let error = #expect(throws: DomainError.self) { try LedgerRules.checkCommitment(Pence(6_001), fromReserve: true, balance: balance) }
        #expect(error?.message.contains("£60.00 is available") == true)
        #expect(throws: DomainError.self) { try LedgerRules.checkCommitment(.zero, fromReserve: false, balance: balance) }
    }

    @Test("a release never exceeds what is committed; an adjustment never takes a cluster below its commitments")
    func releasesAndAdjustments() throws {
        let balance = Self.balance()
        try LedgerRules.checkRelease(Pence(30_000), fromReserve: false, balance: balance)
        #expect(throws: DomainError.self) { try LedgerRules.checkRelease(Pence(4_001), fromReserve: true, balance: balance) }
        try LedgerRules.checkAdjustment(Pence(-60_000), balance: balance)
        #expect(throws: DomainError.self) { try LedgerRules.checkAdjustment(Pence(-60_001), balance: balance) }
        let a = ID<Cluster>(UUID())
        #expect(throws: DomainError.self) { try LedgerRules.checkedTransfer(from: a, to: a, amount: Pence(1), reason: "x") }
        #expect(throws: DomainError.self) { try LedgerRules.checkedTransfer(from: nil, to: nil, amount: Pence(1), reason: "x") }
        #expect(throws: DomainError.self) { try LedgerRules.checkedTransfer(from: a, to: nil, amount: Pence(1), reason: "") }
        #expect(try LedgerRules.checkedTransfer(from: a, to: nil, amount: Pence(1), reason: " Regrouping ") == "Regrouping")
    }
}
