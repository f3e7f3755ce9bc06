import Domain
import Foundation
import Hummingbird
import Store

/// Pupils in the JSON API: officers read every pupil (and may narrow to a school); a school's SENCo and headteacher
/// read their school's; its SENCo adds and changes them. Every answer that names a pupil is audited by the store.
struct PupilsAPIController {
    let pupils: PupilStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInAPI.get("/api/v1/pupils", use: list)
        routes.signedInAPI.post("/api/v1/pupils", use: create)
        routes.signedInAPI.get("/api/v1/pupils/{pupilId}", use: show)
        routes.signedInAPI.put("/api/v1/pupils/{pupilId}", use: update)
    }

    static func pupilID(_ context: some RequestContext) throws -> ID<Pupil> {
        guard let text = context.parameters.get("pupilId"), let id = ID<Pupil>(text) else { throw DomainError.notFound("There is no such pupil.") }
        return id
    }

    @Sendable func list(_ request: Request, context: SignedInContext) async throws -> PageBody<PupilResponse> {
        try PupilRules.requireReader(context.actor)
        var filters = QueryFilters(request, emptyIsAbsent: false)
        let school = filters.value("schoolId", "Choose a school by its id.") { ID<School>($0) }
        let search = filters.value("q", "Search by at most 100 characters of a name, or a UPN.") { $0.count <= 100 ? $0 : nil }
        try filters.check()
        let (number, size) = try PageBody<PupilResponse>.requested(request)
        let found = try await pupils.list(context.actor, filter: PupilFilter(schoolID: school, search: search), page: number, size: size, view: "api.list",
                                          request: context.requestInfo(request))
        let today = pupils.today()
        return PageBody(found, map: { PupilResponse($0, today: today) })
    }

    @Sendable func show(_ request: Request, context: SignedInContext) async throws -> PupilResponse {
        try PupilRules.requireReader(context.actor)
        return PupilResponse(try await pupils.pupil(context.actor, try Self.pupilID(context), view: "api.record", request: context.requestInfo(request)), today: pupils.today())
    }

    @Sendable func create(_ request: Request, context: SignedInContext) async throws -> EditedResponse<PupilResponse> {
        try PupilRules.requireReader(context.actor)
        let body = try await request.decode(as: PupilBody.self, context: context)
        let school = try body.school()
        let id = try await pupils.create(context.actor, school: school, details: try body.details(), request: context.requestInfo(request))
        let created = try await pupils.pupil(context.actor, id, view: "api.created", request: context.requestInfo(request))
        return EditedResponse(status: .created, headers: [.location: "/api/v1/pupils/\(id)"], response: PupilResponse(created, today: pupils.today()))
    }

    @Sendable func update(_ request: Request, context: SignedInContext) async throws -> PupilResponse {
        try PupilRules.requireReader(context.actor)
        let id = try Self.pupilID(context)
        let body = try await request.decode(as: PupilBody.self, context: context)
        try await pupils.update(context.actor, id, details: try body.details(upnRequired: false), request: context.requestInfo(request))
        return PupilResponse(try await pupils.pupil(context.actor, id, view: "api.changed", request: context.requestInfo(request)), today: pupils.today())
    }
}

/// A pupil's record as the API takes it. `schoolId` is read when adding a pupil; `upn` cannot be changed.
struct PupilBody: Decodable, Sendable {
    var schoolId: String?
    var givenNames: String
    var familyName: String
    var dateOfBirth: String
    var upn: String
    var yearGroup: Int
    var needs: [String]
    var senStatus: String
    var lookedAfter: Bool
    var homeLACode: String?
    var outOfCohortReason: String?

    enum CodingKeys: String, CodingKey {
        case schoolId, givenNames, familyName, dateOfBirth, upn, yearGroup, needs, senStatus, lookedAfter, homeLACode, outOfCohortReason
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schoolId = try container.decodeUnlessNull(String.self, forKey: .schoolId)
        givenNames = try container.decode(String.self, forKey: .givenNames)
        familyName = try container.decode(String.self, forKey: .familyName)
        dateOfBirth = try container.decode(String.self, forKey: .dateOfBirth)
        upn = try container.decode(String.self, forKey: .upn)
        yearGroup = try container.decode(Int.self, forKey: .yearGroup)
        needs = try container.decode([String].self, forKey: .needs)
        senStatus = try container.decode(String.self, forKey: .senStatus)
        lookedAfter = try container.decode(Bool.self, forKey: .lookedAfter)
        homeLACode = try container.decodeUnlessNull(String.self, forKey: .homeLACode)
        outOfCohortReason = try container.decodeUnlessNull(String.self, forKey: .outOfCohortReason)
    }

