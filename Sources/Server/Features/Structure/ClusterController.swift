import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// Clusters year by year, on pages and in the API: everyone signed in sees the clusters they work in (officers all),
/// with each one's schools and make-up; officers create, rename and regroup them.
struct ClusterController {
    let pages: Pages
    let clusters: ClusterStore
    let schools: SchoolStore
    let meetings: MeetingStore
    let ledger: LedgerStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInPages.get("/clusters", use: list)
        routes.signedInPages.post("/clusters", use: create)
        routes.signedInPages.post("/clusters/copy-year", use: copyYear)
        routes.signedInPages.get("/clusters/{clusterId}", use: show)
        routes.signedInPages.post("/clusters/{clusterId}", use: update)
        routes.signedInPages.post("/clusters/{clusterId}/members", use: addMember)
        routes.signedInPages.post("/clusters/{clusterId}/members/{schoolId}/remove", use: removeMember)
        routes.signedInAPI.get("/api/v1/clusters", use: apiList)
        routes.signedInAPI.post("/api/v1/clusters", use: apiCreate)
        routes.signedInAPI.post("/api/v1/clusters/copy-year", use: apiCopyYear)
        routes.signedInAPI.get("/api/v1/clusters/{clusterId}", use: apiShow)
        routes.signedInAPI.patch("/api/v1/clusters/{clusterId}", use: apiUpdate)
        routes.signedInAPI.post("/api/v1/clusters/{clusterId}/members", use: apiAddMember)
        routes.signedInAPI.delete("/api/v1/clusters/{clusterId}/members/{schoolId}", use: apiRemoveMember)
    }

    // MARK: Pages

    struct Row: Sendable {
        var id: String
        var name: String
        var lead: String
        var schools: Int
        var phases: String
        var onRoll: Int
        var senSupport: Int
        var ehcp: Int
        var fsm: Int
    }

    struct ListPage: Sendable {
        var layout: Layout
        var errors = FormErrors()
        var notice: String?
        var canChange: Bool
        var year: Int
        var yearName: String
        var years: [SelectOption]
        var rows: [Row]
        var hasRows = false
        var officers: [SelectOption] = []
        var name = ""
        var copyFrom: [SelectOption] = []
        var copyTo: [SelectOption] = []
    }

    static func yearOptions(_ year: AcademicYear, chosen: Int) -> [SelectOption] {
        SelectOption.list((year.startYear - 3...year.startYear + 2).map { (String($0), AcademicYear($0).name) }, chosen: String(chosen))
    }

    func listPage(_ session: Authenticated, year: AcademicYear, errors: FormErrors = FormErrors(), name: String = "") async throws -> ListPage {
        let today = AcademicYear.holding(clusters.today())
        let found = try await clusters.list(session.actor, year: year)
        var page = ListPage(
            layout: Layout(title: "Clusters", path: "/clusters", session: session), errors: errors, canChange: session.actor.isOfficer,
            year: year.startYear, yearName: year.name, years: Self.yearOptions(today, chosen: year.startYear),
            rows: found.map { cluster in
                Row(id: cluster.id.description, name: cluster.name, lead: cluster.leadName ?? "None", schools: cluster.makeUp.schools,
                    phases: cluster.makeUp.phases.map { "\($0.label) \($0.count)" }.joined(separator: ", "),
                    onRoll: cluster.makeUp.onRoll, senSupport: cluster.makeUp.senSupport, ehcp: cluster.makeUp.ehcp, fsm: cluster.makeUp.fsm)
            }, name: name)
        page.hasRows = !page.rows.isEmpty
        if session.actor.isOfficer {
            page.officers = SelectOption.list(try await clusters.officers(session.actor).map { ($0.id.description, $0.name) }, chosen: nil, any: "No lead yet")
            page.copyFrom = Self.yearOptions(today, chosen: today.startYear)
            page.copyTo = Self.yearOptions(today, chosen: today.startYear + 1)
        }
        return page
    }

    @Sendable func list(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        do {
            let year = try Self.year(request, today: clusters.today())
            var page = try await listPage(session, year: year)
            if let copied = request.uri.queryParameters["copied"] { page.notice = "Copied \(copied) schools' clusters into \(year.name)." }
            return try pages.render("clusters", page)
        } catch let error as DomainError {
            return try pages.render("clusters", try await listPage(session, year: AcademicYear.holding(clusters.today()), errors: FormErrors(error)),
                                    status: .unprocessableContent)
        }
    }

    @Sendable func create(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try clusters.authorize(session.actor)
        let form = try await URLEncodedFormDecoder().decode(ClusterForm.self, from: request, context: context)
        do {
            let id = try await clusters.create(session.actor, name: form.name ?? "", lead: try form.lead(), request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/clusters/\(id)")
        } catch let error as DomainError {
            let errors: FormErrors = if case .conflict(let detail) = error { FormErrors([.init(pointer: "/name", detail: detail)]) } else { FormErrors(error) }
            let page = try await listPage(session, year: AcademicYear.holding(clusters.today()), errors: errors, name: form.name ?? "")
            return try pages.render("clusters", page, status: .unprocessableContent)
        }
    }

    @Sendable func copyYear(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try clusters.authorize(session.actor)
        let form = try await URLEncodedFormDecoder().decode(CopyYearForm.self, from: request, context: context)
        do {
            let (from, to) = try form.years()
            let copied = try await clusters.copyYear(session.actor, from: from, to: to, request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/clusters?year=\(to.startYear)&copied=\(copied)")
        } catch let error as DomainError {
            let errors: FormErrors = if case .conflict(let detail) = error { FormErrors([.init(pointer: "/to", detail: detail)]) } else { FormErrors(error) }
            let page = try await listPage(session, year: AcademicYear.holding(clusters.today()), errors: errors)
            return try pages.render("clusters", page, status: .unprocessableContent)
        }
    }

    struct MemberRow: Sendable {
        var schoolId: String
        var urn: String
        var name: String
        var phase: String
        var trust: String
        var census: String
        var onRoll: String
        var senSupport: String
        var ehcp: String
        var fsm: String
    }

    struct ClusterPage: Sendable {
        var layout: Layout
        var errors = FormErrors()
        var canChange: Bool
        var editable: Bool
        var id: String
        var name: String
        var lead: String
        var year: Int
        var yearName: String
        var years: [SelectOption]
        var members: [MemberRow]
        var hasMembers: Bool
        var makeUp: ClusterMakeUpView
        var officers: [SelectOption] = []
        var candidates: [SelectOption] = []
        var formName: String
        var meetings: [MeetingController.Row] = []
        var hasMeetings = false
        /// This funding year's money, for those who may see it.
        var balance: BalanceView?
        var fundingYear = 0
        var fundingYearName = ""
        var showsLedger = false
    }

    struct ClusterMakeUpView: Sendable {
        var schools: Int
        var phases: String
        var onRoll: Int
        var senSupport: Int
        var ehcp: Int
        var fsm: Int
        var trusts: String
    }

    func clusterPage(_ session: Authenticated, _ id: ID<Cluster>, year: AcademicYear, errors: FormErrors = FormErrors(), formName: String? = nil) async throws -> ClusterPage {
        let detail = try await clusters.cluster(session.actor, id, year: year)
        let today = AcademicYear.holding(clusters.today())
        let figure = { (value: Int?) in value.map(String.init) ?? "–" }
        let makeUp = detail.overview.makeUp
        var page = ClusterPage(
            layout: Layout(title: detail.overview.name, path: "/clusters", session: session), errors: errors,
            canChange: session.actor.isOfficer, editable: session.actor.isOfficer && year.startYear >= today.startYear,
            id: id.description, name: detail.overview.name, lead: detail.overview.leadName ?? "None", year: year.startYear, yearName: year.name,
            years: Self.yearOptions(today, chosen: year.startYear),
            members: detail.members.map { member in
                MemberRow(schoolId: member.schoolID.description, urn: member.urn, name: member.name, phase: member.phase.label,
                          trust: member.trustName ?? "", census: member.census.map { "January \($0)" } ?? "None",
                          onRoll: figure(member.figures.onRoll), senSupport: figure(member.figures.senSupport), ehcp: figure(member.figures.ehcp),
                          fsm: figure(member.figures.fsm))
            }, hasMembers: !detail.members.isEmpty,
            makeUp: ClusterMakeUpView(schools: makeUp.schools, phases: makeUp.phases.map { "\($0.label) \($0.count)" }.joined(separator: ", "),
                                      onRoll: makeUp.onRoll, senSupport: makeUp.senSupport, ehcp: makeUp.ehcp, fsm: makeUp.fsm,
                                      trusts: makeUp.trusts.isEmpty ? "None" : makeUp.trusts.joined(separator: ", ")),
            formName: formName ?? detail.overview.name)
        let found = try await meetings.list(session.actor, filter: MeetingFilter(academicYear: year, clusterID: id), page: 1, size: 50)
        page.meetings = MeetingController.rows(found.items)
        page.hasMeetings = !page.meetings.isEmpty
        let fundingYear = FundingYear.holding(clusters.today())
        page.fundingYear = fundingYear.startYear
        page.fundingYearName = fundingYear.name
        page.showsLedger = session.actor.isOfficer
        do {
            page.balance = BalanceView(try await ledger.balance(session.actor, cluster: id, year: fundingYear))
        } catch DomainError.notFound {
            page.balance = nil  // not one of this funding year's clusters for this user
        }
        if session.actor.isOfficer {
            page.officers = SelectOption.list(try await clusters.officers(session.actor).map { ($0.id.description, $0.name) },
                                              chosen: detail.overview.leadID?.description, any: "No lead yet")
            let members = Set(detail.members.map(\.schoolID))
            let open = try await schools.list(session.actor, filter: SchoolFilter(status: .open, academicYear: year), page: 1, size: 200)
            page.candidates = SelectOption.list(open.items.filter { !members.contains($0.id) }.map {
                ($0.id.description, $0.name + ($0.clusterName.map { " (now \($0))" } ?? ""))
            }, chosen: nil, any: "Choose a school")
        }
        return page
    }

    @Sendable func show(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        let id = try Self.clusterID(context)
        let year = try Self.year(request, today: clusters.today())
        return try pages.render("cluster", try await clusterPage(session, id, year: year))
    }

    @Sendable func update(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try clusters.authorize(session.actor)
        let id = try Self.clusterID(context)
        let form = try await URLEncodedFormDecoder().decode(ClusterForm.self, from: request, context: context)
        do {
            try await clusters.update(session.actor, id, name: form.name ?? "", lead: try form.lead(), request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/clusters/\(id)")
        } catch let error as DomainError {
            guard !error.isNotFound else { throw error }
            let errors: FormErrors = if case .conflict(let detail) = error { FormErrors([.init(pointer: "/name", detail: detail)]) } else { FormErrors(error) }
            let page = try await clusterPage(session, id, year: AcademicYear.holding(clusters.today()), errors: errors, formName: form.name)
            return try pages.render("cluster", page, status: .unprocessableContent)
        }
    }

    @Sendable func addMember(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try clusters.authorize(session.actor)
        let id = try Self.clusterID(context)
        let form = try await URLEncodedFormDecoder().decode(MembershipForm.self, from: request, context: context)
        let year = AcademicYear(form.academicYear.flatMap { CalendarController.years.contains($0) ? $0 : nil } ?? AcademicYear.holding(clusters.today()).startYear)
        do {
            try await clusters.assign(session.actor, school: try form.school(), to: id, year: year, request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/clusters/\(id)?year=\(year.startYear)")
        } catch let error as DomainError {
            guard !error.isNotFound else { throw error }
            let page = try await clusterPage(session, id, year: year, errors: FormErrors(error))
            return try pages.render("cluster", page, status: .unprocessableContent)
        }
    }

    @Sendable func removeMember(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try clusters.authorize(session.actor)
        let id = try Self.clusterID(context)
        let school = try SchoolsAPIController.schoolID(context)
        let form = try await URLEncodedFormDecoder().decode(MembershipForm.self, from: request, context: context)
        let year = AcademicYear(form.academicYear.flatMap { CalendarController.years.contains($0) ? $0 : nil } ?? AcademicYear.holding(clusters.today()).startYear)
        do {
            try await clusters.remove(session.actor, school: school, from: id, year: year, request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/clusters/\(id)?year=\(year.startYear)")
        } catch let error as DomainError {
            guard !error.isNotFound else { throw error }
            let page = try await clusterPage(session, id, year: year, errors: FormErrors(error))
            return try pages.render("cluster", page, status: .unprocessableContent)
        }
    }
}
