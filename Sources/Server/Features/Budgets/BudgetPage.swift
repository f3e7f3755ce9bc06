import Domain
import Foundation
import Hummingbird
import Store

/// How the budget's table is sorted: `?sort=allocation&dir=desc`. Links in the column headings change it, so the
/// table sorts without JavaScript.
struct BudgetSort: Sendable {
    static let columns: [(key: String, label: String)] = [("name", "Cluster"), ("schools", "Schools"), ("onRoll", "On roll"),
                                                          ("senSupport", "SEN support"), ("fsm", "Free school meals"), ("share", "Share"),
                                                          ("allocation", "Allocation"), ("reserve", "Reserve")]
    var key = "name"
    var descending = false

    init() {}

    init(_ request: Request) {
        if let key = request.uri.queryParameters["sort"].map(String.init), Self.columns.contains(where: { $0.key == key }) { self.key = key }
        descending = request.uri.queryParameters["dir"] == "desc"
    }

    func sorted(_ rows: [BudgetPage.Row]) -> [BudgetPage.Row] {
        let ascending = rows.sorted { lhs, rhs in
            let order: Bool? = switch key {
            case "schools": lhs.sort.schools == rhs.sort.schools ? nil : lhs.sort.schools < rhs.sort.schools
            case "onRoll": lhs.sort.onRoll == rhs.sort.onRoll ? nil : lhs.sort.onRoll < rhs.sort.onRoll
            case "senSupport": lhs.sort.senSupport == rhs.sort.senSupport ? nil : lhs.sort.senSupport < rhs.sort.senSupport
            case "fsm": lhs.sort.fsm == rhs.sort.fsm ? nil : lhs.sort.fsm < rhs.sort.fsm
            case "share": lhs.sort.share == rhs.sort.share ? nil : lhs.sort.share < rhs.sort.share
            case "allocation": lhs.sort.allocation == rhs.sort.allocation ? nil : lhs.sort.allocation < rhs.sort.allocation
            case "reserve": lhs.sort.reserve == rhs.sort.reserve ? nil : lhs.sort.reserve < rhs.sort.reserve
            default: nil
            }
            return order ?? (lhs.name < rhs.name)
        }
        return descending ? ascending.reversed() : ascending
    }

    func headers(year: Int) -> [BudgetPage.SortHeader] {
        Self.columns.map { column in
            let current = column.key == key
            let next = current && !descending ? "desc" : "asc"
            return BudgetPage.SortHeader(label: column.label, href: "/budgets/\(year)?sort=\(column.key)&dir=\(next)#allocations",
                                         ariaSort: current ? (descending ? "descending" : "ascending") : "none")
        }
    }
}

struct BudgetPage: Sendable {
    /// What the refused form had typed, to show it again.
    enum Typed: Sendable {
        case none
        case terms(BudgetTermsPageForm)
        case override(OverridePageForm)
        case adjustment(AdjustmentPageForm)
    }

    struct SortKeys: Sendable {
        var schools: Int
        var onRoll: Int64
        var senSupport: Int64
        var fsm: Int64
        var share: Double
        var allocation: Int64
        var reserve: Int64
    }

    struct Row: Sendable {
        var clusterId: String
        var name: String
        var schools: Int
        var onRoll: Int64
        var senSupport: Int64
        var fsm: Int64
        var share: String
        var formula: String
        var allocation: String
        var overridden: Bool
        var overrideReason: String
        var reserve: String
        var balance: BalanceView?
        var sort: SortKeys
    }

    struct SortHeader: Sendable {
        var label: String
        var href: String
        var ariaSort: String
    }

    struct Bar: Sendable {
        var y: Int
        var textY: Int
        var width: Int
        var valueX: Int
        var label: String
        var value: String
    }

    struct Chart: Sendable {
        var height: Int
        var bars: [Bar]
        var summary: String
    }

    var layout: Layout
    var errors = FormErrors()
    var year: Int
    var yearName: String
    var status: String
    var exists: Bool
    var draft: Bool
    var confirmed: Bool
    var confirmedLine: String?
    var censusYear: Int
    var membershipYearName: String
    var schoolsWithoutFigures: Int
    var hasMissingFigures = false
    var problem: String?
    var total: String
    var weightOnRoll: String
    var weightSenSupport: String
    var weightFreeSchoolMeals: String
    var reservePercent: String
    var rows: [Row] = []
    var hasRows = false
    var headers: [SortHeader] = []
    var totalFormatted: String
    var allocatedFormatted = ""
    var gap: String?
    var canConfirm = false
    var chart: Chart?
    var clusterOptions: [SelectOption] = []
    var overrideAllocation = ""
    var overrideReason = ""
    var fromClusters: [SelectOption] = []
    var toClusters: [SelectOption] = []
    var adjustAmount = ""
    var adjustReason = ""
}

