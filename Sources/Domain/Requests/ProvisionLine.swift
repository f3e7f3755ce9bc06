import Foundation

/// What a line of provision pays for (DOMAIN.md, "Requests": costed provision lines).
public enum ProvisionCategory: String, Sendable, CaseIterable, Codable {
    case staffing, training
    case resources = "resources_and_equipment"
    case therapy, environment, other

    public var label: String {
        switch self {
        case .staffing: "Staffing"
        case .training: "Training"
        case .resources: "Resources and equipment"
        case .therapy: "Therapy"
        case .environment: "Environment"
        case .other: "Other"
        }
    }
}

/// Who pays for a line: only the cluster's lines make up the sum asked; the school's own are the evidence it spent first.
public enum ProvisionFunder: String, Sendable, CaseIterable, Codable {
    case school, cluster, other

    public var label: String {
        switch self {
        case .school: "The school's notional SEN budget"
        case .cluster: "The cluster"
        case .other: "Another source"
        }
    }
}

/// One costed line: the total is computed, never typed.
public struct ProvisionLine: Hashable, Sendable {
    public var category: ProvisionCategory
    public var description: String
    /// The role of the staff paid for, on a staffing line.
    public var staffRole: String?
    public var unitCost: Pence
    /// How many units: sessions per week × weeks, or items.
    public var quantity: Int
    public var funder: ProvisionFunder

    public init(category: ProvisionCategory, description: String, staffRole: String? = nil, unitCost: Pence, quantity: Int, funder: ProvisionFunder) {
        self.category = category
        self.description = description
        self.staffRole = staffRole
        self.unitCost = unitCost
        self.quantity = quantity
        self.funder = funder
    }

    /// The most one unit may cost (£1,000,000) and the most units on a line (10,000): beyond these a figure is a typing
    /// slip, and the product stays far inside 64 bits.
    public static let largestUnitCost = Pence(100_000_000)
    public static let largestQuantity = 10_000

    public var total: Pence { Pence(unitCost.value * Int64(quantity)) }
}

/// A request's costed lines, checked, with the sums they make.
public struct CostedPlan: Hashable, Sendable {
    public let lines: [ProvisionLine]

    /// The sum asked of the cluster: its lines only.
    public var ask: Pence { lines.filter { $0.funder == .cluster }.reduce(.zero) { $0 + $1.total } }
    /// What the school funds from its own notional SEN budget.
    public var schoolFunded: Pence { lines.filter { $0.funder == .school }.reduce(.zero) { $0 + $1.total } }

    /// Every line's problems at once, each naming its line (`/lines/2/quantity`).
    public static func checked(_ lines: [ProvisionLine]) throws(DomainError) -> CostedPlan {
        var issues: [DomainError.FieldIssue] = []
        for (index, line) in lines.enumerated() {
            let at = "/lines/\(index)"
            let text = line.description.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty || text.count > 500 {
                issues.append(.init(pointer: "\(at)/description", detail: "Line \(index + 1): say what the line pays for, in at most 500 characters."))
            }
            if line.category == .staffing, (line.staffRole ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                issues.append(.init(pointer: "\(at)/staffRole", detail: "Line \(index + 1): name the staff role a staffing line pays for."))
            }
            if line.unitCost <= .zero || line.unitCost > ProvisionLine.largestUnitCost {
                issues.append(.init(pointer: "\(at)/unitCost", detail: "Line \(index + 1): enter a unit cost above £0 and at most \(ProvisionLine.largestUnitCost)."))
            }
            if !(1...ProvisionLine.largestQuantity).contains(line.quantity) {
                issues.append(.init(pointer: "\(at)/quantity", detail: "Line \(index + 1): enter a quantity from 1 to \(ProvisionLine.largestQuantity)."))
            }
        }
        guard issues.isEmpty else { throw .validation(issues) }
        return CostedPlan(lines: lines)
    }

    init(lines: [ProvisionLine]) { self.lines = lines }

    /// The council's per-pupil threshold for an individual request: the school's own provision must reach it before
    /// the cluster funds more. Nil when it is met, or the type does not apply it.
    public func thresholdProblem(type: RequestType, threshold: Pence) -> String? {
        guard type.appliesThreshold, schoolFunded < threshold else { return nil }
        return "The school's own provision for this pupil is \(schoolFunded); the council expects \(threshold) from the school's notional SEN budget before cluster funding."
    }
}
