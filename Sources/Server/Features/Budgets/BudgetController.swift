import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// The budget pages (officers): the funding years, one year's set-up with its preview table and chart, overrides,
/// confirmation and adjustments, and a cluster's ledger for a year, filtered by kind and exported as CSV.
struct BudgetController {
    let pages: Pages
    let budgets: BudgetStore
    let ledger: LedgerStore
    let clusters: ClusterStore
    let today: @Sendable () -> CalendarDate

    func addRoutes(to routes: RouteTable) {
        routes.signedInPages.get("/budgets", use: list)
        routes.signedInPages.get("/budgets/{fundingYear}", use: show)
        routes.signedInPages.post("/budgets/{fundingYear}", use: save)
        routes.signedInPages.post("/budgets/{fundingYear}/overrides", use: override)
        routes.signedInPages.post("/budgets/{fundingYear}/confirm", use: confirm)
        routes.signedInPages.post("/budgets/{fundingYear}/adjustments", use: adjust)
        routes.signedInPages.get("/clusters/{clusterId}/ledger", use: ledgerPage)
        routes.signedInPages.get("/clusters/{clusterId}/ledger.csv", use: ledgerCSV)
    }

    // MARK: The funding years

    struct YearRow: Sendable {
        var year: Int
        var name: String
        var total: String
        var status: String
    }

    struct ListPage: Sendable {
        var layout: Layout
        var errors = FormErrors()
        var rows: [YearRow]
        var hasRows: Bool
        var pagination: Pagination?
        var years: [SelectOption]
    }

    @Sendable func list(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try budgets.authorize(session.actor)
        if let text = request.uri.queryParameters["fundingYear"], let year = Int(String(text)), CalendarController.years.contains(year) {
            return HTMLResponses.redirect(to: "/budgets/\(year)")
        }
        let found = try await budgets.list(session.actor, page: request.uri.queryParameters["page"].flatMap { Int(String($0)) })
        let current = FundingYear.holding(today())
        let page = ListPage(
            layout: Layout(title: "Budgets", path: "/budgets", session: session),
            rows: found.items.map { YearRow(year: $0.year.startYear, name: $0.year.name, total: $0.total.formatted, status: $0.confirmedAt == nil ? "Draft" : "Confirmed") },
            hasRows: !found.items.isEmpty, pagination: Pagination(found, path: "/budgets", query: ""),
            years: SelectOption.list((current.startYear - 1...current.startYear + 1).map { (String($0), FundingYear($0).name) },
                                     chosen: String(current.startYear)))
        return try pages.render("budgets", page)
    }

    // MARK: One funding year

    @Sendable func show(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try budgets.authorize(session.actor)
        let year = try BudgetsAPIController.fundingYear(context)
        let view = try await budgets.budget(session.actor, year: year)
        return try pages.render("budget", try await budgetPage(session, view, sort: BudgetSort(request)))
    }

    /// Runs a change from the budget's page: on success back to the page, on a refusal the page again with the error
    /// beside the form's fields and what was typed kept.
    func change(_ request: Request, context: SignedInContext, keep: BudgetPage.Typed,
                _ body: (Actor, FundingYear, RequestInfo) async throws -> Void) async throws -> Response {
        let session = context.session
        let year = try BudgetsAPIController.fundingYear(context)
        do {
            try await body(session.actor, year, context.requestInfo(request))
            return HTMLResponses.redirect(to: "/budgets/\(year.startYear)")
        } catch let error as DomainError {
            guard !error.isNotFound else { throw error }
            let view = try await budgets.budget(session.actor, year: year)
            let page = try await budgetPage(session, view, sort: BudgetSort(), typed: keep, errors: FormErrors(BudgetPageIssues.renamed(error)))
            return try pages.render("budget", page, status: .unprocessableContent)
        }
    }

    @Sendable func save(_ request: Request, context: SignedInContext) async throws -> Response {
        try budgets.authorize(context.actor)
        let form = try await URLEncodedFormDecoder().decode(BudgetTermsPageForm.self, from: request, context: context)
        return try await change(request, context: context, keep: .terms(form)) { actor, year, info in
            _ = try await budgets.save(actor, year: year, terms: try form.parsed(), overrides: nil, request: info)
        }
    }

    @Sendable func override(_ request: Request, context: SignedInContext) async throws -> Response {
        try budgets.authorize(context.actor)
        let form = try await URLEncodedFormDecoder().decode(OverridePageForm.self, from: request, context: context)
        return try await change(request, context: context, keep: .override(form)) { actor, year, info in
            _ = try await budgets.override(actor, year: year, cluster: try form.cluster(), allocation: try form.amount(), reason: form.reason ?? "",
                                           request: info)
        }
    }

    @Sendable func confirm(_ request: Request, context: SignedInContext) async throws -> Response {
        try budgets.authorize(context.actor)
        return try await change(request, context: context, keep: .none) { actor, year, info in
            _ = try await budgets.confirm(actor, year: year, request: info)
        }
    }

    @Sendable func adjust(_ request: Request, context: SignedInContext) async throws -> Response {
        try budgets.authorize(context.actor)
        let form = try await URLEncodedFormDecoder().decode(AdjustmentPageForm.self, from: request, context: context)
        return try await change(request, context: context, keep: .adjustment(form)) { actor, year, info in
            let (from, to, amount) = try form.parsed()
            _ = try await budgets.adjust(actor, year: year, from: from, to: to, amount: amount, reason: form.reason ?? "", request: info)
        }
    }