    func school() throws(DomainError) -> ID<School> {
        guard let id = schoolId.flatMap(ID<School>.init) else {
            throw .validation([.init(pointer: "/schoolId", detail: "Choose the pupil's school by its id.")])
        }
        return id
    }

    /// The record's fields, each readable, or every unreadable one named. - Parameter upnRequired: false when changing
    /// a record, whose UPN is fixed.
    func details(upnRequired: Bool = true) throws(DomainError) -> PupilDetails {
        var issues: [DomainError.FieldIssue] = []
        let born = CalendarDate(iso: dateOfBirth.trimmingCharacters(in: .whitespaces))
        if born == nil { issues.append(.init(pointer: "/dateOfBirth", detail: "Enter the date of birth as YYYY-MM-DD.")) }
        var kinds: [NeedType] = []
        for (index, code) in needs.enumerated() {
            if let kind = NeedType(rawValue: code) { kinds.append(kind) } else {
                issues.append(.init(pointer: "/needs/\(index)", detail: "Choose a DfE type of need: " + NeedType.allCases.map(\.rawValue).joined(separator: ", ") + "."))
            }
        }
        let status = SENStatus(rawValue: senStatus)
        if status == nil { issues.append(.init(pointer: "/senStatus", detail: "Choose sen_support, ehcp, under_assessment or none.")) }
        guard issues.isEmpty, let born, let status else {
            throw .validation(PupilDetails.textIssues(givenNames: givenNames, familyName: familyName, upn: upnRequired ? upn : nil) + issues)
        }
        return PupilDetails(givenNames: givenNames, familyName: familyName, dateOfBirth: born, upn: upn, yearGroup: yearGroup, needs: kinds,
                            senStatus: status, lookedAfter: lookedAfter, homeLACode: homeLACode, outOfCohortReason: outOfCohortReason)
    }
}

struct PupilResponse: ResponseEncodable {
    struct Enrolment: Encodable, Sendable {
        var schoolName: String
        var fromOn: String
        var toOn: String?
    }

    var id: String
    var upn: String
    var givenNames: String
    var familyName: String
    var dateOfBirth: String
    var yearGroup: Int
    var yearGroupName: String
    var schoolId: String
    var schoolName: String
    var needs: [String]
    var senStatus: String
    var lookedAfter: Bool
    var homeLACode: String?
    var outOfCohortReason: String?
    var updatedAt: Date
    var enrolments: [Enrolment]
    /// The purposes whose consent is in force (everyone who reaches the pupil).
    var consentInForce: [String]
    /// The consent history: officers and the pupil's school only.
    var consents: [ConsentResponse]
    var referrals: [ReferralResponse]

    init(_ pupil: PupilRecordView, today: CalendarDate) {
        id = pupil.id.description
        upn = pupil.upn
        givenNames = pupil.givenNames
        familyName = pupil.familyName
        dateOfBirth = pupil.dateOfBirth.iso
        yearGroup = pupil.yearGroup.number
        yearGroupName = pupil.yearGroup.description
        schoolId = pupil.schoolID.description
        schoolName = pupil.schoolName
        needs = pupil.needs.map(\.rawValue)
        senStatus = pupil.senStatus.rawValue
        lookedAfter = pupil.lookedAfter
        homeLACode = pupil.homeLACode
        outOfCohortReason = pupil.outOfCohortReason
        updatedAt = pupil.updatedAt
        enrolments = pupil.enrolments.map { Enrolment(schoolName: $0.schoolName, fromOn: $0.fromOn.iso, toOn: $0.toOn?.iso) }
        consentInForce = pupil.consentInForce.map(\.rawValue).sorted()
        consents = pupil.consents.map(ConsentResponse.init)
        referrals = pupil.referrals.map { ReferralResponse($0, today: today) }
    }
}
