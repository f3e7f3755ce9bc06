import Domain
import Foundation
import Hummingbird
import Store

/// EP advice: the caseload page (the requests of the clusters an EP supports, and the follow-ups outstanding), the
/// advice form on a request or a pupil, and the same in the API.
struct AdviceController {
    let pages: Pages
    let advice: AdviceStore
    let requests: RequestStore
    let pupils: PupilStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInPages.get("/advice", use: caseload)
        routes.signedInPages.get("/requests/{requestId}/advice/new", use: newOnRequest)
        routes.signedInPages.post("/requests/{requestId}/advice", use: recordOnRequest)
        routes.signedInPages.get("/pupils/{pupilId}/advice/new", use: newOnPupil)
        routes.signedInPages.post("/pupils/{pupilId}/advice", use: recordOnPupil)
        routes.signedInAPI.post("/api/v1/requests/{requestId}/advice", use: recordAPI)
        routes.signedInAPI.post("/api/v1/pupils/{pupilId}/advice", use: recordAPI)
        routes.signedInAPI.get("/api/v1/advice/follow-ups", use: followUpsAPI)
    }

    // MARK: Caseload

    struct CaseloadPage: Sendable {
        struct Row: Sendable {
            var id: String
            var title: String
            var cluster: String
            var school: String
            var state: String
            var advice: String
        }

        struct FollowUpRow: Sendable {
            var href: String
            var subject: String
            var cluster: String
            var on: String
            var due: Bool
        }

        var layout: Layout
        var rows: [Row]
        var hasRows: Bool
        var pagination: Pagination?
        var followUps: [FollowUpRow]
        var hasFollowUps: Bool
        var followUpPagination: Pagination?
    }

    @Sendable func caseload(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try AdviceRules.requireAuthor(session.actor)
        let query = request.uri.queryParameters
        let cases = try await advice.caseload(session.actor, page: query["page"].flatMap { Int(String($0)) })
        let followUps = try await advice.followUps(session.actor, page: query["followUps"].flatMap { Int(String($0)) })
        let today = advice.today()
        let page = CaseloadPage(
            layout: Layout(title: "Caseload", path: "/advice", session: session),
            rows: cases.items.map {
                .init(id: $0.requestID.description, title: $0.title, cluster: $0.cluster, school: $0.leadSchool, state: RequestWords.state($0.state),
                      advice: $0.adviceCount == 0 ? "None yet" : "\($0.adviceCount), last \($0.lastAdviceOn.map(MeetingController.longDate) ?? "")")
            },
            hasRows: !cases.items.isEmpty, pagination: Pagination(cases, path: "/advice"),
            followUps: followUps.items.map {
                .init(href: $0.requestID.map { "/requests/\($0)" } ?? $0.pupilID.map { "/pupils/\($0)" } ?? "/advice", subject: $0.subject, cluster: $0.cluster,
                      on: MeetingController.longDate($0.followUpOn), due: AdviceRules.isDue($0.followUpOn, today: today))
            },
            hasFollowUps: !followUps.items.isEmpty, followUpPagination: Pagination(followUps, path: "/advice", parameter: "followUps"))
        return try pages.render("advice", page)
    }

    // MARK: The form

    func formPage(_ session: Authenticated, about: String, action: String, back: String, form: AdviceForm, errors: FormErrors = FormErrors())
        -> PupilRecordsController.FormPage {
        PupilRecordsController.FormPage(
            layout: Layout(title: "Log advice", path: "/advice", session: session), errors: errors, heading: "Log advice", pupilName: about,
            backHref: back, backLabel: "Back", action: action,
            intro: "Advice is a record: it is not changed afterwards. The lead school's SENCo sees it on the request, and the panel on the agenda.",
            fields: [.date("givenOn", "Date given", value: form.givenOn, errors: errors),
                     .select("kind", "Kind", choices: AdviceKind.allCases.map { ($0.rawValue, $0.label) }, value: form.kind, any: "Choose", errors: errors),
                     .textarea("summary", "Summary", value: form.summary, errors: errors),
                     .textarea("recommendations", "Recommendations", hint: "Optional.", value: form.recommendations, errors: errors),
                     .date("followUpOn", "Follow up by (optional)", value: form.followUpOn, errors: errors)],
            hidden: [], button: "Save the advice")
    }

    func subject(_ context: SignedInContext) throws -> AdviceStore.Subject {
        if context.parameters.get("requestId") != nil { return .request(try RequestsAPIController.requestID(context)) }
        return .pupil(try PupilsAPIController.pupilID(context))
    }

    /// What the form is about, as its caption: the request's title, or the pupil's name (to the EP, who reaches them).
    func caption(_ session: Authenticated, _ subject: AdviceStore.Subject, _ request: Request, _ context: SignedInContext) async throws -> (String, String) {
        switch subject {
        case .request(let id):
            let view = try await requests.request(session.actor, id, request: context.requestInfo(request))
            return (view.draft.title, "/requests/\(id)")
        case .pupil(let id):
            let pupil = try await pupils.pupil(session.actor, id, view: "page.advice_form", request: context.requestInfo(request))
            return ("\(pupil.givenNames) \(pupil.familyName)", "/pupils/\(id)")
        }
    }

    @Sendable func newOnRequest(_ request: Request, context: SignedInContext) async throws -> Response { try await newForm(request, context) }
    @Sendable func newOnPupil(_ request: Request, context: SignedInContext) async throws -> Response { try await newForm(request, context) }
    @Sendable func recordOnRequest(_ request: Request, context: SignedInContext) async throws -> Response { try await record(request, context) }
    @Sendable func recordOnPupil(_ request: Request, context: SignedInContext) async throws -> Response { try await record(request, context) }

    func newForm(_ request: Request, _ context: SignedInContext) async throws -> Response {
        let session = context.session
        try AdviceRules.requireAuthor(session.actor)
        let subject = try subject(context)
        let (about, back) = try await caption(session, subject, request, context)
        return try pages.render("record-form", formPage(session, about: about, action: request.uri.path.replacingOccurrences(of: "/new", with: ""), back: back,
                                                         form: AdviceForm()))
    }

    func record(_ request: Request, _ context: SignedInContext) async throws -> Response {
        let session = context.session
        try AdviceRules.requireAuthor(session.actor)
        let subject = try subject(context)
        let form = try await URLEncodedFormDecoder().decode(AdviceForm.self, from: request, context: context)
        let (about, back) = try await caption(session, subject, request, context)
        do {
            _ = try await advice.record(session.actor, on: subject, entry: try form.entry(typedDates: true), request: context.requestInfo(request))
            return HTMLResponses.redirect(to: back)
        } catch let error as DomainError {
            if case .forbidden = error { throw error }
            if error.isNotFound { throw error }
            return try pages.render("record-form", formPage(session, about: about, action: request.uri.path, back: back, form: form, errors: FormErrors(error)),
                                    status: .unprocessableContent)
        }
    }

    // MARK: API

    @Sendable func recordAPI(_ request: Request, context: SignedInContext) async throws -> EditedResponse<AdviceBody> {
        let subject = try subject(context)
        let form = try await request.decode(as: AdviceForm.self, context: context)
        let id = try await advice.record(context.actor, on: subject, entry: try form.entry(typedDates: false), request: context.requestInfo(request))
        let all = try await advice.advice(context.actor, on: subject)
        guard let made = all.first(where: { $0.id == id }) else { throw DomainError.notFound("The advice was saved but cannot be read back.") }
        return EditedResponse(status: .created, headers: [:], response: AdviceBody(made))
    }

    @Sendable func followUpsAPI(_ request: Request, context: SignedInContext) async throws -> PageBody<FollowUpBody> {
        let (number, _) = try PageBody<FollowUpBody>.requested(request)
        let today = advice.today()
        return PageBody(try await advice.followUps(context.actor, page: number)) {
            FollowUpBody(adviceId: $0.adviceID.description, requestId: $0.requestID?.description, pupilId: $0.pupilID?.description, subject: $0.subject,
                         clusterName: $0.cluster, followUpOn: $0.followUpOn.iso, due: AdviceRules.isDue($0.followUpOn, today: today))
        }
    }
}
