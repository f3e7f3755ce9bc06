import Domain
import Foundation
import Hummingbird
import Store

/// Budgets and the ledger in the JSON API: officers set, preview, confirm and adjust a funding year's budget and read
/// any cluster's ledger; a cluster's balance is served to whoever may see it (its schools' staff that year, its EPs).
struct BudgetsAPIController {
    let budgets: BudgetStore
    let ledger: LedgerStore
    let today: @Sendable () -> CalendarDate

    func addRoutes(to routes: RouteTable) {
        routes.signedInAPI.get("/api/v1/budgets", use: list)
        routes.signedInAPI.get("/api/v1/budgets/{fundingYear}", use: show)
        routes.signedInAPI.put("/api/v1/budgets/{fundingYear}", use: save)
        routes.signedInAPI.post("/api/v1/budgets/{fundingYear}/confirm", use: confirm)
        routes.signedInAPI.post("/api/v1/budgets/{fundingYear}/adjustments", use: adjust)
        routes.signedInAPI.get("/api/v1/clusters/{clusterId}/balance", use: balance)
        routes.signedInAPI.get("/api/v1/clusters/{clusterId}/ledger", use: entries)
    }

    /// The funding year in the path: 2000 to 2100, else there is no such budget.
    static func fundingYear(_ context: some RequestContext) throws -> FundingYear {
        guard let text = context.parameters.get("fundingYear"), let year = Int(text), CalendarController.years.contains(year) else {
            throw DomainError.notFound("There is no budget for that funding year.")
        }
        return FundingYear(year)
    }

    /// `?fundingYear=2026` (or the funding year holding today) and `?kind=commitment` (or every kind), each unreadable
    /// one reported; a page's form sends an empty field for "this year" and "every kind", the API never.
    static func ledgerQuery(_ request: Request, today: CalendarDate, emptyIsAbsent: Bool) -> (year: FundingYear, kind: LedgerKind?, filters: QueryFilters) {
        var filters = QueryFilters(request, emptyIsAbsent: emptyIsAbsent)
        let year = filters.fundingYear() ?? FundingYear.holding(today)
        let kind = filters.value("kind", "Choose one of: " + LedgerKind.allCases.map(\.rawValue).joined(separator: ", ") + ".") { LedgerKind(rawValue: $0) }
        return (year, kind, filters)
    }

    @Sendable func list(_ request: Request, context: SignedInContext) async throws -> PageBody<BudgetSummaryBody> {
        try budgets.authorize(context.actor)
        let (number, size) = try PageBody<BudgetSummaryBody>.requested(request)
        return PageBody(try await budgets.list(context.actor, page: number, size: size), map: BudgetSummaryBody.init)
    }

    @Sendable func show(_ request: Request, context: SignedInContext) async throws -> BudgetResponse {
        try budgets.authorize(context.actor)
        return BudgetResponse(try await budgets.budget(context.actor, year: try Self.fundingYear(context)))
    }

    @Sendable func save(_ request: Request, context: SignedInContext) async throws -> BudgetResponse {
        try budgets.authorize(context.actor)
        let year = try Self.fundingYear(context)
        let (terms, overrides) = try await request.decode(as: BudgetBody.self, context: context).parsed()
        return BudgetResponse(try await budgets.save(context.actor, year: year, terms: terms, overrides: overrides, request: context.requestInfo(request)))
    }

    @Sendable func confirm(_ request: Request, context: SignedInContext) async throws -> BudgetResponse {
        try budgets.authorize(context.actor)
        return BudgetResponse(try await budgets.confirm(context.actor, year: try Self.fundingYear(context), request: context.requestInfo(request)))
    }

    @Sendable func adjust(_ request: Request, context: SignedInContext) async throws -> BudgetResponse {
        try budgets.authorize(context.actor)
        let year = try Self.fundingYear(context)
        let body = try await request.decode(as: AdjustmentBody.self, context: context)
        let (from, to) = try body.clusters()
        return BudgetResponse(try await budgets.adjust(context.actor, year: year, from: from, to: to, amount: Pence(body.amountPence),
                                                       reason: body.reason, request: context.requestInfo(request)))
    }

    @Sendable func balance(_ request: Request, context: SignedInContext) async throws -> BalanceBody {
        let cluster = try ClusterController.clusterID(context)
        let query = Self.ledgerQuery(request, today: today(), emptyIsAbsent: false)
        try query.filters.check()
        let year = query.year
        return BalanceBody(clusterId: cluster.description, fundingYear: year.startYear,
                           balance: try await ledger.balance(context.actor, cluster: cluster, year: year))
    }

    @Sendable func entries(_ request: Request, context: SignedInContext) async throws -> PageBody<LedgerEntryBody> {
        try budgets.authorize(context.actor)
        let cluster = try ClusterController.clusterID(context)
        let (year, kind, filters) = Self.ledgerQuery(request, today: today(), emptyIsAbsent: false)
        try filters.check()
        let (number, size) = try PageBody<LedgerEntryBody>.requested(request)
        return PageBody(try await ledger.entries(context.actor, cluster: cluster, year: year, kind: kind, page: number, size: size), map: LedgerEntryBody.init)
    }
}

