import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// The meeting schedule, on pages and in the API: everyone signed in sees the meetings of the clusters and years they
/// work in (officers all); officers generate a year's schedule and move, re-chair or cancel single meetings.
struct MeetingController {
    let pages: Pages
    let meetings: MeetingStore
    let structure: StructureStore
    let clusters: ClusterStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInPages.get("/meetings", use: list)
        routes.signedInPages.post("/meetings/generate", use: generate)
        routes.signedInPages.get("/meetings/{meetingId}", use: show)
        routes.signedInPages.post("/meetings/{meetingId}", use: update)
        routes.signedInPages.post("/meetings/{meetingId}/cancel", use: cancel)
        routes.signedInAPI.get("/api/v1/meetings", use: apiList)
        routes.signedInAPI.post("/api/v1/meetings/generate", use: apiGenerate)
        routes.signedInAPI.get("/api/v1/meetings/{meetingId}", use: apiShow)
        routes.signedInAPI.patch("/api/v1/meetings/{meetingId}", use: apiUpdate)
        routes.signedInAPI.post("/api/v1/meetings/{meetingId}/cancel", use: apiCancel)
    }

    static func meetingID(_ context: some RequestContext) throws -> ID<Meeting> {
        guard let text = context.parameters.get("meetingId"), let id = ID<Meeting>(text) else {
            throw DomainError.notFound("There is no such meeting.")
        }
        return id
    }

    /// "Tuesday 13 October 2026", as a person reads a date.
    static func longDate(_ date: CalendarDate) -> String { date.long }

    // MARK: List

    struct Row: Sendable {
        var id: String
        var date: String
        var time: String
        var cluster: String
        var term: String
        var kind: String
        var place: String
        var cutOff: String
        var cancelled: Bool
    }

    struct ListPage: Sendable {
        var layout: Layout
        var errors = FormErrors()
        var notice: String?
        var canChange: Bool
        var year: Int
        var yearName: String
        var years: [SelectOption]
        var clusters: [SelectOption]
        var terms: [SelectOption]
        var kinds: [SelectOption]
        var statuses: [SelectOption]
        var rows: [Row] = []
        var hasRows = false
        var pagination: Pagination?
        // The generate form, as typed.
        var generateYears: [SelectOption] = []
        var planningWeeks: [SelectOption] = []
        var allocationWeeks: [SelectOption] = []
        var weekdays: [SelectOption] = []
        var startsAt = "15:30"
        var place = ""
        var onlineLink = ""
    }

    static func rows(_ items: [MeetingRecord]) -> [Row] {
        items.map { meeting in
            Row(id: meeting.id.description, date: longDate(meeting.meetsOn), time: meeting.startsAt.description, cluster: meeting.clusterName,
                term: meeting.term.rawValue.capitalized, kind: meeting.kind.label,
                place: [meeting.place, meeting.onlineLink.map { _ in "Online" } ?? ""].filter { !$0.isEmpty }.joined(separator: "; "),
                cutOff: longDate(meeting.cutOffOn), cancelled: meeting.status == .cancelled)
        }
    }

    func listPage(_ session: Authenticated, query: MeetingListQuery, form: MeetingScheduleForm? = nil, errors: FormErrors = FormErrors()) async throws -> ListPage {
        let today = AcademicYear.holding(meetings.today())
        let year = query.filter.academicYear ?? today
        let clusterOptions = try await structure.clusters(session.actor).map { ($0.id.description, $0.name) }
        var page = ListPage(
            layout: Layout(title: "Meetings", path: "/meetings", session: session), errors: errors, canChange: session.actor.isOfficer,
            year: year.startYear, yearName: year.name, years: ClusterController.yearOptions(today, chosen: year.startYear),
            clusters: SelectOption.list(clusterOptions, chosen: query.filter.clusterID?.description, any: "Any cluster"),
            terms: SelectOption.list(Term.allCases.map { ($0.rawValue, $0.rawValue.capitalized) }, chosen: query.filter.term?.rawValue, any: "Any term"),
            kinds: SelectOption.list(MeetingKind.allCases.map { ($0.rawValue, $0.label) }, chosen: query.filter.kind?.rawValue, any: "Any meeting"),
            statuses: SelectOption.list([("scheduled", "Scheduled"), ("cancelled", "Cancelled")], chosen: query.filter.status?.rawValue, any: "Any status"))
        if session.actor.isOfficer {
            let chosenYear = form.map { $0.text(.academicYear) } ?? String(max(year.startYear, today.startYear))
            page.generateYears = SelectOption.list((today.startYear...today.startYear + 2).map { (String($0), AcademicYear($0).name) }, chosen: chosenYear)
            let weeks = (1...SchedulePattern.latestWeek).map { (String($0), "Week \($0)") }
            page.planningWeeks = SelectOption.list(weeks, chosen: form?.text(.planningWeek) ?? "3")
            page.allocationWeeks = SelectOption.list(weeks, chosen: form?.text(.allocationWeek) ?? "5")
            page.weekdays = SelectOption.list(Weekday.allCases.filter { !$0.isWeekendDay }.map { ($0.name.lowercased(), $0.name) },
                                              chosen: form?.text(.weekday).lowercased() ?? "tuesday")
            if let form {
                page.startsAt = form.text(.startsAt)
                page.place = form.text(.place)
                page.onlineLink = form.text(.onlineLink)
            }
        }
        return page
    }

    @Sendable func list(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        let query: MeetingListQuery
        do {
            query = try MeetingListQuery(request, today: meetings.today())
        } catch {
            // Filters that cannot be read: the page again with the error, listing nothing rather than guessing.
            let fallback = MeetingListQuery(filter: MeetingFilter(academicYear: AcademicYear.holding(meetings.today())))
            return try pages.render("meetings", try await listPage(session, query: fallback, errors: FormErrors(error)), status: .unprocessableContent)
        }
        let found = try await meetings.list(session.actor, filter: query.filter, page: request.uri.queryParameters["page"].flatMap { Int(String($0)) })
        var page = try await listPage(session, query: query)
        page.rows = Self.rows(found.items)
        page.hasRows = !page.rows.isEmpty
        page.pagination = Pagination(found, path: "/meetings", query: query.query())
        if let created = request.uri.queryParameters["created"], let kept = request.uri.queryParameters["kept"] {
            page.notice = "Added \(created) meetings; \(kept) already scheduled were kept as they were."
        }
        return try pages.render("meetings", page)
    }

    @Sendable func generate(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try meetings.authorize(session.actor)
        let form = try await URLEncodedFormDecoder().decode(MeetingScheduleForm.self, from: request, context: context)
        do {
            let parsed = try form.parsed()
            let result = try await meetings.generate(session.actor, year: parsed.year, pattern: parsed.pattern, place: parsed.place,
                                                     onlineLink: parsed.onlineLink, request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/meetings?year=\(parsed.year.startYear)&created=\(result.created)&kept=\(result.kept)")
        } catch let error as DomainError {
            let query = MeetingListQuery(filter: MeetingFilter(academicYear: AcademicYear.holding(meetings.today())))
            var page = try await listPage(session, query: query, form: form, errors: FormErrors(error))
            let found = try await meetings.list(session.actor, filter: query.filter, page: 1)
            page.rows = Self.rows(found.items)
            page.hasRows = !page.rows.isEmpty
            page.pagination = Pagination(found, path: "/meetings", query: query.query())
            return try pages.render("meetings", page, status: .unprocessableContent)
        }
    }

    // MARK: One meeting

    struct MeetingPage: Sendable {
        var layout: Layout
        var errors = FormErrors()
        var canChange: Bool
        var id: String
        var clusterId: String
        var cluster: String
        var kind: String
        var term: String
        var yearName: String
        var year: Int
        var date: String
        var time: String
        var place: String
        var onlineLink: String?
        var chair: String
        var cutOff: String
        var cutOffOverridden: Bool
        var cancelled: Bool
        var cancelledReason: String?
        // The change form, as typed.
        var meetsOn: String
        var startsAt: String
        var formPlace: String
        var formOnlineLink: String
        var cutOffOn: String
        var chairs: [SelectOption] = []
        var reason = ""
    }

    func meetingPage(_ session: Authenticated, _ meeting: MeetingRecord, form: MeetingChangeForm? = nil, reason: String = "",
                     errors: FormErrors = FormErrors()) async throws -> MeetingPage {
        var page = MeetingPage(
            layout: Layout(title: "\(meeting.kind.label), \(meeting.clusterName)", path: "/meetings", session: session), errors: errors,
            canChange: session.actor.isOfficer && meeting.status == .scheduled, id: meeting.id.description, clusterId: meeting.clusterID.description,
            cluster: meeting.clusterName, kind: meeting.kind.label, term: meeting.term.rawValue.capitalized, yearName: meeting.year.name,
            year: meeting.year.startYear, date: Self.longDate(meeting.meetsOn), time: meeting.startsAt.description, place: meeting.place,
            onlineLink: meeting.onlineLink, chair: meeting.chairName.map { meeting.chairID == nil ? "\($0) (locality lead)" : $0 } ?? "The locality lead (none named yet)",
            cutOff: Self.longDate(meeting.cutOffOn), cutOffOverridden: meeting.cutOffOverridden, cancelled: meeting.status == .cancelled,
            cancelledReason: meeting.cancelledReason,
            meetsOn: form?.text(.meetsOn) ?? meeting.meetsOn.iso, startsAt: form?.text(.startsAt) ?? meeting.startsAt.description,
            formPlace: form?.text(.place) ?? meeting.place, formOnlineLink: form?.text(.onlineLink) ?? meeting.onlineLink ?? "",
            cutOffOn: form?.text(.cutOffOn) ?? (meeting.cutOffOverridden ? meeting.cutOffOn.iso : ""), reason: reason)
        if page.canChange {
            page.chairs = SelectOption.list(try await clusters.officers(session.actor).map { ($0.id.description, $0.name) },
                                            chosen: form?.text(.chairUserId) ?? meeting.chairID?.description, any: "The locality lead")
        }
        return page
    }

    @Sendable func show(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        let meeting = try await meetings.meeting(session.actor, try Self.meetingID(context))
        return try pages.render("meeting", try await meetingPage(session, meeting))
    }

    @Sendable func update(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try meetings.authorize(session.actor)
        let id = try Self.meetingID(context)
        let form = try await URLEncodedFormDecoder().decode(MeetingChangeForm.self, from: request, context: context)
        let current = try await meetings.meeting(session.actor, id)
        do {
            let (change, chair) = try form.applied(to: current)
            try await meetings.update(session.actor, id, change: change, chair: chair, request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/meetings/\(id)")
        } catch let error as DomainError {
            guard !error.isNotFound else { throw error }
            let page = try await meetingPage(session, try await meetings.meeting(session.actor, id), form: form, errors: FormErrors(error))
            return try pages.render("meeting", page, status: .unprocessableContent)
        }
    }

    @Sendable func cancel(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try meetings.authorize(session.actor)
        let id = try Self.meetingID(context)
        let form = try await URLEncodedFormDecoder().decode(MeetingCancelForm.self, from: request, context: context)
        do {
            try await meetings.cancel(session.actor, id, reason: form.reason ?? "", request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/meetings/\(id)")
        } catch let error as DomainError {
            guard !error.isNotFound else { throw error }
            let page = try await meetingPage(session, try await meetings.meeting(session.actor, id), reason: form.reason ?? "", errors: FormErrors(error))
            return try pages.render("meeting", page, status: .unprocessableContent)
        }
    }

    // MARK: API

    @Sendable func apiList(_ request: Request, context: SignedInContext) async throws -> PageBody<MeetingBody> {
        let query = try MeetingListQuery(request, today: meetings.today(), emptyIsAbsent: false)
        let (number, size) = try PageBody<MeetingBody>.requested(request)
        return PageBody(try await meetings.list(context.actor, filter: query.filter, page: number, size: size), map: MeetingBody.init)
    }

    @Sendable func apiShow(_ request: Request, context: SignedInContext) async throws -> MeetingBody {
        MeetingBody(try await meetings.meeting(context.actor, try Self.meetingID(context)))
    }

    struct Generated: ResponseEncodable {
        var academicYear: Int
        var created: Int
        var kept: Int
    }

    @Sendable func apiGenerate(_ request: Request, context: SignedInContext) async throws -> Generated {
        let actor = context.actor
        try meetings.authorize(actor)
        var form = try await request.decode(as: MeetingScheduleForm.self, context: context)
        form.strictTypes = true
        let parsed = try form.parsed()
        let result = try await meetings.generate(actor, year: parsed.year, pattern: parsed.pattern, place: parsed.place,
                                                 onlineLink: parsed.onlineLink, request: context.requestInfo(request))
        return Generated(academicYear: parsed.year.startYear, created: result.created, kept: result.kept)
    }

    @Sendable func apiUpdate(_ request: Request, context: SignedInContext) async throws -> MeetingBody {
        let actor = context.actor
        try meetings.authorize(actor)
        let id = try Self.meetingID(context)
        let form = try await request.decode(as: MeetingChangeForm.self, context: context)
        let (change, chair) = try form.applied(to: try await meetings.meeting(actor, id))
        try await meetings.update(actor, id, change: change, chair: chair, request: context.requestInfo(request))
        return MeetingBody(try await meetings.meeting(actor, id))
    }

    @Sendable func apiCancel(_ request: Request, context: SignedInContext) async throws -> MeetingBody {
        let actor = context.actor
        try meetings.authorize(actor)
        let id = try Self.meetingID(context)
        let form = try await request.decode(as: MeetingCancelForm.self, context: context)
        try await meetings.cancel(actor, id, reason: form.reason ?? "", request: context.requestInfo(request))
        return MeetingBody(try await meetings.meeting(actor, id))
    }
}

/// The meetings list's filters, from the query: `year`, `clusterId`, `term`, `kind`, `status`.
struct MeetingListQuery: Sendable {
    var filter: MeetingFilter

    init(filter: MeetingFilter) { self.filter = filter }

    /// - Parameter emptyIsAbsent: a page's form sends an empty field for "any"; the API takes an empty value as a
    ///   mistake. A page without a year shows this academic year; the API without one lists every year.
    init(_ request: Request, today: CalendarDate, emptyIsAbsent: Bool = true) throws(DomainError) {
        var filters = QueryFilters(request, emptyIsAbsent: emptyIsAbsent)
        let year = filters.year()
        let cluster = filters.value("clusterId", "Choose a cluster from the list.") { ID<Cluster>($0) }
        let term = filters.value("term", "Choose autumn, spring or summer.") { Term(rawValue: $0) }
        let kind = filters.value("kind", "Choose planning or allocation.") { MeetingKind(rawValue: $0) }
        let status = filters.value("status", "Choose scheduled or cancelled.") { MeetingStatus(rawValue: $0) }
        try filters.check()
        filter = MeetingFilter(academicYear: year ?? (emptyIsAbsent ? AcademicYear.holding(today) : nil), clusterID: cluster, term: term,
                               kind: kind, status: status)
    }

    /// The query again, for links that keep the filters (pagination), without `page`.
    func query() -> String {
        var parts: [String] = []
        if let year = filter.academicYear { parts.append("year=\(year.startYear)") }
        if let cluster = filter.clusterID { parts.append("clusterId=\(cluster)") }
        if let term = filter.term { parts.append("term=\(term.rawValue)") }
        if let kind = filter.kind { parts.append("kind=\(kind.rawValue)") }
        if let status = filter.status { parts.append("status=\(status.rawValue)") }
        return parts.map { $0 + "&" }.joined()
    }
}

struct MeetingBody: ResponseEncodable {
    var id: String
    var clusterId: String
    var clusterName: String
    var academicYear: Int
    var term: String
    var kind: String
    var meetsOn: String
    var startsAt: String
    var place: String
    var onlineLink: String?
    var chairUserId: String?
    var chairName: String?
    var cutOffOn: String
    var cutOffOverridden: Bool
    var status: String
    var cancelledReason: String?

    init(_ meeting: MeetingRecord) {
        id = meeting.id.description
        clusterId = meeting.clusterID.description
        clusterName = meeting.clusterName
        academicYear = meeting.year.startYear
        term = meeting.term.rawValue
        kind = meeting.kind.rawValue
        meetsOn = meeting.meetsOn.iso
        startsAt = meeting.startsAt.description
        place = meeting.place
        onlineLink = meeting.onlineLink
        chairUserId = meeting.chairID?.description
        chairName = meeting.chairName
        cutOffOn = meeting.cutOffOn.iso
        cutOffOverridden = meeting.cutOffOverridden
        status = meeting.status.rawValue
        cancelledReason = meeting.cancelledReason
    }
}
