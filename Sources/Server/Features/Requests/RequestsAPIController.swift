import Domain
import Foundation
import Hummingbird
import Store

/// Requests in the JSON API: start a draft, change it as it is written, and one path per transition. What each role
/// may do is decided by `RequestLifecycle` (through the store); a refusal names the allowed actions.
struct RequestsAPIController {
    let requests: RequestStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInAPI.get("/api/v1/requests", use: list)
        routes.signedInAPI.post("/api/v1/requests", use: create)
        routes.signedInAPI.get("/api/v1/requests/{requestId}", use: show)
        routes.signedInAPI.patch("/api/v1/requests/{requestId}", use: change)
        for (path, action) in [("submit", RequestAction.submit), ("confirm", .confirm), ("endorse", .endorse), ("nominate", .nominate)] {
            routes.signedInAPI.post("/api/v1/requests/{requestId}/\(path)") { request, context in try await act(request, context, action) }
        }
        routes.signedInAPI.post("/api/v1/requests/{requestId}/withdraw", use: withdraw)
        routes.signedInAPI.post("/api/v1/requests/{requestId}/return", use: returnToSchool)
        routes.signedInAPI.get("/api/v1/meetings/{meetingId}/agenda", use: agenda)
    }

    static func requestID(_ context: some RequestContext) throws -> ID<FundingRequest> {
        guard let text = context.parameters.get("requestId"), let id = ID<FundingRequest>(text) else { throw DomainError.notFound("There is no such request.") }
        return id
    }

    struct Summary: Encodable, Sendable {
        var id: String
        var type: String
        var title: String
        var leadSchoolName: String
        var state: String
        var meetsOn: String?
        var hold: String?
        var updatedAt: Date

        init(_ r: RequestSummary) {
            id = r.id.description
            type = r.typeName
            title = r.title
            leadSchoolName = r.leadSchool
            state = r.state.rawValue
            meetsOn = r.meetsOn?.iso
            hold = r.hold
            updatedAt = r.updatedAt
        }
    }

    @Sendable func list(_ request: Request, context: SignedInContext) async throws -> PageBody<Summary> {
        var filters = QueryFilters(request, emptyIsAbsent: false)
        let state = filters.value("state", "Choose draft, submitted, scheduled, nominated or withdrawn.") { RequestState(rawValue: $0) }
        let flag: (String) -> Bool? = { ["true": true, "false": false][$0] }
        let held = filters.value("held", "held is true or false.", flag) ?? false
        let waiting = filters.value("waiting", "waiting is true or false.", flag) ?? false
        let emergency = filters.value("emergency", "emergency is true or false.", flag) ?? false
        try filters.check()
        let (number, size) = try PageBody<Summary>.requested(request)
        let filter = RequestFilter(state: state, heldOnly: held, waitingOnly: waiting, emergencyOnly: emergency)
        return PageBody(try await requests.list(context.actor, filter: filter, page: number, size: size), map: Summary.init)
    }

    struct NewRequest: Decodable, Sendable {
        var type: String?
        var leadSchoolId: String?
        var title: String?
    }

    @Sendable func create(_ request: Request, context: SignedInContext) async throws -> EditedResponse<RequestBody> {
        let body = try await request.decode(as: NewRequest.self, context: context)
        guard let school = body.leadSchoolId.flatMap(ID<School>.init) else {
            throw DomainError.validation([.init(pointer: "/leadSchoolId", detail: "Choose the lead school by its id.")])
        }
        let id = try await requests.create(context.actor, type: body.type ?? "", leadSchool: school, title: body.title ?? "", request: context.requestInfo(request))
        let created = try await requests.request(context.actor, id, request: context.requestInfo(request))
        return EditedResponse(status: .created, headers: [.location: "/api/v1/requests/\(id)"], response: RequestBody(created))
    }

    @Sendable func show(_ request: Request, context: SignedInContext) async throws -> RequestBody {
        RequestBody(try await requests.request(context.actor, try Self.requestID(context), request: context.requestInfo(request)))
    }

    @Sendable func change(_ request: Request, context: SignedInContext) async throws -> RequestBody {
        let id = try Self.requestID(context)
        let body = try await request.decode(as: DraftChange.self, context: context)
        let current = try await requests.request(context.actor, id, request: context.requestInfo(request))
        let draft = try body.applied(to: current.draft)
        if body.changesDraft {
            try await requests.save(context.actor, id, draft: draft, partners: try body.partners(), request: context.requestInfo(request))
        }
        if let pupils = try body.namedPupils() {
            try await requests.setPupils(context.actor, id, school: pupils.school, pupils: pupils.ids, request: context.requestInfo(request))
        }
        return RequestBody(try await requests.request(context.actor, id, request: context.requestInfo(request)))
    }

    func act(_ request: Request, _ context: SignedInContext, _ action: RequestAction, questions: String? = nil) async throws -> RequestBody {
        RequestBody(try await requests.act(context.actor, try Self.requestID(context), action, questions: questions, request: context.requestInfo(request)))
    }

    /// The lead school withdraws the whole request; a partner school its own part.
    @Sendable func withdraw(_ request: Request, context: SignedInContext) async throws -> RequestBody {
        let id = try Self.requestID(context)
        let current = try await requests.request(context.actor, id, request: context.requestInfo(request))
        let sencoOf = context.actor.schools(as: .senco)
        let partnerOnly = !sencoOf.contains(current.leadSchoolID) && current.partners.contains { sencoOf.contains($0.schoolID) }
        return try await act(request, context, partnerOnly ? .withdrawPart : .withdraw)
    }

    struct Questions: Decodable, Sendable {
        var questions: String?
    }

    @Sendable func returnToSchool(_ request: Request, context: SignedInContext) async throws -> RequestBody {
        let body = try await request.decode(as: Questions.self, context: context)
        return try await act(request, context, .returnToSchool, questions: body.questions)
    }

    struct Agenda: ResponseEncodable {
        struct Item: Encodable, Sendable {
            var requestId: String
            var type: String
            var title: String
            var leadSchoolName: String
            var partnerSchoolNames: [String]
            var state: String
            var askPence: Int64
            var outcomes: [AgendaOutcome]
            var pupils: [AgendaPupil]
            var advice: [AgendaAdvice]
        }

        var meetingId: String
        var items: [Item]
    }

    /// A planning meeting's agenda for anyone who sees the meeting; each pupil as `meeting_agenda` lets the reader see them.
    @Sendable func agenda(_ request: Request, context: SignedInContext) async throws -> Agenda {
        guard let text = context.parameters.get("meetingId"), let meeting = ID<Meeting>(text) else { throw DomainError.notFound("There is no such meeting.") }
        let items = try await requests.agenda(context.actor, meeting: meeting, request: context.requestInfo(request))
        return Agenda(meetingId: meeting.description, items: items.map {
            Agenda.Item(requestId: $0.requestID.description, type: $0.typeName, title: $0.title, leadSchoolName: $0.leadSchool, partnerSchoolNames: $0.partnerSchools,
                        state: $0.state.rawValue, askPence: $0.ask.value, outcomes: $0.outcomes, pupils: $0.pupils, advice: $0.advice)
        })
    }
}
