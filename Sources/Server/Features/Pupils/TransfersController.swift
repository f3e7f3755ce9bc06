import Domain
import Foundation
import Hummingbird
import Store

/// Pupils moving school, on pages and in the API: the SENCo of the school a pupil joins asks with the UPN and date of
/// birth; the school they leave (its SENCo) or an officer confirms or refuses; both schools and officers see the moves.
struct TransfersController {
    let pages: Pages
    let pupils: PupilStore
    let structure: StructureStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInPages.get("/pupils/transfer", use: newTransfer)
        routes.signedInPages.post("/pupils/transfer", use: requestTransfer)
        routes.signedInPages.get("/transfers", use: list)
        routes.signedInPages.post("/transfers/{transferId}/confirm", use: confirm)
        routes.signedInPages.post("/transfers/{transferId}/refuse", use: refuse)
        routes.signedInAPI.get("/api/v1/pupil-transfers", use: listAPI)
        routes.signedInAPI.post("/api/v1/pupil-transfers", use: requestAPI)
        routes.signedInAPI.post("/api/v1/pupil-transfers/{transferId}/confirm", use: confirmAPI)
        routes.signedInAPI.post("/api/v1/pupil-transfers/{transferId}/refuse", use: refuseAPI)
    }

    static func transferID(_ context: some RequestContext) throws -> ID<Transfer> {
        guard let text = context.parameters.get("transferId"), let id = ID<Transfer>(text) else { throw DomainError.notFound("There is no such move.") }
        return id
    }

    /// The request as typed on the page or sent to the API (dates: ISO, or 15/10/2018 on the page).
    struct TransferBody: Decodable, Sendable {
        var schoolId: String?
        var upn: String?
        var dateOfBirth: String?

        func checked() throws(DomainError) -> (ID<School>, String, CalendarDate) {
            var issues: [DomainError.FieldIssue] = []
            let school = schoolId.flatMap(ID<School>.init)
            if school == nil { issues.append(.init(pointer: "/schoolId", detail: "Choose the school the pupil joins.")) }
            let upn = (upn ?? "").trimmingCharacters(in: .whitespaces).uppercased()
            if let problem = UPN.problem(with: upn) { issues.append(.init(pointer: "/upn", detail: problem)) }
            let born = CalendarDate(typed: dateOfBirth ?? "")
            if born == nil { issues.append(.init(pointer: "/dateOfBirth", detail: "Enter the date of birth as day, month and year, like 15/10/2018.")) }
            guard issues.isEmpty, let school, let born else { throw .validation(issues) }
            return (school, upn, born)
        }
    }

    // MARK: Pages

    func formPage(_ session: Authenticated, form: TransferBody, errors: FormErrors = FormErrors()) async throws -> PupilRecordsController.FormPage {
        let own = session.actor.schools(as: .senco)
        let schools = try await structure.schools(session.actor).filter { own.contains($0.id) }.map { ($0.id.description, $0.name) }
        return PupilRecordsController.FormPage(
            layout: Layout(title: "A pupil joining from another school", path: "/pupils", session: session), errors: errors,
            heading: "A pupil joining from another school", pupilName: "Pupils", backHref: "/pupils", backLabel: "Back to pupils",
            action: "/pupils/transfer",
            intro: "Give the pupil's UPN and date of birth as their last school recorded them. The pupil's current school or a council officer confirms the move; until then nothing of the record is shown to you.",
            fields: [.select("schoolId", "The school the pupil joins", choices: schools, value: form.schoolId ?? schools.first?.0, errors: errors),
                     .text("upn", "UPN", hint: "A check letter and 12 more characters.", value: form.upn, errors: errors, short: true),
                     .date("dateOfBirth", "Date of birth", value: form.dateOfBirth, errors: errors)],
            hidden: [], button: "Ask for the record")
    }

    @Sendable func newTransfer(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try PupilRules.requireEditorSomewhere(session.actor)
        return try pages.render("record-form", try await formPage(session, form: TransferBody()))
    }

    @Sendable func requestTransfer(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try PupilRules.requireEditorSomewhere(session.actor)
        let form = try await URLEncodedFormDecoder().decode(TransferBody.self, from: request, context: context)
        do {
            let (school, upn, born) = try form.checked()
            _ = try await pupils.requestTransfer(session.actor, upn: upn, dateOfBirth: born, to: school, request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/transfers?asked=1")
        } catch let error as DomainError {
            if case .forbidden = error { throw error }
            if case .throttled = error { throw error }
            return try pages.render("record-form", try await formPage(session, form: form, errors: FormErrors(error)), status: .unprocessableContent)
        }
    }

    struct ListPage: Sendable {
        struct Row: Sendable {
            var id: String
            var pupil: String
            var pupilID: String?
            var from: String
            var to: String
            var status: String
            var requested: String
            var canDecide: Bool
        }

        var layout: Layout
        var notice: String?
        var statuses: [SelectOption]
        var rows: [Row]
        var hasRows: Bool
        var canAsk: Bool
        var pagination: Pagination?
    }

    @Sendable func list(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try PupilRules.requireReader(session.actor)
        let statusText = request.uri.queryParameters["status"].map(String.init) ?? ""
        let status = TransferStatus(rawValue: statusText)
        let found = try await pupils.transfers(session.actor, status: status, page: request.uri.queryParameters["page"].flatMap { Int(String($0)) },
                                               request: context.requestInfo(request))
        let stamp = DateFormatter()
        stamp.dateStyle = .long
        stamp.timeZone = TimeZone(identifier: "Europe/London")
        stamp.locale = Locale(identifier: "en_GB")
        let page = ListPage(
            layout: Layout(title: "Pupils moving school", path: "/pupils", session: session),
            notice: request.uri.queryParameters["asked"] != nil ? TransferRules.requested : nil,
            statuses: SelectOption.list(TransferStatus.allCases.map { ($0.rawValue, $0.label) }, chosen: statusText, any: "Every move"),
            rows: found.items.map { t in
                .init(id: t.id.description, pupil: t.pupilName ?? "Not shown until the move is confirmed", pupilID: t.pupilName == nil ? nil : t.pupilID.description,
                      from: t.fromSchool, to: t.toSchool,
                      status: t.status == .confirmed ? "Moved on " + (t.movedOn.map(MeetingController.longDate) ?? "") : t.status.label,
                      requested: stamp.string(from: t.requestedAt),
                      canDecide: t.status == .pending && (session.actor.isOfficer || session.actor.schools(as: .senco).contains(t.fromSchoolID)))
            },
            hasRows: !found.items.isEmpty, canAsk: !session.actor.schools(as: .senco).isEmpty,
            pagination: Pagination(found, path: "/transfers", query: status.map { "status=\($0.rawValue)&" } ?? ""))
        return try pages.render("transfers", page)
    }

    func decide(_ request: Request, context: SignedInContext, confirm: Bool) async throws -> Response {
        try await pupils.decideTransfer(context.session.actor, try Self.transferID(context), confirm: confirm, request: context.requestInfo(request))
        return HTMLResponses.redirect(to: "/transfers")
    }

    @Sendable func confirm(_ request: Request, context: SignedInContext) async throws -> Response { try await decide(request, context: context, confirm: true) }
    @Sendable func refuse(_ request: Request, context: SignedInContext) async throws -> Response { try await decide(request, context: context, confirm: false) }

    // MARK: API

    struct TransferResponse: ResponseEncodable {
        var id: String
        var pupilId: String
        var pupilName: String?
        var fromSchoolName: String
        var toSchoolName: String
        var status: String
        var requestedAt: Date
        var movedOn: String?

        init(_ t: TransferView) {
            id = t.id.description
            pupilId = t.pupilID.description
            pupilName = t.pupilName
            fromSchoolName = t.fromSchool
            toSchoolName = t.toSchool
            status = t.status.rawValue
            requestedAt = t.requestedAt
            movedOn = t.movedOn?.iso
        }
    }

    @Sendable func listAPI(_ request: Request, context: SignedInContext) async throws -> PageBody<TransferResponse> {
        try PupilRules.requireReader(context.actor)
        var filters = QueryFilters(request, emptyIsAbsent: false)
        let status = filters.value("status", "Choose pending, confirmed or refused.") { TransferStatus(rawValue: $0) }
        try filters.check()
        let (number, size) = try PageBody<TransferResponse>.requested(request)
        return PageBody(try await pupils.transfers(context.actor, status: status, page: number, size: size, request: context.requestInfo(request)),
                        map: TransferResponse.init)
    }

    func one(_ id: ID<Transfer>, context: SignedInContext, request: Request) async throws -> TransferResponse {
        guard let found = try await pupils.transfers(context.actor, status: nil, only: id, page: 1, request: context.requestInfo(request)).items.first else {
            throw DomainError.notFound("There is no such move.")
        }
        return TransferResponse(found)
    }

    @Sendable func requestAPI(_ request: Request, context: SignedInContext) async throws -> EditedResponse<TransferResponse> {
        try PupilRules.requireReader(context.actor)
        let body = try await request.decode(as: TransferBody.self, context: context)
        let (school, upn, born) = try body.checked()
        let id = try await pupils.requestTransfer(context.actor, upn: upn, dateOfBirth: born, to: school, request: context.requestInfo(request))
        return EditedResponse(status: .created, headers: [.location: "/api/v1/pupil-transfers?status=pending"], response: try await one(id, context: context, request: request))
    }

    func decideAPI(_ request: Request, context: SignedInContext, confirm: Bool) async throws -> TransferResponse {
        try PupilRules.requireReader(context.actor)
        let id = try Self.transferID(context)
        try await pupils.decideTransfer(context.actor, id, confirm: confirm, request: context.requestInfo(request))
        return try await one(id, context: context, request: request)
    }

    @Sendable func confirmAPI(_ request: Request, context: SignedInContext) async throws -> TransferResponse {
        try await decideAPI(request, context: context, confirm: true)
    }

    @Sendable func refuseAPI(_ request: Request, context: SignedInContext) async throws -> TransferResponse {
        try await decideAPI(request, context: context, confirm: false)
    }
}
