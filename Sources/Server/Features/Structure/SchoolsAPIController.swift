import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// Schools, trusts and the school import for systems; the same services, and so the same rules, as the pages.
struct SchoolsAPIController {
    let schools: SchoolStore
    let imports: SchoolImportStore

    /// The import alone accepts a body this large (England's whole GIAS extract is about 60 MB); every other route
    /// keeps the default limit.
    static let importLimit = 100 * 1024 * 1024

    func addRoutes(to routes: RouteTable) {
        routes.signedInAPI.get("/api/v1/schools", use: list)
        routes.signedInAPI.post("/api/v1/schools", use: create)
        routes.signedInAPI.post("/api/v1/schools/import", use: importFile)
        routes.signedInAPI.get("/api/v1/schools/{schoolId}", use: show)
        routes.signedInAPI.patch("/api/v1/schools/{schoolId}", use: change)
        routes.signedInAPI.post("/api/v1/schools/{schoolId}/close", use: close)
        routes.signedInAPI.post("/api/v1/schools/{schoolId}/reopen", use: reopen)
        routes.signedInAPI.get("/api/v1/trusts", use: trusts)
    }

    static func schoolID(_ context: some RequestContext) throws -> ID<School> {
        guard let text = context.parameters.get("schoolId"), let id = ID<School>(text) else {
            throw DomainError.notFound("There is no such school.")
        }
        return id
    }

    @Sendable func list(_ request: Request, context: SignedInContext) async throws -> PageBody<SchoolBody> {
        let query = try SchoolListQuery(request, today: schools.today(), emptyIsAbsent: false)
        let (number, size) = try PageBody<SchoolBody>.requested(request)
        return PageBody(try await schools.list(context.actor, filter: query.filter, page: number, size: size), map: SchoolBody.init)
    }

    @Sendable func show(_ request: Request, context: SignedInContext) async throws -> SchoolDetailBody {
        SchoolDetailBody(try await schools.school(context.actor, try Self.schoolID(context)))
    }

    struct Created: ResponseEncodable {
        var id: String
    }

    @Sendable func create(_ request: Request, context: SignedInContext) async throws -> EditedResponse<Created> {
        let actor = context.actor
        try schools.authorize(actor)
        let details = try await request.decode(as: SchoolForm.self, context: context).details()
        let id = try await schools.create(actor, details, request: context.requestInfo(request))
        return EditedResponse(status: .created, headers: [.location: "/api/v1/schools/\(id)"], response: Created(id: id.description))
    }

    @Sendable func change(_ request: Request, context: SignedInContext) async throws -> SchoolDetailBody {
        let actor = context.actor
        try schools.authorize(actor)
        let id = try Self.schoolID(context)
        let sent = try await request.decode(as: SchoolForm.self, context: context)
        let current = try await schools.school(actor, id)
        try await schools.update(actor, id, try sent.over(SchoolForm(current.item)).details(), request: context.requestInfo(request))
        return SchoolDetailBody(try await schools.school(actor, id))
    }

    @Sendable func close(_ request: Request, context: SignedInContext) async throws -> HTTPResponse.Status {
        try await schools.setStatus(context.actor, try Self.schoolID(context), .closed, request: context.requestInfo(request))
        return .noContent
    }

    @Sendable func reopen(_ request: Request, context: SignedInContext) async throws -> HTTPResponse.Status {
        try await schools.setStatus(context.actor, try Self.schoolID(context), .open, request: context.requestInfo(request))
        return .noContent
    }

    @Sendable func trusts(_ request: Request, context: SignedInContext) async throws -> PageBody<TrustBody> {
        let (number, size) = try PageBody<TrustBody>.requested(request)
        return PageBody(try await schools.trusts(context.actor, page: number, size: size), map: TrustBody.init)
    }

