import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// Clusters in the JSON API: the same store calls as the pages, answered as JSON.
extension ClusterController {
    @Sendable func apiList(_ request: Request, context: SignedInContext) async throws -> ClusterListBody {
        let year = try Self.year(request, today: clusters.today(), emptyMeansToday: false)
        return ClusterListBody(academicYear: year.startYear, items: try await clusters.list(context.actor, year: year).map(ClusterBody.init))
    }

    @Sendable func apiShow(_ request: Request, context: SignedInContext) async throws -> ClusterDetailBody {
        let year = try Self.year(request, today: clusters.today(), emptyMeansToday: false)
        return ClusterDetailBody(try await clusters.cluster(context.actor, try Self.clusterID(context), year: year))
    }

    struct Created: ResponseEncodable {
        var id: String
    }

    @Sendable func apiCreate(_ request: Request, context: SignedInContext) async throws -> EditedResponse<Created> {
        let actor = context.actor
        try clusters.authorize(actor)
        let form = try await request.decode(as: ClusterForm.self, context: context)
        let id = try await clusters.create(actor, name: form.name ?? "", lead: try form.lead(), request: context.requestInfo(request))
        return EditedResponse(status: .created, headers: [.location: "/api/v1/clusters/\(id)"], response: Created(id: id.description))
    }

    @Sendable func apiUpdate(_ request: Request, context: SignedInContext) async throws -> ClusterDetailBody {
        let actor = context.actor
        try clusters.authorize(actor)
        let id = try Self.clusterID(context)
        let form = try await request.decode(as: ClusterForm.self, context: context)
        let year = AcademicYear.holding(clusters.today())
        let current = try await clusters.cluster(actor, id, year: year)
        let lead = form.localityLeadUserId == nil ? current.overview.leadID : try form.lead()
        try await clusters.update(actor, id, name: form.name ?? current.overview.name, lead: lead, request: context.requestInfo(request))
        return ClusterDetailBody(try await clusters.cluster(actor, id, year: year))
    }

    @Sendable func apiAddMember(_ request: Request, context: SignedInContext) async throws -> HTTPResponse.Status {
        let actor = context.actor
        try clusters.authorize(actor)
        let id = try Self.clusterID(context)
        let form = try await request.decode(as: MembershipForm.self, context: context)
        guard let year = form.academicYear, CalendarController.years.contains(year) else {
            throw DomainError.validation([.init(pointer: "/academicYear", detail: "Name the academic year by the year it starts, from 2000 to 2100.")])
        }
        try await clusters.assign(actor, school: try form.school(), to: id, year: AcademicYear(year), request: context.requestInfo(request))
        return .noContent
    }

    @Sendable func apiRemoveMember(_ request: Request, context: SignedInContext) async throws -> HTTPResponse.Status {
        let actor = context.actor
        try clusters.authorize(actor)
        let id = try Self.clusterID(context)
        let school = try SchoolsAPIController.schoolID(context)
        // Taking a school out names the year every time: a default could remove this year's membership by mistake.
        guard request.uri.queryParameters["year"] != nil else {
            throw DomainError.validation([.init(pointer: "/year", detail: "Name the academic year the school leaves the cluster for.")])
        }
        let year = try Self.year(request, today: clusters.today(), emptyMeansToday: false)
        try await clusters.remove(actor, school: school, from: id, year: year, request: context.requestInfo(request))
        return .noContent
    }

    struct Copied: ResponseEncodable {
        var from: Int
        var to: Int
        var schools: Int
    }

    @Sendable func apiCopyYear(_ request: Request, context: SignedInContext) async throws -> Copied {
        let actor = context.actor
        try clusters.authorize(actor)
        let (from, to) = try await request.decode(as: CopyYearForm.self, context: context).years()
        let copied = try await clusters.copyYear(actor, from: from, to: to, request: context.requestInfo(request))
        return Copied(from: from.startYear, to: to.startYear, schools: copied)
    }
}

struct ClusterBody: ResponseEncodable {
    struct MakeUp: Codable, Sendable {
        var schools: Int
        var onRoll: Int
        var senSupport: Int
        var ehcp: Int
        var fsm: Int
        var phases: [String: Int]
        var trusts: [String]
    }

    var id: String
    var name: String
    var localityLeadUserId: String?
    var localityLeadName: String?
    var makeUp: MakeUp

    init(_ cluster: ClusterOverview) {
        id = cluster.id.description
        name = cluster.name
        localityLeadUserId = cluster.leadID?.description
        localityLeadName = cluster.leadName
        let makeUp = cluster.makeUp
        self.makeUp = MakeUp(schools: makeUp.schools, onRoll: makeUp.onRoll, senSupport: makeUp.senSupport, ehcp: makeUp.ehcp, fsm: makeUp.fsm,
                             phases: Dictionary(makeUp.phases.map { ($0.label, $0.count) }, uniquingKeysWith: +), trusts: makeUp.trusts)
    }
}

/// Every cluster the caller may see: a council has a handful, so the list is whole.
struct ClusterListBody: ResponseEncodable {
    var academicYear: Int
    var items: [ClusterBody]
}

struct ClusterDetailBody: ResponseEncodable {
    struct Member: Codable, Sendable {
        var schoolId: String
        var urn: String
        var name: String
        var phase: String
        var census: Int?
        var onRoll: Int?
        var senSupport: Int?
        var ehcp: Int?
        var fsm: Int?
    }

    var academicYear: Int
    var cluster: ClusterBody
    var members: [Member]

    init(_ detail: ClusterDetail) {
        academicYear = detail.year.startYear
        cluster = ClusterBody(detail.overview)
        members = detail.members.map {
            Member(schoolId: $0.schoolID.description, urn: $0.urn, name: $0.name, phase: $0.phase.rawValue, census: $0.census,
                   onRoll: $0.figures.onRoll, senSupport: $0.figures.senSupport, ehcp: $0.figures.ehcp, fsm: $0.figures.fsm)
        }
    }
}
