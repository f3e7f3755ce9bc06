import Foundation
import Domain
import Hummingbird
import Store

/// "Your account": who you are, change your password, see and end your sessions.
struct AccountController {
    let pages: Pages
    let accounts: AccountStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInPages.get("/account", use: show)
        routes.signedInPages.post("/account/password", use: changePassword)
        routes.signedInPages.post("/account/sessions/{sessionId}/end", use: endSession)
    }

    struct AccountPage: Sendable {
        var layout: Layout
        var errors = FormErrors()
        var notice: String?
        var displayName: String
        var roles: [String]
        var sessions: [SessionRow]
    }

    struct SessionRow: Sendable {
        var id: String
        var createdAt: String
        var lastSeenAt: String
        var clientAddress: String
        var kind: String
        var isCurrent: Bool
    }

    @Sendable func show(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        let notice = request.uri.queryParameters["done"].map { $0 == "password" ? "Your password has been changed." : "The session has been ended." }
        return try await render(session, notice: notice)
    }

    struct PasswordForm: Decodable {
        var currentPassword: String?
        var newPassword: String?
    }

    @Sendable func changePassword(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        let form = try await URLEncodedFormDecoder().decode(PasswordForm.self, from: request, context: context)
        do {
            try await accounts.changePassword(
                session, current: form.currentPassword ?? "", new: form.newPassword ?? "", request: context.requestInfo(request)
            )
        } catch DomainError.validation(let issues) {
            return try await render(session, errors: FormErrors(issues), status: .unprocessableContent)
        }
        return HTMLResponses.redirect(to: "/account?done=password")
    }

    @Sendable func endSession(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        let id = try context.parameters.require("sessionId", as: UUID.self)
        try await accounts.endSession(ID(id), of: session, request: context.requestInfo(request))
        return HTMLResponses.redirect(to: "/account?done=session")
    }

    private func render(_ session: Authenticated, errors: FormErrors = FormErrors(), notice: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let sessions = try await accounts.sessions(of: session).map {
            SessionRow(
                id: $0.id.description, createdAt: HTMLResponses.display($0.createdAt), lastSeenAt: HTMLResponses.display($0.lastSeenAt),
                clientAddress: $0.clientAddress ?? "", kind: $0.kind == .api ? "(API)" : "", isCurrent: $0.isCurrent
            )
        }
        let page = AccountPage(
            layout: Layout(title: "Your account", path: "/account", session: session), errors: errors, notice: notice,
            displayName: session.actor.displayName, roles: session.actor.assignments.map(\.role.title), sessions: sessions
        )
        return try pages.render("account", page, status: status)
    }
}
