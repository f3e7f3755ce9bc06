/// A funding year's budget as an officer previews it: the formula's allocation to each cluster, any override in its
/// place, each cluster's reserve, and how far the allocations are from the total. Confirming needs them equal.
public struct BudgetPlan: Sendable {
    public struct Row: Sendable {
        public var figures: ClusterFigures
        public var fraction: Double
        /// What the formula gives the cluster.
        public var formulaAllocation: Pence
        /// What the cluster is allocated: the override when there is one, else the formula's.
        public var allocation: Pence
        /// Why an officer overrode the formula; nil when they did not.
        public var overrideReason: String?
        public var reserve: Pence
    }

    public var terms: BudgetTerms
    public var rows: [Row]

    public var allocated: Pence { rows.reduce(.zero) { $0 + $1.allocation } }
    /// Positive: left unallocated; negative: allocated beyond the total.
    public var unallocated: Pence { terms.total - allocated }
    public var isBalanced: Bool { unallocated == .zero }

    /// The plan for `figures` under `terms`, with each override replacing its cluster's formula allocation and nothing
    /// else: the other clusters keep theirs, so an override shows as money left unallocated or over-allocated.
    /// Overrides of clusters not in `figures` (no longer grouped that year) are left out.
    public static func make(_ terms: BudgetTerms, figures: [ClusterFigures], overrides: [AllocationOverride]) throws(DomainError) -> Self {
        let shares = try BudgetFormula.allocate(terms, figures: figures)
        let byCluster = Dictionary(overrides.map { ($0.clusterID, $0) }, uniquingKeysWith: { _, last in last })
        let rows = shares.map { share in
            let override = byCluster[share.figures.clusterID]
            let allocation = override?.allocation ?? share.allocation
            return Row(figures: share.figures, fraction: share.fraction, formulaAllocation: share.allocation, allocation: allocation,
                       overrideReason: override?.reason, reserve: terms.reserve(of: allocation))
        }
        return BudgetPlan(terms: terms, rows: rows)
    }

    /// The plan, if it may be confirmed: the allocations must add up to the total.
    public func confirmable() throws(DomainError) -> Self {
        guard isBalanced else {
            let gap = unallocated
            let words = gap > .zero ? "\(gap.formatted) is left unallocated" : "\(Pence(-gap.value).formatted) is allocated beyond the total"
            throw .invalidTransition("The allocations must add up to the total of \(terms.total.formatted): \(words). Change an override or the total, then confirm.")
        }
        return self
    }

    /// Checks every override of a budget at once: each as below, and each cluster at most once. Pointers are
    /// `/overrides/<index>/…`.
    public static func checkedOverrides(_ overrides: [AllocationOverride]) throws(DomainError) -> [AllocationOverride] {
        var issues: [DomainError.FieldIssue] = []
        var checked: [AllocationOverride] = []
        for (index, override) in overrides.enumerated() {
            do throws(DomainError) {
                checked.append(try checkedOverride(override))
            } catch .validation(let more) {
                issues += more.map { .init(pointer: "/overrides/\(index)" + $0.pointer, detail: $0.detail) }
            } catch {
                throw error
            }
        }
        if Set(overrides.map(\.clusterID)).count != overrides.count {
            issues.append(.init(pointer: "/overrides", detail: "Override each cluster at most once."))
        }
        guard issues.isEmpty else { throw .validation(issues) }
        return checked
    }

    /// Checks an officer's override before it is saved.
    public static func checkedOverride(_ override: AllocationOverride) throws(DomainError) -> AllocationOverride {
        var issues: [DomainError.FieldIssue] = []
        if override.allocation < .zero || override.allocation > BudgetTerms.largestTotal {
            issues.append(.init(pointer: "/allocationPence", detail: "Enter an allocation from £0.00 to \(BudgetTerms.largestTotal.formatted)."))
        }
        var reason = ""
        do throws(DomainError) {
            reason = try LedgerRules.checkedReason(override.reason)
        } catch .validation(let more) {
            issues += more.map { .init(pointer: $0.pointer, detail: "Enter why the formula is overridden, in at most 500 characters.") }
        } catch {
            throw error
        }
        guard issues.isEmpty else { throw .validation(issues) }
        return AllocationOverride(clusterID: override.clusterID, allocation: override.allocation, reason: reason)
    }
}
