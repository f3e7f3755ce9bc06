import Domain
import Foundation
import Hummingbird
import Store

/// The council's settings: a page everyone signed in may read and officers change, and its API twin.
struct CouncilSettingsController {
    let pages: Pages
    let settings: CouncilSettingsStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInPages.get("/settings", use: show)
        routes.signedInPages.post("/settings", use: save)
        routes.signedInAPI.get("/api/v1/council-settings", use: read)
        routes.signedInAPI.patch("/api/v1/council-settings", use: change)
    }

    struct WeekdayOption: Sendable {
        var value: String
        var label: String
        var selected: Bool
    }

    struct SettingsPage: Sendable {
        var layout: Layout
        var errors = FormErrors()
        var canChange: Bool
        var notice: String?
        var laCode: String
        var cutOffByDays: Bool
        var submissionCutOffDays: String
        var weekdays: [WeekdayOption]
        var requestCapPerSchoolPerMeeting: String
        var individualThresholdPounds: String
        var longestFundingTerms: String
        var defaultReservePercent: String
        var decisionNoticeWorkingDays: String
        var secondFactorForEveryone: Bool
        var cutOffText: String
        var thresholdText: String
        var capText: String
        var updatedAt: String
    }

    static func page(_ session: Authenticated, _ record: CouncilSettingsRecord, form: CouncilSettingsForm? = nil) -> SettingsPage {
        let settings = record.settings
        func typed(_ key: CouncilSettingsForm.Key, _ stored: String) -> String {
            if case .value(let text) = form?[key] { return text }
            return stored
        }
        let (days, weekday): (String, Weekday?) = switch settings.submissionCutOff {
        case .daysBefore(let days): (String(days), nil)
        case .weekdayOfWeekBefore(let day): ("", day)
        }
        let chosenWeekday = typed(.submissionCutOffWeekday, weekday?.name.lowercased() ?? "wednesday")
        let byDays = if case .value(let kind) = form?[.cutOffKind] { kind != "weekday" } else { weekday == nil }
        return SettingsPage(
            layout: Layout(title: "Council settings", path: "/settings", session: session),
            canChange: session.actor.isOfficer,
            laCode: typed(.laCode, settings.laCode ?? ""),
            cutOffByDays: byDays,
            submissionCutOffDays: typed(.submissionCutOffDays, days),
            weekdays: Weekday.allCases.filter { !$0.isWeekendDay }.map {
                WeekdayOption(value: $0.name.lowercased(), label: $0.name, selected: $0.name.lowercased() == chosenWeekday)
            },
            requestCapPerSchoolPerMeeting: typed(.requestCapPerSchoolPerMeeting, settings.requestCapPerSchoolPerMeeting.map(String.init) ?? ""),
            individualThresholdPounds: typed(.individualThresholdPounds, settings.individualThreshold.plainPounds),
            longestFundingTerms: typed(.longestFundingTerms, String(settings.longestFundingTerms)),
            defaultReservePercent: typed(.defaultReservePercent, String(settings.defaultReservePercent)),
            decisionNoticeWorkingDays: typed(.decisionNoticeWorkingDays, String(settings.decisionNoticeWorkingDays)),
            secondFactorForEveryone: form.map { $0[.secondFactorForEveryone] == .value("true") } ?? settings.secondFactorForEveryone,
            cutOffText: settings.submissionCutOff.description,
            thresholdText: settings.individualThreshold.formatted,
            capText: settings.requestCapPerSchoolPerMeeting.map { "\($0) requests" } ?? "No cap",
            updatedAt: HTMLResponses.display(record.updatedAt)
        )
    }

    @Sendable func show(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        var page = Self.page(session, try await settings.current(session.actor))
        if request.uri.queryParameters["saved"] != nil { page.notice = "Settings saved." }
        return try pages.render("settings", page)
    }

    @Sendable func save(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try settings.authorize(session.actor)
        var form = try await URLEncodedFormDecoder().decode(CouncilSettingsForm.self, from: request, context: context)
        // An unticked checkbox sends nothing: on this page, that means "no".
        if form[.secondFactorForEveryone] == .absent { form.fields[.secondFactorForEveryone] = .value("false") }
        let submitted = form
        do {
            _ = try await settings.update(session.actor, request: context.requestInfo(request)) { current throws(DomainError) in
                try submitted.applied(to: current)
            }
            return HTMLResponses.redirect(to: "/settings?saved=1")
        } catch let error as DomainError {
            var page = Self.page(session, try await settings.current(session.actor), form: form)
            page.errors = FormErrors(error)
            return try pages.render("settings", page, status: .unprocessableContent)
        }
    }

    @Sendable func read(_ request: Request, context: SignedInContext) async throws -> CouncilSettingsBody {
        CouncilSettingsBody(try await settings.current(context.actor))
    }

    @Sendable func change(_ request: Request, context: SignedInContext) async throws -> CouncilSettingsBody {
        let actor = context.actor
        try settings.authorize(actor)
        var form = try await request.decode(as: CouncilSettingsForm.self, context: context)
        form.strictTypes = true
        for key in CouncilSettingsForm.pageOnly { form.fields[key] = .absent }
        let submitted = form
        let record = try await settings.update(actor, request: context.requestInfo(request)) { current throws(DomainError) in
            try submitted.applied(to: current)
        }
        return CouncilSettingsBody(record)
    }
}

