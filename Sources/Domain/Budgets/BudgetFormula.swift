/// The weights the council's formula puts on each census figure. Whole numbers from 0 to 100; only their ratios
/// matter, and at least one must be above zero.
public struct FormulaWeights: Hashable, Sendable, Codable {
    public var onRoll: Int
    public var senSupport: Int
    public var freeSchoolMeals: Int

    public static let standard = FormulaWeights(onRoll: 50, senSupport: 30, freeSchoolMeals: 20)

    public init(onRoll: Int, senSupport: Int, freeSchoolMeals: Int) {
        self.onRoll = onRoll
        self.senSupport = senSupport
        self.freeSchoolMeals = freeSchoolMeals
    }

    var all: [Int] { [onRoll, senSupport, freeSchoolMeals] }
    public var sum: Int { all.reduce(0, +) }
}

/// One cluster's census figures, summed over the schools it held on the first day of the funding year.
public struct ClusterFigures: Hashable, Sendable {
    public var clusterID: ID<Cluster>
    public var name: String
    public var schools: Int
    public var onRoll: Int64
    public var senSupport: Int64
    public var freeSchoolMeals: Int64

    public init(clusterID: ID<Cluster>, name: String, schools: Int, onRoll: Int64, senSupport: Int64, freeSchoolMeals: Int64) {
        self.clusterID = clusterID
        self.name = name
        self.schools = schools
        self.onRoll = onRoll
        self.senSupport = senSupport
        self.freeSchoolMeals = freeSchoolMeals
    }

    var all: [Int64] { [onRoll, senSupport, freeSchoolMeals] }
}

/// An officer's replacement for the formula's allocation to one cluster, with the reason on the record.
public struct AllocationOverride: Hashable, Sendable {
    public var clusterID: ID<Cluster>
    public var allocation: Pence
    public var reason: String

    public init(clusterID: ID<Cluster>, allocation: Pence, reason: String) {
        self.clusterID = clusterID
        self.allocation = allocation
        self.reason = reason
    }
}

/// What a funding year's budget is set to: the total shared, the weights, and the share each cluster keeps in reserve.
public struct BudgetTerms: Hashable, Sendable {
    public var total: Pence
    public var weights: FormulaWeights
    public var reservePercent: Int

    /// £1 billion: far above any council's cluster funding, and low enough that the formula's exact arithmetic fits.
    public static let largestTotal = Pence(100_000_000_000)

    public init(total: Pence, weights: FormulaWeights, reservePercent: Int) {
        self.total = total
        self.weights = weights
        self.reservePercent = reservePercent
    }

    /// Every problem with the terms at once.
    public func validated() throws(DomainError) -> Self {
        var issues: [DomainError.FieldIssue] = []
        if total < .zero || total > Self.largestTotal {
            issues.append(.init(pointer: "/totalPence", detail: "Enter a total from £0.00 to \(Self.largestTotal.formatted)."))
        }
        for (pointer, weight) in [("/weights/onRoll", weights.onRoll), ("/weights/senSupport", weights.senSupport),
                                  ("/weights/freeSchoolMeals", weights.freeSchoolMeals)] where !(0...100).contains(weight) {
            issues.append(.init(pointer: pointer, detail: "Enter a weight from 0 to 100."))
        }
        if weights.all.allSatisfy({ (0...100).contains($0) }) && weights.sum == 0 {
            issues.append(.init(pointer: "/weights", detail: "Put a weight above 0 on at least one figure."))
        }
        if !(0...50).contains(reservePercent) {
            issues.append(.init(pointer: "/reservePercent", detail: "Enter a reserve from 0% to 50%."))
        }
        guard issues.isEmpty else { throw .validation(issues) }
        return self
    }

    /// A cluster's contingency reserve: its reserve share of its allocation, rounded down to the penny.
    public func reserve(of allocation: Pence) -> Pence {
        Pence(max(0, allocation.value) * Int64(reservePercent) / 100)
    }
}

