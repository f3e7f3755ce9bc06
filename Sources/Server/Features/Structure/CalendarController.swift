import Domain
import Foundation
import Hummingbird
import HTTPTypes
import Store

/// The council's calendar: each academic year's term dates and the closure days, on one page and in the API.
/// Everyone signed in reads it; officers change it.
struct CalendarController {
    let pages: Pages
    let calendar: CalendarStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInPages.get("/calendar", use: show)
        routes.signedInPages.post("/calendar/{year}/terms", use: saveTerms)
        routes.signedInPages.post("/calendar/closure-days", use: addClosureDay)
        routes.signedInPages.post("/calendar/closure-days/{day}/remove", use: removeClosureDay)
        routes.signedInAPI.get("/api/v1/term-dates/{year}", use: readTerms)
        routes.signedInAPI.put("/api/v1/term-dates/{year}", use: putTerms)
        routes.signedInAPI.get("/api/v1/closure-days", use: listClosureDays)
        routes.signedInAPI.post("/api/v1/closure-days", use: postClosureDay)
        routes.signedInAPI.delete("/api/v1/closure-days/{day}", use: deleteClosureDay)
    }

    /// The academic years Clusterfund keeps: 2000/01 to 2100/01, as the database allows.
    static let years = 2000...2100

    /// A year in a path (`/calendar/2026/terms`): outside the kept years there is nothing there (404).
    static func pathYear(_ context: SignedInContext) throws -> AcademicYear {
        guard let year = context.parameters.get("year", as: Int.self), years.contains(year) else {
            throw DomainError.notFound("There is no such academic year.")
        }
        return AcademicYear(year)
    }

    /// A year in a query (`?year=2026`), or the year holding today when there is none (or, on a page, an empty one).
    static func queryYear(_ request: Request, today: CalendarDate, emptyMeansToday: Bool = true) throws(DomainError) -> AcademicYear {
        guard let text = request.uri.queryParameters["year"], !(text.isEmpty && emptyMeansToday) else { return AcademicYear.holding(today) }
        guard let year = Int(String(text)), years.contains(year) else {
            throw .validation([.init(pointer: "/year", detail: "Choose an academic year by the year it starts, from 2000 to 2100.")])
        }
        return AcademicYear(year)
    }

    static func pathDay(_ context: SignedInContext) throws -> CalendarDate {
        guard let text = context.parameters.get("day"), let day = CalendarDate(iso: text) else {
            throw DomainError.notFound("There is no such closure day.")
        }
        return day
    }

    // MARK: Page

    struct YearOption: Sendable {
        var value: String
        var label: String
        var selected: Bool
    }

    struct TermRow: Sendable {
        var name: String
        var startsOn: String
        var endsOn: String
        var workingDays: Int
    }

    struct ClosureRow: Sendable {
        var day: String
        var weekday: String
        var reason: String
    }

    struct CalendarPage: Sendable {
        var layout: Layout
        var errors = FormErrors()
        var notice: String?
        var canChange: Bool
        var year: String
        var yearName: String
        var yearOptions: [YearOption]
        var termsSet: Bool
        var proposed: Bool
        var terms: [TermRow]
        var form: TermDatesForm
        var closures: [ClosureRow]
        var hasClosures: Bool
        var closureDay: String
        var closureReason: String
    }

    func page(
        _ session: Authenticated, year: AcademicYear, errors: FormErrors = FormErrors(), termsForm: TermDatesForm? = nil,
        closureForm: ClosureDayForm? = nil, notice: String? = nil
    ) async throws -> CalendarPage {
        let actor = session.actor
        let stored = try await calendar.termDates(actor, year: year)
        let proposal = stored == nil ? try await calendar.proposal(actor, year: year) : nil
        let closures = try await calendar.closureDays(actor, year: year)
        let working = try await calendar.workingDays(actor)
        let today = calendar.today()
        var known = Set(try await calendar.yearsWithTermDates(actor).map(\.startYear))
        let current = AcademicYear.holding(today).startYear
        known.formUnion([current - 1, current, current + 1, year.startYear])
        let terms = stored.map { dates in
            Term.allCases.map { term in
                TermRow(name: term.rawValue.capitalized, startsOn: dates[term].startsOn.iso, endsOn: dates[term].endsOn.iso,
                        workingDays: working.count(after: dates[term].startsOn.adding(days: -1), through: dates[term].endsOn))
            }
        } ?? []
        return CalendarPage(
            layout: Layout(title: "Calendar \(year.name)", path: "/calendar", session: session), errors: errors, notice: notice,
            canChange: actor.isOfficer, year: String(year.startYear), yearName: year.name,
            yearOptions: known.sorted(by: >).map { YearOption(value: String($0), label: AcademicYear($0).name, selected: $0 == year.startYear) },
            termsSet: stored != nil, proposed: proposal != nil, terms: terms, form: termsForm ?? TermDatesForm(stored ?? proposal),
            closures: closures.map { ClosureRow(day: $0.day.iso, weekday: $0.day.weekday.name, reason: $0.reason) },
            hasClosures: !closures.isEmpty, closureDay: closureForm?.day ?? "", closureReason: closureForm?.reason ?? ""
        )
    }

    @Sendable func show(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        let year: AcademicYear
        do {
            year = try Self.queryYear(request, today: calendar.today())
        } catch {
            let fallback = AcademicYear.holding(calendar.today())
            return try pages.render("calendar", try await page(session, year: fallback, errors: FormErrors(error)), status: .unprocessableContent)
        }
        let notice: String? = switch request.uri.queryParameters["saved"].map(String.init) {
        case "terms": "Term dates saved."
        case "closure": "Closure day added."
        case "removed": "Closure day removed."
        default: nil
        }
        return try pages.render("calendar", try await page(session, year: year, notice: notice))
    }

    @Sendable func saveTerms(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try calendar.authorize(session.actor)
        let year = try Self.pathYear(context)
        let form = try await URLEncodedFormDecoder().decode(TermDatesForm.self, from: request, context: context)
        do {
            try await calendar.setTermDates(session.actor, try form.termDates(year: year), request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/calendar?year=\(year.startYear)&saved=terms")
        } catch let error as DomainError {
            let page = try await page(session, year: year, errors: FormErrors(error), termsForm: form)
            return try pages.render("calendar", page, status: .unprocessableContent)
        }
    }

    @Sendable func addClosureDay(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try calendar.authorize(session.actor)
        let form = try await URLEncodedFormDecoder().decode(ClosureDayForm.self, from: request, context: context)
        let today = calendar.today()
        do {
            let day = try form.closureDay(today: today)
            try await calendar.addClosureDay(session.actor, day, request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/calendar?year=\(AcademicYear.holding(day.day).startYear)&saved=closure")
        } catch let error as DomainError {
            let year = CalendarDate(iso: form.day ?? "").map(AcademicYear.holding) ?? AcademicYear.holding(today)
            let errors: FormErrors = if case .conflict(let detail) = error { FormErrors([.init(pointer: "/day", detail: detail)]) } else { FormErrors(error) }
            let page = try await page(session, year: Self.years.contains(year.startYear) ? year : AcademicYear.holding(today), errors: errors, closureForm: form)
            return try pages.render("calendar", page, status: .unprocessableContent)
        }
    }

    @Sendable func removeClosureDay(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try calendar.authorize(session.actor)
        let day = try Self.pathDay(context)
        try await calendar.removeClosureDay(session.actor, day: day, request: context.requestInfo(request))
        return HTMLResponses.redirect(to: "/calendar?year=\(AcademicYear.holding(day).startYear)&saved=removed")
    }

    // MARK: API

    @Sendable func readTerms(_ request: Request, context: SignedInContext) async throws -> TermDatesBody {
        let year = try Self.pathYear(context)
        guard let dates = try await calendar.termDates(context.actor, year: year) else {
            throw DomainError.notFound("No term dates are set for \(year.name).")
        }
        return TermDatesBody(dates)
    }

    @Sendable func putTerms(_ request: Request, context: SignedInContext) async throws -> TermDatesBody {
        let actor = context.actor
        try calendar.authorize(actor)
        let year = try Self.pathYear(context)
        let dates = try await request.decode(as: TermDatesForm.self, context: context).termDates(year: year)
        try await calendar.setTermDates(actor, dates, request: context.requestInfo(request))
        return TermDatesBody(dates)
    }

    @Sendable func listClosureDays(_ request: Request, context: SignedInContext) async throws -> ClosureDaysBody {
        let year = try Self.queryYear(request, today: calendar.today(), emptyMeansToday: false)
        return ClosureDaysBody(academicYear: year.startYear, items: try await calendar.closureDays(context.actor, year: year).map(ClosureDayBody.init))
    }

    @Sendable func postClosureDay(_ request: Request, context: SignedInContext) async throws -> EditedResponse<ClosureDayBody> {
        let actor = context.actor
        try calendar.authorize(actor)
        let day = try await request.decode(as: ClosureDayForm.self, context: context).closureDay(today: calendar.today())
        try await calendar.addClosureDay(actor, day, request: context.requestInfo(request))
        return EditedResponse(status: .created, headers: [.location: "/api/v1/closure-days?year=\(AcademicYear.holding(day.day).startYear)"],
                              response: ClosureDayBody(day))
    }

    @Sendable func deleteClosureDay(_ request: Request, context: SignedInContext) async throws -> HTTPResponse.Status {
        let actor = context.actor
        try calendar.authorize(actor)
        try await calendar.removeClosureDay(actor, day: try Self.pathDay(context), request: context.requestInfo(request))
        return .noContent
    }
}

/// A year's term dates as systems read them: the same fields `PUT` takes.
struct TermDatesBody: ResponseEncodable {
    var academicYear: Int
    var name: String
    var autumnStartsOn: String
    var autumnEndsOn: String
    var springStartsOn: String
    var springEndsOn: String
    var summerStartsOn: String
    var summerEndsOn: String

    init(_ dates: TermDates) {
        academicYear = dates.year.startYear
        name = dates.year.name
        (autumnStartsOn, autumnEndsOn) = (dates.autumn.startsOn.iso, dates.autumn.endsOn.iso)
        (springStartsOn, springEndsOn) = (dates.spring.startsOn.iso, dates.spring.endsOn.iso)
        (summerStartsOn, summerEndsOn) = (dates.summer.startsOn.iso, dates.summer.endsOn.iso)
    }
}

struct ClosureDayBody: ResponseEncodable {
    var day: String
    var reason: String

    init(_ day: ClosureDay) {
        self.day = day.day.iso
        reason = day.reason
    }
}

/// One academic year's closure days: a handful at most, so the list is whole rather than paged.
struct ClosureDaysBody: ResponseEncodable {
    var academicYear: Int
    var items: [ClosureDayBody]
}
