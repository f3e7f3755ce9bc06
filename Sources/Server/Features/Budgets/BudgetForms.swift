import Domain
import Foundation
import Hummingbird
import Store

// The budget's forms: the pages send text (sums in pounds), the API typed JSON (sums in pence). Each parser reports
// every unreadable field at once, with the API's pointers; the pages rename them to their own fields (`pageIssues`).

/// `PUT /api/v1/budgets/{fundingYear}`: the total, the weights, the reserve share and, when sent, every override.
struct BudgetBody: Decodable, Sendable {
    struct Weights: Codable, Sendable {
        var onRoll: Int
        var senSupport: Int
        var freeSchoolMeals: Int
    }

    struct Override: Codable, Sendable {
        var clusterId: String
        var allocationPence: Int64
        var reason: String
    }

    var totalPence: Int64
    var weights: Weights
    var reservePercent: Int
    var overrides: [Override]?

    enum CodingKeys: String, CodingKey { case totalPence, weights, reservePercent, overrides }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        totalPence = try container.decode(Int64.self, forKey: .totalPence)
        weights = try container.decode(Weights.self, forKey: .weights)
        reservePercent = try container.decode(Int.self, forKey: .reservePercent)
        overrides = try container.decodeUnlessNull([Override].self, forKey: .overrides)
    }

    func parsed() throws(DomainError) -> (BudgetTerms, [AllocationOverride]?) {
        let terms = BudgetTerms(total: Pence(totalPence), weights: FormulaWeights(onRoll: weights.onRoll, senSupport: weights.senSupport,
                                                                                  freeSchoolMeals: weights.freeSchoolMeals),
                                reservePercent: reservePercent)
        var issues: [DomainError.FieldIssue] = []
        let overrides = overrides.map { list in
            list.enumerated().compactMap { index, override -> AllocationOverride? in
                guard let cluster = ID<Cluster>(override.clusterId) else {
                    issues.append(.init(pointer: "/overrides/\(index)/clusterId", detail: "Choose a cluster by its id."))
                    return nil
                }
                return AllocationOverride(clusterID: cluster, allocation: Pence(override.allocationPence), reason: override.reason)
            }
        }
        do throws(DomainError) { _ = try terms.validated() } catch .validation(let more) { issues = more + issues } catch { throw error }
        guard issues.isEmpty else { throw .validation(issues) }
        return (terms, overrides)
    }
}

/// `POST /api/v1/budgets/{fundingYear}/adjustments`: money moved from one cluster, to another, or both.
struct AdjustmentBody: Decodable, Sendable {
    var fromClusterId: String?
    var toClusterId: String?
    var amountPence: Int64
    var reason: String

    enum CodingKeys: String, CodingKey { case fromClusterId, toClusterId, amountPence, reason }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        fromClusterId = try container.decodeUnlessNull(String.self, forKey: .fromClusterId)
        toClusterId = try container.decodeUnlessNull(String.self, forKey: .toClusterId)
        amountPence = try container.decode(Int64.self, forKey: .amountPence)
        reason = try container.decode(String.self, forKey: .reason)
    }

    /// Each id, when sent, must be one: the API reads an empty string as a mistake, not as "none".
    func clusters() throws(DomainError) -> (ID<Cluster>?, ID<Cluster>?) {
        var issues: [DomainError.FieldIssue] = []
        for (pointer, text) in [("/fromClusterId", fromClusterId), ("/toClusterId", toClusterId)] where text.map({ ID<Cluster>($0) == nil }) == true {
            issues.append(.init(pointer: pointer, detail: "Choose a cluster by its id, or leave the field out."))
        }
        guard issues.isEmpty else { throw .validation(issues) }
        return (fromClusterId.flatMap(ID<Cluster>.init), toClusterId.flatMap(ID<Cluster>.init))
    }
}

/// The set-up form on the budget's page.
struct BudgetTermsPageForm: Decodable, Sendable {
    var total: String?
    var weightOnRoll: String?
    var weightSenSupport: String?
    var weightFreeSchoolMeals: String?
    var reservePercent: String?

