import Foundation

/// What a ledger entry does to a cluster's money.
public enum LedgerKind: String, Sendable, CaseIterable, Codable {
    /// The cluster's whole allocation for the year, reserve included, when the budget is confirmed.
    case allocation
    /// An officer's change to a confirmed allocation (positive or negative), with a reason.
    case adjustment
    /// An award sets money aside.
    case commitment
    /// Money committed and no longer needed (an underspend) goes back.
    case release
    /// An instalment paid against a commitment.
    case payment
    /// Money moved into the contingency reserve (or, negative, back out of it).
    case reserveTransfer = "reserve_transfer"

    public var label: String {
        switch self {
        case .allocation: "Allocation"
        case .adjustment: "Adjustment"
        case .commitment: "Commitment"
        case .release: "Release"
        case .payment: "Payment"
        case .reserveTransfer: "Reserve transfer"
        }
    }
}

/// A cluster's money in one funding year: sums of its ledger entries, never an edited number.
public struct Balance: Hashable, Sendable, Codable {
    /// The whole allocation, reserve included, with adjustments.
    public var allocatedPence: Pence
    public var reservePence: Pence
    /// Ordinary commitments less releases, paid or not.
    public var committedPence: Pence
    /// Payments made against ordinary commitments.
    public var paidPence: Pence
    /// Allocation less reserve less ordinary commitments: what ordinary requests may still be awarded.
    public var availablePence: Pence
    /// Emergency commitments from the reserve, less releases.
    public var reserveCommittedPence: Pence
    /// Payments made against emergency commitments.
    public var reservePaidPence: Pence
    /// Reserve less emergency commitments: what emergency requests may still be awarded.
    public var reserveAvailablePence: Pence

    /// Sums of entries by kind and whether they touch the reserve.
    public struct Sums: Hashable, Sendable {
        public var allocated = Pence.zero
        public var reserve = Pence.zero
        public var committed = Pence.zero
        public var reserveCommitted = Pence.zero
        public var paid = Pence.zero
        public var reservePaid = Pence.zero
        public init() {}

        /// Adds one entry's effect.
        public mutating func add(_ kind: LedgerKind, amount: Pence, touchesReserve: Bool) {
            switch (kind, touchesReserve) {
            case (.allocation, _), (.adjustment, _): allocated = allocated + amount
            case (.reserveTransfer, _): reserve = reserve + amount
            case (.commitment, false): committed = committed + amount
            case (.commitment, true): reserveCommitted = reserveCommitted + amount
            case (.release, false): committed = committed - amount
            case (.release, true): reserveCommitted = reserveCommitted - amount
            case (.payment, false): paid = paid + amount
            case (.payment, true): reservePaid = reservePaid + amount
            }
        }
    }

    public init(_ sums: Sums) {
        allocatedPence = sums.allocated
        reservePence = sums.reserve
        committedPence = sums.committed
        paidPence = sums.paid
        availablePence = sums.allocated - sums.reserve - sums.committed
        reserveCommittedPence = sums.reserveCommitted
        reservePaidPence = sums.reservePaid
        reserveAvailablePence = sums.reserve - sums.reserveCommitted
    }
}

/// The rules a movement of money must keep, whoever asks and however many ask at once. The store holds the cluster's
/// guard row locked while it asks, so the balance it passes is the one the entry lands on.
public enum LedgerRules {
    /// A commitment of `amount` from ordinary funds (or, for an emergency, from the reserve): refused when it would
    /// take what is available below zero, naming what is left.
    public static func checkCommitment(_ amount: Pence, fromReserve: Bool, balance: Balance) throws(DomainError) {
        guard amount > .zero else { throw .validation([.init(pointer: "/amountPence", detail: "Enter a sum above £0.00.")]) }
        let available = fromReserve ? balance.reserveAvailablePence : balance.availablePence
        guard amount <= available else {
            let pot = fromReserve ? "the cluster's contingency reserve" : "the cluster's funds for this year (less its reserve)"
            throw .conflict("This would take \(pot) past what is left: \(max(available, .zero).formatted) is available and \(amount.formatted) was asked. Approve a smaller sum or defer.")
        }
    }

    /// A release of `amount`: never more than is committed.
    public static func checkRelease(_ amount: Pence, fromReserve: Bool, balance: Balance) throws(DomainError) {
        guard amount > .zero else { throw .validation([.init(pointer: "/amountPence", detail: "Enter a sum above £0.00.")]) }
        let committed = fromReserve ? balance.reserveCommittedPence : balance.committedPence
        guard amount <= committed else {
            throw .conflict("Only \(committed.formatted) is committed, so \(amount.formatted) cannot be released.")
        }
    }

    /// An officer's adjustment of `amount` (signed) to a confirmed allocation: it may not take the allocation below
    /// what is reserved and committed.
    public static func checkAdjustment(_ amount: Pence, balance: Balance) throws(DomainError) {
        guard amount != .zero else { throw .validation([.init(pointer: "/amountPence", detail: "Enter a sum above £0.00.")]) }
        guard balance.availablePence + amount >= .zero else {
            throw .conflict("The cluster has \(balance.availablePence.formatted) available, so its allocation cannot go down by \(Pence(-amount.value).formatted).")
        }
    }
}

extension LedgerRules {
    /// The reason an officer gives for an adjustment or override: present, at most 500 characters, plain text.
    public static func checkedReason(_ text: String, pointer: String = "/reason") throws(DomainError) -> String {
        let reason = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 500, !SchoolDetails.hasControlCharacters(reason) else {
            throw .validation([.init(pointer: pointer, detail: "Enter the reason, in at most 500 characters.")])
        }
        return reason
    }

    /// An officer's move of money between clusters (or into or out of one, when only one is named).
    public static func checkedTransfer(from: ID<Cluster>?, to: ID<Cluster>?, amount: Pence, reason: String) throws(DomainError) -> String {
        var issues: [DomainError.FieldIssue] = []
        if from == nil && to == nil {
            issues.append(.init(pointer: "/toClusterId", detail: "Choose the cluster the money goes to, comes from, or both."))
        } else if from == to {
            issues.append(.init(pointer: "/toClusterId", detail: "Choose two different clusters."))
        }
        if amount <= .zero || amount > BudgetTerms.largestTotal {
            issues.append(.init(pointer: "/amountPence", detail: "Enter a sum above £0.00 and at most \(BudgetTerms.largestTotal.formatted)."))
        }
        var checked = ""
        do throws(DomainError) { checked = try checkedReason(reason) } catch .validation(let more) { issues += more } catch { throw error }
        guard issues.isEmpty else { throw .validation(issues) }
        return checked
    }
}