    /// `POST /api/v1/schools/import?kind=gias|sen&census=2026&dryRun=true` with the file as `text/csv`. The body is
    /// read as it arrives, keeping only the columns (and, for GIAS, the council's rows) the import needs.
    @Sendable func importFile(_ request: Request, context: SignedInContext) async throws -> SchoolImportReport {
        let actor = context.actor
        try imports.authorize(actor)
        let options = try ImportOptions(request, today: schools.today())
        guard let type = request.headers[.contentType]?.lowercased(), type.hasPrefix("text/csv") else {
            throw HTTPError(.unsupportedMediaType, message: "Send the file as text/csv.")
        }
        // Without the council's LA code every GIAS row counts as another authority's; the file is still read, so a
        // file that is not a GIAS extract at all is refused for what it is (422) before the missing code (409).
        let laCode = options.kind == .gias ? try? await imports.laCode(actor) : ""
        var reader = SchoolFileReader(kind: options.kind, laCode: laCode ?? "")
        for try await buffer in request.body {
            guard reader.byteCount + buffer.readableBytes <= Self.importLimit else {
                throw HTTPError(.contentTooLarge, message: "A school file may be at most 100 MB.")
            }
            buffer.withUnsafeReadableBytes { reader.consume($0) }
        }
        let file = reader.finish()
        if laCode == nil && file.problems.isEmpty { _ = try await imports.laCode(actor) }
        return try await imports.apply(actor, file, census: options.census, dryRun: options.dryRun, request: context.requestInfo(request))
    }
}

/// The import's query: which file, for which census, and whether to change anything.
struct ImportOptions: Sendable {
    var kind: SchoolFileKind
    var census: Int
    var dryRun: Bool

    init(_ request: Request, today: CalendarDate) throws(DomainError) {
        let query = request.uri.queryParameters
        var issues: [DomainError.FieldIssue] = []
        let kind = query["kind"].map { SchoolFileKind(rawValue: String($0)) } ?? .gias
        if kind == nil { issues.append(.init(pointer: "/kind", detail: "Choose the kind of file: gias or sen.")) }
        let census = query["census"].map { Int(String($0)).flatMap { Census.years.contains($0) ? $0 : nil } } ?? Census.latest(before: today)
        if census == nil { issues.append(.init(pointer: "/census", detail: "Name the census by the year of its January, from 2000 to 2100.")) }
        let dryRun = query["dryRun"].map { ["true": true, "false": false][String($0)] } ?? false
        if dryRun == nil { issues.append(.init(pointer: "/dryRun", detail: "Say dryRun=true or dryRun=false.")) }
        guard issues.isEmpty, let kind, let census, let dryRun else { throw .validation(issues) }
        (self.kind, self.census, self.dryRun) = (kind, census, dryRun)
    }
}

extension SchoolImportReport: ResponseEncodable {}

struct SchoolBody: ResponseEncodable {
    var id: String
    var urn: String
    var name: String
    var phase: String
    var type: String
    var status: String
    var trustCode: String?
    var trustName: String?
    var clusterId: String?
    var clusterName: String?

    init(_ item: SchoolListItem) {
        id = item.id.description
        (urn, name, phase, type, status) = (item.urn, item.name, item.phase.rawValue, item.type.rawValue, item.status.rawValue)
        (trustCode, trustName) = (item.trustCode, item.trustName)
        (clusterId, clusterName) = (item.clusterID?.description, item.clusterName)
    }
}

struct SchoolDetailBody: ResponseEncodable {
    struct CensusBody: Codable, Sendable {
        var census: Int
        var onRoll: Int?
        var senSupport: Int?
        var ehcp: Int?
        var fsm: Int?
    }

    struct MembershipBody: Codable, Sendable {
        var academicYear: Int
        var clusterId: String
        var clusterName: String
    }

    var school: SchoolBody
    var censuses: [CensusBody]
    var memberships: [MembershipBody]

    init(_ record: SchoolRecord) {
        school = SchoolBody(record.item)
        censuses = record.censuses.map {
            CensusBody(census: $0.year, onRoll: $0.figures.onRoll, senSupport: $0.figures.senSupport, ehcp: $0.figures.ehcp, fsm: $0.figures.fsm)
        }
        memberships = record.memberships.map { MembershipBody(academicYear: $0.academicYear, clusterId: $0.clusterID.description, clusterName: $0.clusterName) }
    }
}

struct TrustBody: ResponseEncodable {
    var code: String
    var name: String
    var schools: Int

    init(_ trust: Trust) { (code, name, schools) = (trust.code, trust.name, trust.schools) }
}
