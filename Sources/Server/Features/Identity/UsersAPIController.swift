import Domain
import Foundation
import HummingbirdCore
import HTTPTypes
import Hummingbird
import Store

/// User administration for systems; the same services, and so the same rules, as the pages.
struct UsersAPIController {
    let users: UserStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInAPI.get("/api/v1/users", use: list)
        routes.signedInAPI.post("/api/v1/users", use: create)
        routes.signedInAPI.get("/api/v1/users/{userId}", use: show)
        routes.signedInAPI.post("/api/v1/users/{userId}/roles", use: assignRole)
        routes.signedInAPI.post("/api/v1/users/{userId}/roles/{assignmentId}/end", use: endRole)
        routes.signedInAPI.post("/api/v1/users/{userId}/deactivate", use: deactivate)
        routes.signedInAPI.post("/api/v1/users/{userId}/reactivate", use: reactivate)
        routes.signedInAPI.post("/api/v1/users/{userId}/password-links", use: passwordLink)
    }

    @Sendable func list(_ request: Request, context: SignedInContext) async throws -> PageBody<UserSummaryBody> {
        let actor = context.actor
        let (number, size) = try PageBody<UserSummaryBody>.requested(request)
        return PageBody(try await users.list(actor, page: number, size: size), map: UserSummaryBody.init)
    }

    struct Created: ResponseEncodable {
        var id: String
    }

    @Sendable func create(_ request: Request, context: SignedInContext) async throws -> EditedResponse<Created> {
        let actor = context.actor
        try users.authorize(actor)
        let body = try await request.decode(as: NewUserForm.self, context: context)
        let id = try await users.create(actor, email: body.email ?? "", displayName: body.displayName ?? "", request: context.requestInfo(request))
        return EditedResponse(status: .created, headers: [.location: "/api/v1/users/\(id)"], response: Created(id: id.description))
    }

    @Sendable func show(_ request: Request, context: SignedInContext) async throws -> UserDetailBody {
        let actor = context.actor
        return UserDetailBody(try await users.detail(actor, try UsersController.userID(context)))
    }

    @Sendable func assignRole(_ request: Request, context: SignedInContext) async throws -> EditedResponse<Created> {
        let actor = context.actor
        let userID = try UsersController.userID(context)
        try users.authorize(actor)
        let grant = try await request.decode(as: RoleForm.self, context: context).grant(today: users.today())
        let id = try await users.assignRole(
            actor, userID: userID, role: grant.role, scope: grant.scope, startsOn: grant.startsOn, request: context.requestInfo(request)
        )
        return EditedResponse(status: .created, response: Created(id: id.description))
    }

    @Sendable func endRole(_ request: Request, context: SignedInContext) async throws -> HTTPResponse.Status {
        let actor = context.actor
        let userID = try UsersController.userID(context)
        let assignment = ID<RoleAssignment>(try context.parameters.require("assignmentId", as: UUID.self))
        try users.authorize(actor)
        let endsOn = try await request.decode(as: EndRoleForm.self, context: context).endDate(today: users.today(), required: true)
        try await users.endRole(actor, userID: userID, assignmentID: assignment, endsOn: endsOn, request: context.requestInfo(request))
        return .noContent
    }

    @Sendable func deactivate(_ request: Request, context: SignedInContext) async throws -> HTTPResponse.Status {
        let actor = context.actor
        try await users.deactivate(actor, userID: try UsersController.userID(context), request: context.requestInfo(request))
        return .noContent
    }

    @Sendable func reactivate(_ request: Request, context: SignedInContext) async throws -> HTTPResponse.Status {
        let actor = context.actor
        try await users.reactivate(actor, userID: try UsersController.userID(context), request: context.requestInfo(request))
        return .noContent
    }

    struct Link: ResponseEncodable {
        var userId: ID<User>
        var token: String
        var path: String
        var expiresAt: Date
    }

    @Sendable func passwordLink(_ request: Request, context: SignedInContext) async throws -> EditedResponse<Link> {
        let actor = context.actor
        let link = try await users.issuePasswordLink(actor, userID: try UsersController.userID(context), request: context.requestInfo(request))
        return EditedResponse(
            status: .created, headers: [.cacheControl: "no-store"],
            response: Link(userId: link.userId, token: link.token, path: "/set-password?token=" + link.token, expiresAt: link.expiresAt)
        )
    }
}