    // MARK: A cluster's ledger

    struct EntryRow: Sendable {
        var date: String
        var kind: String
        var amount: String
        var pot: String
        var reason: String
        var author: String
    }

    struct LedgerPage: Sendable {
        var layout: Layout
        var errors = FormErrors()
        var clusterId: String
        var cluster: String
        var year: Int
        var yearName: String
        var years: [SelectOption]
        var kinds: [SelectOption]
        var kind: String
        var balance: BalanceView
        var rows: [EntryRow] = []
        var hasRows = false
        var pagination: Pagination?
    }

    static func entryRows(_ items: [LedgerEntryRecord]) -> [EntryRow] {
        items.map { entry in
            EntryRow(date: MeetingController.longDate(CalendarDate.today(at: entry.createdAt)), kind: entry.kind.label, amount: entry.amount.formatted,
                     pot: entry.touchesReserve ? "Reserve" : "Ordinary", reason: entry.reason ?? "", author: entry.authorName ?? "")
        }
    }

    @Sendable func ledgerPage(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try budgets.authorize(session.actor)
        let cluster = try ClusterController.clusterID(context)
        let detail = try await clusters.cluster(session.actor, cluster, year: AcademicYear.holding(today()))
        let current = FundingYear.holding(today())
        let (year, kind, filters) = BudgetsAPIController.ledgerQuery(request, today: today(), emptyIsAbsent: true)
        let errors = FormErrors(filters.issues)
        let balance = try await ledger.balance(session.actor, cluster: cluster, year: year)
        var page = LedgerPage(
            layout: Layout(title: "Ledger, \(detail.overview.name)", path: "/budgets", session: session), errors: errors,
            clusterId: cluster.description, cluster: detail.overview.name, year: year.startYear, yearName: year.name,
            years: SelectOption.list((current.startYear - 3...current.startYear + 1).map { (String($0), FundingYear($0).name) }, chosen: String(year.startYear)),
            kinds: SelectOption.list(LedgerKind.allCases.map { ($0.rawValue, $0.label) }, chosen: kind?.rawValue, any: "Every kind"),
            kind: kind?.rawValue ?? "", balance: BalanceView(balance))
        guard errors.items.isEmpty else { return try pages.render("ledger", page, status: .unprocessableContent) }
        let found = try await ledger.entries(session.actor, cluster: cluster, year: year, kind: kind,
                                             page: request.uri.queryParameters["page"].flatMap { Int(String($0)) })
        page.rows = Self.entryRows(found.items)
        page.hasRows = !page.rows.isEmpty
        page.pagination = Pagination(found, path: "/clusters/\(cluster)/ledger", query: "fundingYear=\(year.startYear)&" + (kind.map { "kind=\($0.rawValue)&" } ?? ""))
        return try pages.render("ledger", page)
    }

    /// Every entry of the cluster's year (of one kind, if chosen), as CSV: one row per entry, amounts in pounds.
    @Sendable func ledgerCSV(_ request: Request, context: SignedInContext) async throws -> Response {
        try budgets.authorize(context.actor)
        let cluster = try ClusterController.clusterID(context)
        let (year, kind, filters) = BudgetsAPIController.ledgerQuery(request, today: today(), emptyIsAbsent: true)
        try filters.check()
        var lines = ["position,date,kind,amount_pounds,pot,source_kind,source_id,reason,author"]
        var number = 1
        while true {
            let found = try await ledger.entries(context.actor, cluster: cluster, year: year, kind: kind, page: number, size: 200)
            for entry in found.items {
                lines.append([String(entry.position), CalendarDate.today(at: entry.createdAt).iso, entry.kind.rawValue, entry.amount.plainPounds,
                              entry.touchesReserve ? "reserve" : "ordinary", entry.sourceKind ?? "", entry.sourceID?.uuidString.lowercased() ?? "",
                              entry.reason ?? "", entry.authorName ?? ""].map(Self.csvField).joined(separator: ","))
            }
            guard found.hasNext else { break }
            number += 1
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"ledger-\(year.startYear).csv\""
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: lines.joined(separator: "\r\n") + "\r\n")))
    }

    /// A CSV field, quoted when it must be, and never read as a formula by a spreadsheet.
    static func csvField(_ text: String) -> String {
        var text = text
        if let first = text.first, "=+-@\t\r".contains(first), Double(text) == nil { text = "'" + text }
        guard text.contains(where: { ",\"\r\n".contains($0) }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// A cluster's balance as its pages show it.
struct BalanceView: Sendable {
    var allocated: String
    var reserve: String
    var committed: String
    var paid: String
    var available: String
    var reserveCommitted: String
    var reserveAvailable: String

    init(_ balance: Balance) {
        allocated = balance.allocatedPence.formatted
        reserve = balance.reservePence.formatted
        committed = balance.committedPence.formatted
        paid = balance.paidPence.formatted
        available = balance.availablePence.formatted
        reserveCommitted = balance.reserveCommittedPence.formatted
        reserveAvailable = balance.reserveAvailablePence.formatted
    }
}