    func parsed() throws(DomainError) -> BudgetTerms {
        var issues: [DomainError.FieldIssue] = []
        func whole(_ text: String?, _ pointer: String, _ detail: String) -> Int {
            if let value = text.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) { return value }
            issues.append(.init(pointer: pointer, detail: detail))
            return 0
        }
        let total = Pence(poundsText: total ?? "")
        if total == nil { issues.append(.init(pointer: "/total", detail: BudgetPageIssues.pounds(self.total, "the total", "1,400,000"))) }
        let weights = FormulaWeights(onRoll: whole(weightOnRoll, "/weightOnRoll", "Enter a weight from 0 to 100."),
                                     senSupport: whole(weightSenSupport, "/weightSenSupport", "Enter a weight from 0 to 100."),
                                     freeSchoolMeals: whole(weightFreeSchoolMeals, "/weightFreeSchoolMeals", "Enter a weight from 0 to 100."))
        let reserve = whole(reservePercent, "/reservePercent", "Enter a reserve from 0% to 50%.")
        let terms = BudgetTerms(total: total ?? .zero, weights: weights, reservePercent: reserve)
        if issues.isEmpty {
            do throws(DomainError) { return try terms.validated() } catch .validation(let more) { issues = BudgetPageIssues.renamed(more) } catch { throw error }
        }
        throw .validation(issues)
    }
}

/// "Override a cluster's allocation" (or remove the override) on the budget's page.
struct OverridePageForm: Decodable, Sendable {
    var clusterId: String?
    var allocation: String?
    var reason: String?
    var remove: String?

    func cluster() throws(DomainError) -> ID<Cluster> {
        guard let id = clusterId.flatMap(ID<Cluster>.init) else {
            throw .validation([.init(pointer: "/clusterId", detail: "Choose a cluster from the list.")])
        }
        return id
    }

    /// The allocation, or nil to remove the override.
    func amount() throws(DomainError) -> Pence? {
        if remove != nil { return nil }
        guard let pence = Pence(poundsText: allocation ?? "") else {
            throw .validation([.init(pointer: "/allocation", detail: BudgetPageIssues.pounds(allocation, "the allocation", "200,000"))])
        }
        return pence
    }
}

/// "Move money" on a confirmed budget's page.
struct AdjustmentPageForm: Decodable, Sendable {
    var fromClusterId: String?
    var toClusterId: String?
    var amount: String?
    var reason: String?

    static func clusters(from: String?, to: String?) throws(DomainError) -> (ID<Cluster>?, ID<Cluster>?) {
        var issues: [DomainError.FieldIssue] = []
        func read(_ text: String?, _ pointer: String) -> ID<Cluster>? {
            guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard let id = ID<Cluster>(text) else {
                issues.append(.init(pointer: pointer, detail: "Choose a cluster from the list."))
                return nil
            }
            return id
        }
        let pair = (read(from, "/fromClusterId"), read(to, "/toClusterId"))
        guard issues.isEmpty else { throw .validation(issues) }
        return pair
    }

    func parsed() throws(DomainError) -> (ID<Cluster>?, ID<Cluster>?, Pence) {
        let (from, to) = try Self.clusters(from: fromClusterId, to: toClusterId)
        guard let pence = Pence(poundsText: amount ?? "") else {
            throw .validation([.init(pointer: "/amount", detail: BudgetPageIssues.pounds(amount, "the sum", "5,000"))])
        }
        return (from, to, pence)
    }
}

/// The API's pointers, renamed to the page's fields so each message sits beside its field.
enum BudgetPageIssues {
    static let names = ["/totalPence": "/total", "/weights/onRoll": "/weightOnRoll", "/weights/senSupport": "/weightSenSupport",
                        "/weights/freeSchoolMeals": "/weightFreeSchoolMeals", "/weights": "/weightOnRoll", "/allocationPence": "/allocation",
                        "/amountPence": "/amount"]

    /// Why a sum typed in pounds cannot be read: a minus sign gets its own answer (the direction of a move is chosen
    /// with the clusters, never by the sign).
    static func pounds(_ text: String?, _ what: String, _ example: String) -> String {
        if text?.trimmingCharacters(in: .whitespaces).hasPrefix("-") == true { return "Enter \(what) without a minus sign: it cannot be negative." }
        return "Enter \(what) in pounds, like \(example) or \(example.replacingOccurrences(of: ",", with: "")).00."
    }

    static func renamed(_ issues: [DomainError.FieldIssue]) -> [DomainError.FieldIssue] {
        issues.map { .init(pointer: names[$0.pointer] ?? $0.pointer, detail: $0.detail) }
    }

    static func renamed(_ error: DomainError) -> DomainError {
        switch error {
        case .validation(let issues): .validation(renamed(issues))
        case .missingReference(let issue): .validation(renamed([issue]))
        default: error
        }
    }
}