/// The council's formula: each cluster's share is the weighted mean of its part of each census figure, and the total
/// is shared in whole pence by the largest-remainder method, so the allocations add up to the total exactly.
///
/// ```swift
/// let shares = try BudgetFormula.allocate(terms, figures: clusters)
/// shares.map(\.allocation).reduce(.zero, +) == terms.total   // always
/// ```
public enum BudgetFormula {
    /// One cluster's result.
    public struct Share: Hashable, Sendable {
        public var figures: ClusterFigures
        /// The cluster's share of the total, for display (0 to 1); the allocation is computed exactly, not from this.
        public var fraction: Double
        public var allocation: Pence
    }

    /// A council-wide figure above this is refused rather than risk the exact arithmetic overflowing.
    public static let largestCouncilFigure: Int64 = 10_000_000

    /// Shares `terms.total` between `figures` (every cluster in force on the funding year's first day). A weighted
    /// figure that is zero across the council is refused: it cannot be divided by.
    public static func allocate(_ terms: BudgetTerms, figures: [ClusterFigures]) throws(DomainError) -> [Share] {
        let terms = try terms.validated()
        guard !figures.isEmpty else {
            throw .validation([.init(pointer: "/clusters", detail: "No school was in a cluster on the first day of this funding year; group schools into clusters first.")])
        }
        let names = ["pupils on roll", "pupils on SEN support", "pupils eligible for free school meals"]
        let pointers = ["/weights/onRoll", "/weights/senSupport", "/weights/freeSchoolMeals"]
        let council = (0..<3).map { index in figures.reduce(Int64(0)) { $0 + max(0, $1.all[index]) } }
        var issues: [DomainError.FieldIssue] = []
        for index in 0..<3 where terms.weights.all[index] > 0 {
            if council[index] == 0 {
                issues.append(.init(pointer: pointers[index], detail: "No school in a cluster has a figure for \(names[index]) in this census; set this weight to 0 or import the figures."))
            } else if council[index] > largestCouncilFigure {
                issues.append(.init(pointer: pointers[index], detail: "The council's total of \(names[index]) is above \(largestCouncilFigure); check the census figures."))
            }
        }
        if issues.count > 1, (0..<3).allSatisfy({ terms.weights.all[$0] == 0 || council[$0] == 0 }) {
            throw .validation([.init(pointer: "/clusters", detail: "The census has no figures for the schools in clusters yet; import it on the schools pages first.")])
        }
        guard issues.isEmpty else { throw .validation(issues) }

        // Exactly: allocation(c) = total × Σₖ wₖ·mₖ(c)·Πⱼ≠ₖ Mⱼ / (W · Πₖ Mₖ), over the weighted figures only.
        let weighted = (0..<3).filter { terms.weights.all[$0] > 0 }
        let product = weighted.reduce(Int128(1)) { $0 * Int128(council[$1]) }
        let denominator = Int128(terms.weights.sum) * product
        let total = Int128(terms.total.value)
        let numerators: [Int128] = figures.map { cluster in
            weighted.reduce(Int128(0)) { sum, index in
                sum + Int128(terms.weights.all[index]) * Int128(max(0, cluster.all[index])) * (product / Int128(council[index]))
            } * total
        }
        var pence = numerators.map { $0 / denominator }
        let remainders = numerators.map { $0 % denominator }
        let left = Int(terms.total.value - pence.reduce(Int128(0), +).toInt64)
        // The pennies left go to the largest remainders; equal remainders go by cluster name, then id.
        let order = figures.indices.sorted { lhs, rhs in
            if remainders[lhs] != remainders[rhs] { return remainders[lhs] > remainders[rhs] }
            if figures[lhs].name != figures[rhs].name { return figures[lhs].name < figures[rhs].name }
            return figures[lhs].clusterID.description < figures[rhs].clusterID.description
        }
        for index in order.prefix(left) { pence[index] += 1 }
        return figures.indices.map { index in
            let fraction = weighted.reduce(0.0) { sum, metric in
                sum + Double(terms.weights.all[metric]) * Double(max(0, figures[index].all[metric])) / Double(council[metric])
            } / Double(terms.weights.sum)
            return Share(figures: figures[index], fraction: fraction, allocation: Pence(pence[index].toInt64))
        }
    }
}

extension Int128 {
    /// Within range by construction: every quotient here is at most the total, itself an `Int64`.
    var toInt64: Int64 { Int64(truncatingIfNeeded: self) }
}
