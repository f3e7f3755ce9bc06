import Domain
import Foundation
import Hummingbird
import Store

/// Schools and trusts on pages: everyone signed in lists the schools they may see; officers add, change and close.
struct SchoolsController {
    let pages: Pages
    let schools: SchoolStore
    let imports: SchoolImportStore
    let structure: StructureStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInPages.get("/schools", use: list)
        routes.signedInPages.get("/schools/new", use: newSchool)
        routes.signedInPages.post("/schools", use: create)
        routes.signedInPages.get("/schools/{schoolId}", use: show)
        routes.signedInPages.get("/schools/{schoolId}/edit", use: edit)
        routes.signedInPages.post("/schools/{schoolId}", use: update)
        routes.signedInPages.post("/schools/{schoolId}/close", use: close)
        routes.signedInPages.post("/schools/{schoolId}/reopen", use: reopen)
        routes.signedInPages.get("/trusts", use: trusts)
    }

    // MARK: List

    struct Row: Sendable {
        var id: String
        var urn: String
        var name: String
        var phase: String
        var type: String
        var trust: String
        var cluster: String
        var closed: Bool
    }

    struct SortLink: Sendable {
        var label: String
        var href: String
        /// `ascending`, `descending` or `none`, for `aria-sort`.
        var ariaSort: String
    }

    struct ListPage: Sendable {
        var layout: Layout
        var errors = FormErrors()
        var canChange: Bool
        var rows: [Row]
        var headers: [SortLink]
        var phases: [SelectOption]
        var clusters: [SelectOption]
        var statuses: [SelectOption]
        var years: [SelectOption]
        var trust: String
        var yearName: String
        var pagination: Pagination?
        var hasRows = false
    }

    @Sendable func list(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        let today = schools.today()
        let layout = Layout(title: "Schools", path: "/schools", session: session)
        let clusters = try await structure.clusters(session.actor).map { ($0.id.description, $0.name) }
        let query: SchoolListQuery
        do {
            query = try SchoolListQuery(request, today: today)
        } catch {
            // Filters that cannot be read: the page again with the error, listing nothing rather than guessing.
            let filter = SchoolFilter(academicYear: AcademicYear.holding(today))
            var page = Self.listPage(layout, session: session, filter: filter, clusters: clusters, trust: request.uri.queryParameters["trust"].map(String.init) ?? "")
            page.errors = FormErrors(error)
            return try pages.render("schools", page, status: .unprocessableContent)
        }
        let found = try await schools.list(session.actor, filter: query.filter, page: request.uri.queryParameters["page"].flatMap { Int(String($0)) })
        var page = Self.listPage(layout, session: session, filter: query.filter, clusters: clusters, trust: query.filter.trustCode ?? "")
        page.rows = found.items.map { item in
            Row(id: item.id.description, urn: item.urn, name: item.name, phase: item.phase.label, type: item.type.label,
                trust: item.trustName ?? "", cluster: item.clusterName ?? "None", closed: item.status == .closed)
        }
        page.hasRows = !page.rows.isEmpty
        page.headers = [("Name", SchoolFilter.Sort.name), ("URN", .urn), ("Phase", .phase), ("Cluster", .cluster)].map { label, sort in
            let current = query.filter.sort == sort
            let descending = current && !query.filter.descending
            return SortLink(label: label, href: "/schools?" + query.query(sort: sort, descending: descending) + "page=1",
                            ariaSort: current ? (query.filter.descending ? "descending" : "ascending") : "none")
        }
        page.pagination = Pagination(found, path: "/schools", query: query.query())
        return try pages.render("schools", page)
    }

    static func listPage(_ layout: Layout, session: Authenticated, filter: SchoolFilter, clusters: [(String, String)], trust: String) -> ListPage {
        let year = filter.academicYear
        return ListPage(
            layout: layout, canChange: session.actor.isOfficer, rows: [], headers: [],
            phases: SelectOption.list(SchoolPhase.allCases.map { ($0.rawValue, $0.label) }, chosen: filter.phase?.rawValue, any: "Any phase"),
            clusters: SelectOption.list(clusters, chosen: filter.clusterID?.description, any: "Any cluster"),
            statuses: SelectOption.list([("open", "Open"), ("closed", "Closed")], chosen: filter.status?.rawValue, any: "Open or closed"),
            years: SelectOption.list((year.startYear - 2...year.startYear + 2).map { (String($0), AcademicYear($0).name) },
                                     chosen: String(year.startYear)),
            trust: trust, yearName: year.name)
    }

    // MARK: One school

    struct CensusRow: Sendable {
        var census: Int
        var onRoll: String
        var senSupport: String
        var ehcp: String
        var fsm: String
    }

    struct MembershipRow: Sendable {
        var year: String
        var cluster: String
    }

    struct SchoolPage: Sendable {
        var layout: Layout
        var errors = FormErrors()
        var canChange: Bool
        var id: String
        var urn: String
        var name: String
        var phase: String
        var type: String
        var trust: String
        var closed: Bool
        var censuses: [CensusRow]
        var memberships: [MembershipRow]
        var hasCensuses = false
        var hasMemberships = false
    }

    @Sendable func show(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        let record = try await schools.school(session.actor, try SchoolsAPIController.schoolID(context))
        return try pages.render("school", Self.schoolPage(record, session: session))
    }

    static func schoolPage(_ record: SchoolRecord, session: Authenticated) -> SchoolPage {
        let item = record.item
        let figure = { (value: Int?) in value.map(String.init) ?? "Not recorded" }
        var page = SchoolPage(
            layout: Layout(title: item.name, path: "/schools", session: session), canChange: session.actor.isOfficer,
            id: item.id.description, urn: item.urn, name: item.name, phase: item.phase.label, type: item.type.label,
            trust: item.trustName.map { "\($0) (\(item.trustCode ?? ""))" } ?? "None", closed: item.status == .closed,
            censuses: record.censuses.map {
                CensusRow(census: $0.year, onRoll: figure($0.figures.onRoll), senSupport: figure($0.figures.senSupport),
                          ehcp: figure($0.figures.ehcp), fsm: figure($0.figures.fsm))
            },
            memberships: record.memberships.map { MembershipRow(year: AcademicYear($0.academicYear).name, cluster: $0.clusterName) })
        page.hasCensuses = !page.censuses.isEmpty
        page.hasMemberships = !page.memberships.isEmpty
        return page
    }

    // MARK: Add and change

    struct FormPage: Sendable {
        var layout: Layout
        var errors = FormErrors()
        var action: String
        var heading: String
        var button: String
        var cancel: String
        var isNew: Bool
        var form: SchoolForm
        var phases: [SelectOption]
        var types: [SelectOption]
    }

    static func formPage(_ session: Authenticated, form: SchoolForm, schoolID: ID<School>?) -> FormPage {
        let title = schoolID == nil ? "Add a school" : "Change \(form.name ?? "the school")"
        return FormPage(
            layout: Layout(title: title, path: "/schools", session: session),
            action: schoolID.map { "/schools/\($0)" } ?? "/schools", heading: title,
            button: schoolID == nil ? "Add school" : "Save changes", cancel: schoolID.map { "/schools/\($0)" } ?? "/schools",
            isNew: schoolID == nil, form: form,
            phases: SelectOption.list(SchoolPhase.allCases.map { ($0.rawValue, $0.label) }, chosen: form.phase, any: "Choose a phase"),
            types: SelectOption.list(SchoolType.allCases.map { ($0.rawValue, $0.label) }, chosen: form.type, any: "Choose a type"))
    }

    @Sendable func newSchool(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try schools.authorize(session.actor)
        return try pages.render("school-form", Self.formPage(session, form: SchoolForm(), schoolID: nil))
    }

    @Sendable func create(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try schools.authorize(session.actor)
        let form = try await URLEncodedFormDecoder().decode(SchoolForm.self, from: request, context: context)
        do {
            let id = try await schools.create(session.actor, try form.details(), request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/schools/\(id)")
        } catch let error as DomainError {
            var page = Self.formPage(session, form: form, schoolID: nil)
            page.errors = Self.fieldErrors(error)
            return try pages.render("school-form", page, status: .unprocessableContent)
        }
    }

    /// A URN already recorded is a conflict; on the form it belongs beside the URN.
    static func fieldErrors(_ error: DomainError) -> FormErrors {
        if case .conflict(let detail) = error { return FormErrors([.init(pointer: "/urn", detail: detail)]) }
        return FormErrors(error)
    }

    @Sendable func edit(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try schools.authorize(session.actor)
        let id = try SchoolsAPIController.schoolID(context)
        let record = try await schools.school(session.actor, id)
        return try pages.render("school-form", Self.formPage(session, form: SchoolForm(record.item), schoolID: id))
    }

    @Sendable func update(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try schools.authorize(session.actor)
        let id = try SchoolsAPIController.schoolID(context)
        let current = try await schools.school(session.actor, id)
        var form = try await URLEncodedFormDecoder().decode(SchoolForm.self, from: request, context: context)
        form.urn = current.item.urn
        do {
            try await schools.update(session.actor, id, try form.details(), request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/schools/\(id)")
        } catch let error as DomainError {
            var page = Self.formPage(session, form: form, schoolID: id)
            page.errors = Self.fieldErrors(error)
            return try pages.render("school-form", page, status: .unprocessableContent)
        }
    }

    @Sendable func close(_ request: Request, context: SignedInContext) async throws -> Response {
        try await setStatus(.closed, request, context)
    }

    @Sendable func reopen(_ request: Request, context: SignedInContext) async throws -> Response {
        try await setStatus(.open, request, context)
    }

    func setStatus(_ status: SchoolStatus, _ request: Request, _ context: SignedInContext) async throws -> Response {
        let session = context.session
        try schools.authorize(session.actor)
        let id = try SchoolsAPIController.schoolID(context)
        do {
            try await schools.setStatus(session.actor, id, status, request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/schools/\(id)")
        } catch let error as DomainError {
            guard case .invalidTransition = error else { throw error }
            var page = Self.schoolPage(try await schools.school(session.actor, id), session: session)
            page.errors = FormErrors(error)
            return try pages.render("school", page, status: .conflict)
        }
    }

    // MARK: Trusts

    struct TrustsPage: Sendable {
        var layout: Layout
        var trusts: [TrustBody]
        var pagination: Pagination
        var hasTrusts = false
    }

    @Sendable func trusts(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        let found = try await schools.trusts(session.actor, page: request.uri.queryParameters["page"].flatMap { Int(String($0)) })
        var page = TrustsPage(layout: Layout(title: "Trusts", path: "/trusts", session: session),
                              trusts: found.items.map(TrustBody.init), pagination: Pagination(found, path: "/trusts"))
        page.hasTrusts = !page.trusts.isEmpty
        return try pages.render("trusts", page)
    }
}