extension BudgetController {
    func budgetPage(_ session: Authenticated, _ view: BudgetView, sort: BudgetSort, typed: BudgetPage.Typed = .none,
                    errors: FormErrors = FormErrors()) async throws -> BudgetPage {
        let terms: BudgetTermsPageForm = if case .terms(let form) = typed { form } else {
            BudgetTermsPageForm(total: view.exists ? view.terms.total.plainPounds : "", weightOnRoll: String(view.terms.weights.onRoll),
                                weightSenSupport: String(view.terms.weights.senSupport), weightFreeSchoolMeals: String(view.terms.weights.freeSchoolMeals),
                                reservePercent: String(view.terms.reservePercent))
        }
        var page = BudgetPage(
            layout: Layout(title: "Budget \(view.year.name)", path: "/budgets", session: session), errors: errors, year: view.year.startYear,
            yearName: view.year.name, status: view.isConfirmed ? "Confirmed" : view.exists ? "Draft" : "Not set up yet", exists: view.exists,
            draft: view.exists && !view.isConfirmed, confirmed: view.isConfirmed,
            confirmedLine: view.confirmedAt.map { "Confirmed on \(MeetingController.longDate(CalendarDate.today(at: $0)))" + (view.confirmedByName.map { " by \($0)" } ?? "") + "." },
            censusYear: view.censusYear, membershipYearName: view.membershipYear.name, schoolsWithoutFigures: view.schoolsWithoutFigures,
            problem: view.planProblem?.message, total: terms.total ?? "", weightOnRoll: terms.weightOnRoll ?? "", weightSenSupport: terms.weightSenSupport ?? "",
            weightFreeSchoolMeals: terms.weightFreeSchoolMeals ?? "", reservePercent: terms.reservePercent ?? "", totalFormatted: view.terms.total.formatted)
        page.hasMissingFigures = view.schoolsWithoutFigures > 0
        let names = Dictionary(try await clusters.list(session.actor, year: view.membershipYear).map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        if let plan = view.plan {
            page.rows = plan.rows.map { row in
                let balance = view.balances[row.figures.clusterID]
                let allocation = balance?.allocatedPence ?? row.allocation
                let reserve = balance?.reservePence ?? row.reserve
                return BudgetPage.Row(
                    clusterId: row.figures.clusterID.description, name: row.figures.name, schools: row.figures.schools, onRoll: row.figures.onRoll,
                    senSupport: row.figures.senSupport, fsm: row.figures.freeSchoolMeals, share: String(format: "%.2f%%", row.fraction * 100),
                    formula: row.formulaAllocation.formatted, allocation: allocation.formatted, overridden: row.overrideReason != nil,
                    overrideReason: row.overrideReason ?? "", reserve: reserve.formatted, balance: balance.map(BalanceView.init),
                    sort: .init(schools: row.figures.schools, onRoll: row.figures.onRoll, senSupport: row.figures.senSupport, fsm: row.figures.freeSchoolMeals,
                                share: row.fraction, allocation: allocation.value, reserve: reserve.value))
            }
            page.allocatedFormatted = plan.allocated.formatted
            if !view.isConfirmed, !plan.isBalanced {
                page.gap = plan.unallocated > .zero ? "\(plan.unallocated.formatted) is left unallocated."
                    : "\(Pence(-plan.unallocated.value).formatted) is allocated beyond the total."
            }
            page.canConfirm = page.draft && plan.isBalanced
        } else if view.isConfirmed {
            // The figures no longer give a plan (a census changed since): the balances are still the record.
            page.rows = view.balances.map { id, balance in
                BudgetPage.Row(clusterId: id.description, name: names[id] ?? id.description, schools: 0, onRoll: 0, senSupport: 0, fsm: 0, share: "",
                               formula: "", allocation: balance.allocatedPence.formatted, overridden: false, overrideReason: "",
                               reserve: balance.reservePence.formatted, balance: BalanceView(balance),
                               sort: .init(schools: 0, onRoll: 0, senSupport: 0, fsm: 0, share: 0, allocation: balance.allocatedPence.value,
                                           reserve: balance.reservePence.value))
            }
        }
        if view.isConfirmed { page.allocatedFormatted = view.balances.values.reduce(Pence.zero) { $0 + $1.allocatedPence }.formatted }
        page.rows = sort.sorted(page.rows)
        page.hasRows = !page.rows.isEmpty
        page.headers = sort.headers(year: view.year.startYear)
        page.chart = Self.chart(page.rows)
        let options = names.sorted { $0.value < $1.value }.map { ($0.key.description, $0.value) }
        switch typed {
        case .override(let form):
            page.clusterOptions = SelectOption.list(options, chosen: form.clusterId, any: "Choose a cluster")
            page.overrideAllocation = form.allocation ?? ""
            page.overrideReason = form.reason ?? ""
        case .adjustment(let form):
            page.fromClusters = SelectOption.list(options, chosen: form.fromClusterId, any: "None: new money")
            page.toClusters = SelectOption.list(options, chosen: form.toClusterId, any: "None: money returned")
            page.adjustAmount = form.amount ?? ""
            page.adjustReason = form.reason ?? ""
        case .none, .terms: break
        }
        if page.clusterOptions.isEmpty { page.clusterOptions = SelectOption.list(options, chosen: nil, any: "Choose a cluster") }
        if page.fromClusters.isEmpty {
            page.fromClusters = SelectOption.list(options, chosen: nil, any: "None: new money")
            page.toClusters = SelectOption.list(options, chosen: nil, any: "None: money returned")
        }
        return page
    }

    /// A horizontal bar per cluster, its length its share of the largest allocation; the table gives the same figures.
    static func chart(_ rows: [BudgetPage.Row]) -> BudgetPage.Chart? {
        let largest = rows.map(\.sort.allocation).max() ?? 0
        guard largest > 0 else { return nil }
        let bars = rows.enumerated().map { index, row in
            let width = max(1, Int(Double(row.sort.allocation) / Double(largest) * 360))
            return BudgetPage.Bar(y: 10 + index * 32, textY: 10 + index * 32 + 17, width: width, valueX: 200 + width + 8, label: row.name,
                                  value: row.allocation)
        }
        return BudgetPage.Chart(height: 20 + rows.count * 32, bars: bars,
                                summary: "Allocation by cluster: " + rows.map { "\($0.name) \($0.allocation)" }.joined(separator: "; ") + ".")
    }
}
