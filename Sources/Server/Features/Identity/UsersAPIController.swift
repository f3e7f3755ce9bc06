import Domain
import Foundation
import HummingbirdCore
import HTTPTypes
import Hummingbird
import Store

/// User administration for systems; the same services, and so the same rules, as the pages.
struct UsersAPIController {
    let users: UserStore

    func addRoutes(to routes: Routes) {
        routes.get("/api/v1/users", use: list)
        routes.post("/api/v1/users", use: create)
        routes.get("/api/v1/users/{userId}", use: show)
        routes.post("/api/v1/users/{userId}/roles", use: assignRole)
        routes.post("/api/v1/users/{userId}/roles/{assignmentId}/end", use: endRole)
        routes.post("/api/v1/users/{userId}/deactivate", use: deactivate)
        routes.post("/api/v1/users/{userId}/reactivate", use: reactivate)
        routes.post("/api/v1/users/{userId}/password-links", use: passwordLink)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> PageBody<UserSummary> {
        let actor = try context.requireSession().actor
        let (number, size) = try PageBody<UserSummary>.requested(request)
        return PageBody(try await users.list(actor, page: number, size: size))
    }

    struct NewUser: Decodable {
        var email: String
        var displayName: String
    }

    struct Created: ResponseEncodable {
        var id: String
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Created> {
        let actor = try context.requireSession().actor
        try users.authorize(actor)
        let body = try await request.decode(as: NewUser.self, context: context)
        let id = try await users.create(actor, email: body.email, displayName: body.displayName, request: context.requestInfo(request))
        return EditedResponse(status: .created, headers: [.location: "/api/v1/users/\(id)"], response: Created(id: id.description))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> UserDetail {
        let actor = try context.requireSession().actor
        return try await users.detail(actor, try UsersController.userID(context))
    }

    struct NewRole: Decodable {
        var role: String
        var schoolId: String?
        var clusterId: String?
        var startsOn: String
    }

    @Sendable func assignRole(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Created> {
        let actor = try context.requireSession().actor
        let userID = try UsersController.userID(context)
        try users.authorize(actor)
        let body = try await request.decode(as: NewRole.self, context: context)
        let (role, scope, startsOn) = try UsersController.parse(.init(role: body.role, schoolId: body.schoolId, clusterId: body.clusterId, startsOn: body.startsOn))
        let id = try await users.assignRole(actor, userID: userID, role: role, scope: scope, startsOn: startsOn, request: context.requestInfo(request))
        return EditedResponse(status: .created, response: Created(id: id.description))
    }

    struct EndRole: Decodable {
        var endsOn: String
    }

    @Sendable func endRole(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let actor = try context.requireSession().actor
        let userID = try UsersController.userID(context)
        let assignment = ID<RoleAssignment>(try context.parameters.require("assignmentId", as: UUID.self))
        try users.authorize(actor)
        let body = try await request.decode(as: EndRole.self, context: context)
        guard let endsOn = CalendarDate(iso: body.endsOn) else {
            throw DomainError.validation([.init(pointer: "/endsOn", detail: "Enter a real date as YYYY-MM-DD.")])
        }
        try await users.endRole(actor, userID: userID, assignmentID: assignment, endsOn: endsOn, request: context.requestInfo(request))
        return .noContent
    }

    @Sendable func deactivate(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let actor = try context.requireSession().actor
        try await users.deactivate(actor, userID: try UsersController.userID(context), request: context.requestInfo(request))
        return .noContent
    }

    @Sendable func reactivate(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let actor = try context.requireSession().actor
        try await users.reactivate(actor, userID: try UsersController.userID(context), request: context.requestInfo(request))
        return .noContent
    }

    struct Link: ResponseEncodable {
        var userId: ID<User>
        var token: String
        var path: String
        var expiresAt: Date
    }

    @Sendable func passwordLink(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Link> {
        let actor = try context.requireSession().actor
        let link = try await users.issuePasswordLink(actor, userID: try UsersController.userID(context), request: context.requestInfo(request))
        return EditedResponse(
            status: .created, headers: [.cacheControl: "no-store"],
            response: Link(userId: link.userId, token: link.token, path: "/set-password?token=" + link.token, expiresAt: link.expiresAt)
        )
    }
}

extension UserDetail: ResponseEncodable {}

/// A page of a list as JSON: `{"items": […], "page": 1, "pageSize": 50, "total": 123}`.
struct PageBody<Item: Encodable & Sendable>: ResponseEncodable {
    var items: [Item]
    var page: Int
    var pageSize: Int
    var total: Int

    init(_ page: Page<Item>) {
        items = page.items
        self.page = page.number
        pageSize = page.size
        total = page.total
    }

    /// `page` and `pageSize` from the query; a value that is not a positive number is a 422, not a guess.
    static func requested(_ request: Request) throws(DomainError) -> (Int?, Int?) {
        var issues: [DomainError.FieldIssue] = []
        func read(_ name: String, max: Int) -> Int? {
            guard let text = request.uri.queryParameters[Substring(name)] else { return nil }
            guard let value = Int(String(text)), value >= 1, value <= max else {
                issues.append(.init(pointer: "/\(name)", detail: "\(name) must be a whole number from 1 to \(max)."))
                return nil
            }
            return value
        }
        let number = read("page", max: 1_000_000)
        let size = read("pageSize", max: 200)
        if !issues.isEmpty { throw .validation(issues) }
        return (number, size)
    }
}
