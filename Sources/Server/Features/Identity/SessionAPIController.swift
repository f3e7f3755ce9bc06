import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// `POST /api/v1/session` (bearer tokens for systems), `DELETE /api/v1/session`, and `GET /api/v1/me`.
struct SessionAPIController {
    let accounts: AccountStore

    func addRoutes(to routes: RouteTable) {
        routes.api.post("/api/v1/session", use: create)
        routes.signedInAPI.delete("/api/v1/session", use: delete)
        routes.signedInAPI.get("/api/v1/me", use: me)
    }

    struct Credentials: Decodable {
        var email: String
        var password: String
        var otp: String?
    }

    struct Token: ResponseEncodable {
        var token: String
        var tokenType = "Bearer"
        var expiresAt: Date
        var user: Me
    }

    struct Me: ResponseEncodable {
        var id: ID<User>
        var displayName: String
        var roles: [RoleAssignment]
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Token> {
        let credentials = try await request.decode(as: Credentials.self, context: context)
        let outcome = try await accounts.signIn(
            email: credentials.email, password: credentials.password, otp: credentials.otp, kind: .api, request: context.requestInfo(request)
        )
        // An API sign-in either completes or throws; the browser's second step never applies to it.
        guard case .signedIn(let signedIn) = outcome else {
            throw DomainError.secondFactorRequired("Send the 6-digit code from the authenticator app in the field otp.")
        }
        let actor = signedIn.session.actor
        return EditedResponse(
            status: .created, headers: [.cacheControl: "no-store"],
            response: Token(token: signedIn.token, expiresAt: signedIn.expiresAt, user: Me(id: actor.userID, displayName: actor.displayName, roles: actor.assignments))
        )
    }

    @Sendable func delete(_ request: Request, context: SignedInContext) async throws -> HTTPResponse.Status {
        let session = context.session
        try await accounts.signOut(session, request: context.requestInfo(request))
        return .noContent
    }

    @Sendable func me(_ request: Request, context: SignedInContext) async throws -> Me {
        let actor = context.actor
        return Me(id: actor.userID, displayName: actor.displayName, roles: actor.assignments)
    }
}