/// `GET /api/v1/council-settings`: the settings as systems read them.
struct CouncilSettingsBody: ResponseEncodable {
    var laCode: String?
    var submissionCutOffDays: Int?
    var submissionCutOffWeekday: String?
    var requestCapPerSchoolPerMeeting: Int?
    var individualThresholdPence: Int64
    var longestFundingTerms: Int
    var defaultReservePercent: Int
    var decisionNoticeWorkingDays: Int
    var secondFactorForEveryone: Bool
    var updatedAt: Date

    init(_ record: CouncilSettingsRecord) {
        let settings = record.settings
        laCode = settings.laCode
        switch settings.submissionCutOff {
        case .daysBefore(let days): submissionCutOffDays = days
        case .weekdayOfWeekBefore(let day): submissionCutOffWeekday = day.name.lowercased()
        }
        requestCapPerSchoolPerMeeting = settings.requestCapPerSchoolPerMeeting
        individualThresholdPence = settings.individualThreshold.value
        longestFundingTerms = settings.longestFundingTerms
        defaultReservePercent = settings.defaultReservePercent
        decisionNoticeWorkingDays = settings.decisionNoticeWorkingDays
        secondFactorForEveryone = settings.secondFactorForEveryone
        updatedAt = record.updatedAt
    }

    /// Nulls are written out, so a client sees every field, set or not.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(laCode, forKey: .laCode)
        try container.encode(submissionCutOffDays, forKey: .submissionCutOffDays)
        try container.encode(submissionCutOffWeekday, forKey: .submissionCutOffWeekday)
        try container.encode(requestCapPerSchoolPerMeeting, forKey: .requestCapPerSchoolPerMeeting)
        try container.encode(individualThresholdPence, forKey: .individualThresholdPence)
        try container.encode(longestFundingTerms, forKey: .longestFundingTerms)
        try container.encode(defaultReservePercent, forKey: .defaultReservePercent)
        try container.encode(decisionNoticeWorkingDays, forKey: .decisionNoticeWorkingDays)
        try container.encode(secondFactorForEveryone, forKey: .secondFactorForEveryone)
        try container.encode(updatedAt, forKey: .updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case laCode, submissionCutOffDays, submissionCutOffWeekday, requestCapPerSchoolPerMeeting, individualThresholdPence, longestFundingTerms,
            defaultReservePercent, decisionNoticeWorkingDays, secondFactorForEveryone, updatedAt
    }
}
