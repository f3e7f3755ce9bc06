import Domain
import Foundation
import Hummingbird
import Store

/// The requests pages: the list with its dashboard (counts, held requests, what waits on the reader, the next
/// cut-offs), starting a request, the request itself (check your answers, with the actions the reader may take) and
/// those actions. What each person may do is `RequestLifecycle`'s answer, through the store.
struct RequestsController {
    let pages: Pages
    let requests: RequestStore
    let structure: StructureStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInPages.get("/requests", use: list)
        routes.signedInPages.get("/requests/new", use: newRequest)
        routes.signedInPages.post("/requests", use: create)
        routes.signedInPages.get("/requests/{requestId}", use: show)
        routes.signedInPages.post("/requests/{requestId}/actions/{action}", use: act)
    }

    struct ListPage: Sendable {
        struct Row: Sendable {
            var id: String
            var title: String
            var type: String
            var leadSchool: String
            var state: String
            var meetsOn: String
            var hold: String?
        }

        struct Count: Sendable {
            var label: String
            var count: Int
            var href: String
        }

        struct CutOffRow: Sendable {
            var cluster: String
            var cutOff: String
            var meetsOn: String
            var href: String
        }

        var layout: Layout
        var errors: FormErrors
        var canStart: Bool
        var counts: [Count]
        var cutOffs: [CutOffRow]
        var hasCutOffs: Bool
        var states: [SelectOption]
        var held: Bool
        var waiting: Bool
        var emergency: Bool
        var heading: String
        var rows: [Row]
        var hasRows: Bool
        var pagination: Pagination?
    }

    @Sendable func list(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        let query = request.uri.queryParameters
        let stateText = query["state"].map(String.init) ?? ""
        let state = RequestState(rawValue: stateText)
        let errors = !stateText.isEmpty && state == nil
            ? FormErrors([.init(pointer: "/state", detail: "Choose a state from the list.")]) : FormErrors()
        let filter = RequestFilter(state: state, heldOnly: query["held"] == "1", waitingOnly: query["waiting"] == "1", emergencyOnly: query["emergency"] == "1")
        let number = query["page"].flatMap { Int(String($0)) }
        let found = try await requests.list(session.actor, filter: filter, page: number)
        let dashboard = try await requests.dashboard(session.actor)
        var counts = [ListPage.Count(label: "Waiting for you", count: dashboard.waiting, href: "/requests?waiting=1"),
                      ListPage.Count(label: "Held", count: dashboard.held, href: "/requests?held=1")]
        if session.actor.isOfficer {
            counts.append(.init(label: "Emergencies awaiting a decision", count: dashboard.emergencies, href: "/requests?emergency=1&state=submitted"))
        }
        counts += RequestState.allCases.map { ListPage.Count(label: RequestWords.state($0), count: dashboard.counts[$0] ?? 0, href: "/requests?state=\($0.rawValue)") }
        let queryString = (state.map { "state=\($0.rawValue)&" } ?? "") + (filter.heldOnly ? "held=1&" : "") + (filter.waitingOnly ? "waiting=1&" : "")
            + (filter.emergencyOnly ? "emergency=1&" : "")
        let page = ListPage(
            layout: Layout(title: "Requests", path: "/requests", session: session), errors: errors,
            canStart: !session.actor.schools(as: .senco).isEmpty, counts: counts,
            cutOffs: dashboard.cutOffs.map {
                .init(cluster: $0.cluster, cutOff: MeetingController.longDate($0.cutOffOn), meetsOn: MeetingController.longDate($0.meetsOn), href: "/meetings/\($0.meetingID)")
            },
            hasCutOffs: !dashboard.cutOffs.isEmpty,
            states: SelectOption.list(RequestState.allCases.map { ($0.rawValue, RequestWords.state($0)) }, chosen: stateText, any: "Any state"),
            held: filter.heldOnly, waiting: filter.waitingOnly, emergency: filter.emergencyOnly,
            heading: filter.waitingOnly ? "Waiting for you" : filter.heldOnly ? "Held requests" : filter.emergencyOnly ? "Emergency requests" : "Requests",
            rows: found.items.map {
                .init(id: $0.id.description, title: $0.title, type: $0.typeName, leadSchool: $0.leadSchool, state: RequestWords.state($0.state),
                      meetsOn: $0.meetsOn.map(MeetingController.longDate) ?? "", hold: $0.state == .withdrawn ? nil : $0.hold)
            },
            hasRows: !found.items.isEmpty, pagination: Pagination(found, path: "/requests", query: queryString))
        return try pages.render("requests", page, status: errors.hasErrors ? .unprocessableContent : .ok)
    }

    // MARK: Starting a request

    struct NewForm: Decodable, Sendable {
        var type: String?
        var leadSchoolId: String?
        var title: String?
    }

    func newPage(_ session: Authenticated, form: NewForm, errors: FormErrors = FormErrors()) async throws -> PupilRecordsController.FormPage {
        let own = session.actor.schools(as: .senco)
        let schools = try await structure.schools(session.actor).filter { own.contains($0.id) }.map { ($0.id.description, $0.name) }
        let types = try await requests.types(session.actor)
        var fields: [FormField] = [
            .select("type", "Type of request", hint: "A solution-focused discussion asks for advice; the other types ask for money.",
                    choices: types.map { ($0.code, $0.name) }, value: form.type, any: "Choose a type", errors: errors),
            .text("title", "A short title", hint: "For example: Speech and language group, Year 2. Do not put a pupil's name here.", value: form.title,
                  errors: errors),
        ]
        if schools.count > 1 {
            fields.insert(.select("leadSchoolId", "Lead school", choices: schools, value: form.leadSchoolId, errors: errors), at: 1)
        }
        return PupilRecordsController.FormPage(
            layout: Layout(title: "Start a request", path: "/requests", session: session), errors: errors, heading: "Start a request",
            pupilName: "Requests", backHref: "/requests", backLabel: "Back to requests", action: "/requests",
            intro: "The request is saved as a draft at once. You then fill it in a step at a time; nothing is sent until you submit it.",
            fields: fields, hidden: schools.count == 1 ? [SelectOption(value: schools[0].0, label: "leadSchoolId", selected: false)] : [],
            button: "Save and continue")
    }

    @Sendable func newRequest(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        guard !session.actor.schools(as: .senco).isEmpty else { throw DomainError.forbidden("Only a school's SENCo starts a request.") }
        return try pages.render("record-form", try await newPage(session, form: NewForm()))
    }

    @Sendable func create(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        guard !session.actor.schools(as: .senco).isEmpty else { throw DomainError.forbidden("Only a school's SENCo starts a request.") }
        let form = try await URLEncodedFormDecoder().decode(NewForm.self, from: request, context: context)
        do {
            // A SENCo of one school leads from it; one of several chooses.
            let own = session.actor.schools(as: .senco)
            guard let school = form.leadSchoolId.flatMap(ID<School>.init) ?? (own.count == 1 ? own.first : nil) else {
                throw DomainError.validation([.init(pointer: "/leadSchoolId", detail: "Choose the lead school.")])
            }
            let id = try await requests.create(session.actor, type: form.type ?? "", leadSchool: school, title: form.title ?? "",
                                               request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/requests/\(id)/edit/about")
        } catch let error as DomainError {
            if case .forbidden = error { throw error }
            return try pages.render("record-form", try await newPage(session, form: form, errors: FormErrors(error)), status: .unprocessableContent)
        }
    }

    // MARK: One request

    struct ShowPage: Sendable {
        var layout: Layout
        var errors: FormErrors
        var request: RequestPageModel
        /// What the chair typed, kept when the form comes back.
        var typedQuestions: String
    }

    @Sendable func show(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        let view = try await requests.request(session.actor, try RequestsAPIController.requestID(context), request: context.requestInfo(request))
        return try pages.render("request", ShowPage(layout: Layout(title: view.draft.title, path: "/requests", session: session), errors: FormErrors(),
                                                    request: RequestPageModel(view, actor: session.actor), typedQuestions: ""))
    }

    @Sendable func act(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        let id = try RequestsAPIController.requestID(context)
        guard let action = context.parameters.get("action").flatMap(RequestAction.init(rawValue:)) else { throw DomainError.notFound("There is no such action.") }
        let form = try await FormValues.read(request, context: context)
        do {
            // Withdrawing cannot be undone: the page asks for a tick first (the API's caller has said what it means).
            if action == .withdraw || action == .withdrawPart, form["confirm"] != "yes" {
                throw DomainError.validation([.init(pointer: "/confirm", detail: "Tick to confirm that you mean to withdraw; it cannot be undone.")])
            }
            let after = try await requests.act(session.actor, id, action, questions: form["questions"], request: context.requestInfo(request))
            // A partner that withdrew its part no longer reaches the request.
            return HTMLResponses.redirect(to: action == .withdrawPart ? "/requests" : "/requests/\(after.id)")
        } catch let error as DomainError {
            if case .forbidden = error { throw error }
            if error.isNotFound { throw error }
            let view = try await requests.request(session.actor, id, request: context.requestInfo(request))
            let errors = action == .submit ? RequestWords.errors(error, request: id) : FormErrors(error)
            return try pages.render("request", ShowPage(layout: Layout(title: view.draft.title, path: "/requests", session: session), errors: errors,
                                                        request: RequestPageModel(view, actor: session.actor), typedQuestions: form["questions"] ?? ""),
                                    status: .unprocessableContent)
        }
    }
}