struct BudgetSummaryBody: Encodable, Sendable {
    var fundingYear: Int
    var totalPence: Int64
    var status: String
    var confirmedAt: Date?

    init(_ summary: BudgetSummary) {
        fundingYear = summary.year.startYear
        totalPence = summary.total.value
        status = summary.confirmedAt == nil ? "draft" : "confirmed"
        confirmedAt = summary.confirmedAt
    }
}

struct BalanceBody: ResponseEncodable {
    var clusterId: String
    var fundingYear: Int
    var allocatedPence: Int64
    var reservePence: Int64
    var committedPence: Int64
    var paidPence: Int64
    var availablePence: Int64
    var reserveCommittedPence: Int64
    var reservePaidPence: Int64
    var reserveAvailablePence: Int64

    init(clusterId: String, fundingYear: Int, balance: Balance) {
        self.clusterId = clusterId
        self.fundingYear = fundingYear
        allocatedPence = balance.allocatedPence.value
        reservePence = balance.reservePence.value
        committedPence = balance.committedPence.value
        paidPence = balance.paidPence.value
        availablePence = balance.availablePence.value
        reserveCommittedPence = balance.reserveCommittedPence.value
        reservePaidPence = balance.reservePaidPence.value
        reserveAvailablePence = balance.reserveAvailablePence.value
    }
}

struct LedgerEntryBody: Encodable, Sendable {
    var id: String
    var fundingYear: Int
    var clusterId: String
    var kind: String
    var amountPence: Int64
    var touchesReserve: Bool
    var sourceKind: String?
    var sourceId: String?
    var reason: String?
    var author: String?
    var createdAt: Date

    init(_ entry: LedgerEntryRecord) {
        id = entry.id.uuidString.lowercased()
        fundingYear = entry.fundingYear.startYear
        clusterId = entry.clusterID.description
        kind = entry.kind.rawValue
        amountPence = entry.amount.value
        touchesReserve = entry.touchesReserve
        sourceKind = entry.sourceKind
        sourceId = entry.sourceID?.uuidString.lowercased()
        reason = entry.reason
        author = entry.authorName
        createdAt = entry.createdAt
    }
}

struct BudgetResponse: ResponseEncodable {
    struct Cluster: Encodable, Sendable {
        var clusterId: String
        var name: String
        var schools: Int
        var onRoll: Int64
        var senSupport: Int64
        var freeSchoolMeals: Int64
        var share: Double
        var formulaAllocationPence: Int64
        var allocationPence: Int64
        var overrideReason: String?
        var reservePence: Int64
    }

    var fundingYear: Int
    var name: String
    var status: String
    var totalPence: Int64
    var weights: BudgetBody.Weights
    var reservePercent: Int
    var confirmedAt: Date?
    var confirmedBy: String?
    var censusYear: Int
    var membershipAcademicYear: Int
    var schoolsWithoutFigures: Int
    var allocatedPence: Int64?
    var unallocatedPence: Int64?
    /// Why there is no plan yet (no clusters that day, a weighted figure zero across the council).
    var problem: String?
    var clusters: [Cluster]
    /// Once confirmed: each cluster's balance, from the ledger.
    var balances: [BalanceBody]

    init(_ view: BudgetView) {
        fundingYear = view.year.startYear
        name = view.year.name
        status = view.isConfirmed ? "confirmed" : view.exists ? "draft" : "none"
        totalPence = view.terms.total.value
        weights = BudgetBody.Weights(onRoll: view.terms.weights.onRoll, senSupport: view.terms.weights.senSupport,
                                     freeSchoolMeals: view.terms.weights.freeSchoolMeals)
        reservePercent = view.terms.reservePercent
        confirmedAt = view.confirmedAt
        confirmedBy = view.confirmedByName
        censusYear = view.censusYear
        membershipAcademicYear = view.membershipYear.startYear
        schoolsWithoutFigures = view.schoolsWithoutFigures
        allocatedPence = view.plan?.allocated.value
        unallocatedPence = view.plan?.unallocated.value
        problem = view.planProblem?.message
        clusters = view.plan?.rows.map { row in
            Cluster(clusterId: row.figures.clusterID.description, name: row.figures.name, schools: row.figures.schools, onRoll: row.figures.onRoll,
                    senSupport: row.figures.senSupport, freeSchoolMeals: row.figures.freeSchoolMeals, share: row.fraction,
                    formulaAllocationPence: row.formulaAllocation.value, allocationPence: row.allocation.value, overrideReason: row.overrideReason,
                    reservePence: row.reserve.value)
        } ?? []
        balances = view.balances.sorted { $0.key.description < $1.key.description }.map {
            BalanceBody(clusterId: $0.key.description, fundingYear: view.year.startYear, balance: $0.value)
        }
    }
}
