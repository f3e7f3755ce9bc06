import Domain
import Foundation
import Hummingbird
import Store

/// What sits beneath a pupil in the JSON API: consent, EHC needs-assessment referrals, and the officers' subject
/// access export; with the officers' referral timeliness list. Every answer that names a pupil is audited by the store.
struct PupilRecordsAPIController {
    let pupils: PupilStore
    let referrals: ReferralStore
    let audit: AuditStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInAPI.get("/api/v1/pupils/{pupilId}/consents", use: consents)
        routes.signedInAPI.post("/api/v1/pupils/{pupilId}/consents", use: recordConsent)
        routes.signedInAPI.get("/api/v1/pupils/{pupilId}/referrals", use: pupilReferrals)
        routes.signedInAPI.post("/api/v1/pupils/{pupilId}/referrals", use: createReferral)
        routes.signedInAPI.get("/api/v1/pupils/{pupilId}/referrals/{referralId}", use: referral)
        routes.signedInAPI.put("/api/v1/pupils/{pupilId}/referrals/{referralId}", use: updateReferral)
        routes.signedInAPI.get("/api/v1/pupils/{pupilId}/export", use: export)
        routes.signedInAPI.get("/api/v1/referrals", use: timeliness)
    }

    static func referralID(_ context: some RequestContext) throws -> ID<Referral> {
        guard let text = context.parameters.get("referralId"), let id = ID<Referral>(text) else { throw DomainError.notFound("There is no such referral.") }
        return id
    }

    struct ConsentList: ResponseEncodable {
        var consentInForce: [String]
        var items: [ConsentResponse]
    }

    @Sendable func consents(_ request: Request, context: SignedInContext) async throws -> ConsentList {
        try PupilRules.requireReader(context.actor)
        let pupil = try await pupils.pupil(context.actor, try PupilsAPIController.pupilID(context), view: "api.consents", request: context.requestInfo(request))
        return ConsentList(consentInForce: pupil.consentInForce.map(\.rawValue).sorted(), items: pupil.consents.map(ConsentResponse.init))
    }

    @Sendable func recordConsent(_ request: Request, context: SignedInContext) async throws -> EditedResponse<ConsentList> {
        try PupilRules.requireReader(context.actor)
        let id = try PupilsAPIController.pupilID(context)
        let body = try await request.decode(as: ConsentBody.self, context: context)
        let consent = try await pupils.recordConsent(context.actor, pupil: id, entry: try body.entry(typedDates: false), request: context.requestInfo(request))
        let pupil = try await pupils.pupil(context.actor, id, view: "api.consent_recorded", request: context.requestInfo(request))
        return EditedResponse(status: .created, headers: [.location: "/api/v1/pupils/\(id)/consents#\(consent)"],
                              response: ConsentList(consentInForce: pupil.consentInForce.map(\.rawValue).sorted(), items: pupil.consents.map(ConsentResponse.init)))
    }

    struct ReferralList: ResponseEncodable {
        var items: [ReferralResponse]
    }

    @Sendable func pupilReferrals(_ request: Request, context: SignedInContext) async throws -> ReferralList {
        try PupilRules.requireReader(context.actor)
        let pupil = try await pupils.pupil(context.actor, try PupilsAPIController.pupilID(context), view: "api.referrals", request: context.requestInfo(request))
        let today = referrals.today()
        return ReferralList(items: pupil.referrals.map { ReferralResponse($0, today: today) })
    }

    @Sendable func createReferral(_ request: Request, context: SignedInContext) async throws -> EditedResponse<ReferralResponse> {
        try PupilRules.requireReader(context.actor)
        let pupil = try PupilsAPIController.pupilID(context)
        let body = try await request.decode(as: ReferralBody.self, context: context)
        let id = try await referrals.create(context.actor, pupil: pupil, entry: try body.entry(typedDates: false), request: context.requestInfo(request))
        let created = try await referrals.referral(context.actor, pupil: pupil, id, view: "api.created", request: context.requestInfo(request))
        return EditedResponse(status: .created, headers: [.location: "/api/v1/pupils/\(pupil)/referrals/\(id)"],
                              response: ReferralResponse(created, today: referrals.today()))
    }

    @Sendable func referral(_ request: Request, context: SignedInContext) async throws -> ReferralResponse {
        try PupilRules.requireReader(context.actor)
        let found = try await referrals.referral(context.actor, pupil: try PupilsAPIController.pupilID(context), try Self.referralID(context),
                                                 view: "api.record", request: context.requestInfo(request))
        return ReferralResponse(found, today: referrals.today())
    }

    @Sendable func updateReferral(_ request: Request, context: SignedInContext) async throws -> ReferralResponse {
        try PupilRules.requireReader(context.actor)
        let pupil = try PupilsAPIController.pupilID(context)
        let id = try Self.referralID(context)
        let body = try await request.decode(as: ReferralBody.self, context: context)
        try await referrals.update(context.actor, pupil: pupil, id, entry: try body.entry(typedDates: false), request: context.requestInfo(request))
        return ReferralResponse(try await referrals.referral(context.actor, pupil: pupil, id, view: "api.changed", request: context.requestInfo(request)),
                                today: referrals.today())
    }

    struct TimelinessList: ResponseEncodable {
        /// The academic year asked for; absent for the twelve months to today.
        var academicYear: Int?
        var counts: [String: Int]
        var items: [ReferralResponse]
        var page: Int
        var pageSize: Int
        var total: Int
    }

    @Sendable func timeliness(_ request: Request, context: SignedInContext) async throws -> TimelinessList {
        try ReferralRules.requireDecider(context.actor)
        var filters = QueryFilters(request, emptyIsAbsent: false)
        let year = filters.value("academicYear", "Choose an academic year by the year it starts, like 2026.") { Int($0).flatMap { (2000...2100).contains($0) ? $0 : nil } }
        let standing = filters.value("standing", "Choose met, missed or pending.") { text in
            ReferralTimeline.Standing(rawValue: text).flatMap { $0 == .notApplicable ? nil : $0 }
        }
        try filters.check()
        let (number, size) = try PageBody<ReferralResponse>.requested(request)
        let academicYear = year.map(AcademicYear.init)
        let found = try await referrals.timeliness(context.actor, year: academicYear, standing: standing, page: number, size: size,
                                                   request: context.requestInfo(request))
        let today = referrals.today()
        return TimelinessList(academicYear: academicYear?.startYear, counts: Dictionary(uniqueKeysWithValues: found.counts.map { ($0.key.rawValue, $0.value) }),
                              items: found.page.items.map { ReferralResponse($0.referral, today: today, pupilName: $0.pupilName) },
                              page: found.page.number, pageSize: found.page.size, total: found.page.total)
    }

    /// Everything held on one pupil, for a subject access request (officers).
    struct SubjectAccessExport: ResponseEncodable {
        var exportedAt: Date
        var pupil: PupilResponse
        var auditTrail: [AuditEntry]
    }

    @Sendable func export(_ request: Request, context: SignedInContext) async throws -> SubjectAccessExport {
        try Self.requireExporter(context.actor)
        return try await Self.gather(context.actor, try PupilsAPIController.pupilID(context), view: "api.export", pupils: pupils, audit: audit,
                                     today: referrals.today(), request: context.requestInfo(request))
    }

    static func requireExporter(_ actor: Actor) throws(DomainError) {
        guard actor.isOfficer else { throw .forbidden("Only council officers export everything held on a pupil.") }
    }

    /// The record (with enrolments, consents and referrals) and every audit event about the pupil, oldest last.
    static func gather(_ actor: Actor, _ id: ID<Pupil>, view: String, pupils: PupilStore, audit: AuditStore, today: CalendarDate,
                       request: RequestInfo) async throws -> SubjectAccessExport {
        let pupil = try await pupils.pupil(actor, id, view: view, request: request)
        var events: [AuditEntry] = []
        var number = 1
        while number <= 100 {
            let page = try await audit.list(actor, filter: AuditFilter(record: id.description), page: number, size: 100)
            events += page.items
            if events.count >= page.total || page.items.isEmpty { break }
            number += 1
        }
        return SubjectAccessExport(exportedAt: Date(), pupil: PupilResponse(pupil, today: today), auditTrail: events)
    }
}

struct ConsentResponse: Encodable, Sendable {
    var id: String
    var purpose: String
    var kind: String
    var givenByName: String
    var relationship: String
    var givenOn: String
    var method: String
    var evidenceReference: String
    var replaces: String?
    var correctionReason: String?
    var replacedBy: String?
    var recordedBy: String
    var recordedAt: Date

    init(_ record: ConsentRecord) {
        id = record.id.description
        purpose = record.entry.purpose.rawValue
        kind = record.entry.kind.rawValue
        givenByName = record.entry.givenByName
        relationship = record.entry.relationship.rawValue
        givenOn = record.entry.givenOn.iso
        method = record.entry.method.rawValue
        evidenceReference = record.entry.evidenceReference
        replaces = record.entry.replaces?.description
        correctionReason = record.entry.correctionReason
        replacedBy = record.replacedBy?.description
        recordedBy = record.recordedByName
        recordedAt = record.recordedAt
    }
}

struct ReferralResponse: ResponseEncodable {
    struct Deadline: Encodable, Sendable {
        var due: String
        var standing: String

        init(_ deadline: ReferralTimeline.Deadline) {
            due = deadline.due.iso
            standing = deadline.standing.rawValue
        }
    }

    var id: String
    var pupilId: String
    var pupilName: String?
    var schoolName: String
    var requestedBy: String
    var receivedOn: String
    var decision: String?
    var decidedOn: String?
    var noPlanNoticeOn: String?
    var draftPlanOn: String?
    var finalPlanOn: String?
    var outcome: String?
    var outcomeOn: String?
    var appealOn: String?
    var decisionDeadline: Deadline
    var noPlanNoticeDeadline: Deadline
    var finalPlanDeadline: Deadline
    var standing: String
    var updatedAt: Date

    init(_ referral: ReferralView, today: CalendarDate, pupilName: String? = nil) {
        let body = ReferralBody(referral.entry)
        let t = referral.entry.timeline
        id = referral.id.description
        pupilId = referral.pupilID.description
        self.pupilName = pupilName
        schoolName = referral.schoolName
        requestedBy = body.requestedBy ?? ""
        receivedOn = body.receivedOn ?? ""
        decision = body.decision
        decidedOn = body.decidedOn
        noPlanNoticeOn = body.noPlanNoticeOn
        draftPlanOn = body.draftPlanOn
        finalPlanOn = body.finalPlanOn
        outcome = body.outcome
        outcomeOn = body.outcomeOn
        appealOn = body.appealOn
        decisionDeadline = Deadline(t.decisionDeadline(today: today))
        noPlanNoticeDeadline = Deadline(t.noPlanNoticeDeadline(today: today))
        finalPlanDeadline = Deadline(t.finalPlanDeadline(today: today))
        standing = ReferralRules.standing(t, today: today).rawValue
        updatedAt = referral.updatedAt
    }
}
