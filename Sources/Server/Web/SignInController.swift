import Domain
import Foundation
import Hummingbird
import Store

/// Sign in, sign out, and set a password from a link.
struct SignInController {
    let pages: Pages
    let accounts: AccountStore
    let cookieSecure: Bool
    let sessionMaxAge: Int

    func addRoutes(to routes: Routes) {
        routes.get("/sign-in", use: signInPage)
        routes.post("/sign-in", use: signIn)
        routes.post("/sign-out", use: signOut)
        routes.get("/set-password", use: setPasswordPage)
        routes.post("/set-password", use: setPassword)
    }

    struct SignInPage: Sendable {
        var layout: Layout
        var errors = FormErrors()
        var email = ""
        var csrfToken: String
    }

    struct SignInForm: Decodable {
        var email: String?
        var password: String?
    }

    @Sendable func signInPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        if context.identity != nil { return HTMLResponses.redirect(to: "/") }
        return try render("sign-in", SignInPage(layout: Layout(title: "Sign in", path: "/sign-in"), csrfToken: ""), request: request)
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await URLEncodedFormDecoder().decode(SignInForm.self, from: request, context: context)
        let email = form.email ?? ""
        do {
            let signedIn = try await accounts.signIn(email: email, password: form.password ?? "", kind: .browser, request: context.requestInfo(request))
            var response = HTMLResponses.redirect(to: "/")
            // A new secret at every sign-in: a cookie planted before sign-in is never the session's.
            response.setCookie(HTMLResponses.sessionCookie(signedIn.token, secure: cookieSecure, maxAge: sessionMaxAge))
            return response
        } catch let error as DomainError {
            let message: String
            var status = HTTPResponse.Status.unauthorized
            var retryAfter: String?
            switch error {
            case .throttled(let seconds):
                message = Problem.from(error).detail
                status = .tooManyRequests
                retryAfter = String(seconds)
            case .unauthenticated(let detail): message = detail
            default: throw error
            }
            var page = SignInPage(layout: Layout(title: "Sign in", path: "/sign-in"), csrfToken: "")
            page.errors = FormErrors([.init(pointer: "/email", detail: message)])
            page.email = email
            var response = try render("sign-in", page, request: request, status: status)
            if let retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        }
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let session = context.identity {
            try await accounts.signOut(session, request: context.requestInfo(request))
        }
        var response = HTMLResponses.redirect(to: "/sign-in")
        response.setCookie(HTMLResponses.expiredSessionCookie(secure: cookieSecure))
        return response
    }

    struct SetPasswordPage: Sendable {
        var layout: Layout
        var errors = FormErrors()
        var usable: Bool
        var token: String
        var csrfToken: String
    }

    struct SetPasswordForm: Decodable {
        var token: String?
        var password: String?
    }

    @Sendable func setPasswordPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        let usable = try await accounts.passwordLinkIsUsable(token)
        let page = SetPasswordPage(layout: Layout(title: "Set your password"), usable: usable, token: token, csrfToken: "")
        return try render("set-password", page, request: request, status: usable ? .ok : .notFound)
    }

    @Sendable func setPassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await URLEncodedFormDecoder().decode(SetPasswordForm.self, from: request, context: context)
        let token = form.token ?? ""
        do {
            try await accounts.setPassword(token: token, newPassword: form.password ?? "", request: context.requestInfo(request))
        } catch DomainError.validation(let issues) {
            var page = SetPasswordPage(layout: Layout(title: "Set your password"), usable: true, token: token, csrfToken: "")
            page.errors = FormErrors(issues)
            return try render("set-password", page, request: request, status: .unprocessableContent)
        } catch DomainError.notFound {
            let page = SetPasswordPage(layout: Layout(title: "Set your password"), usable: false, token: "", csrfToken: "")
            return try render("set-password", page, request: request, status: .notFound)
        }
        var response = try pages.render(
            "message",
            MessagePage(
                layout: Layout(title: "Password set"), heading: "Your password is set",
                body: "You can now sign in with your email address and new password.", link: .init(href: "/sign-in", text: "Sign in")
            )
        )
        response.setCookie(HTMLResponses.expiredSessionCookie(secure: cookieSecure))
        return response
    }

    /// Renders a pre-sign-in form with the double-submit CSRF token: the browser's cookie if it has one, else a new one.
    private func render<Model: AnonymousForm>(_ template: String, _ model: Model, request: Request, status: HTTPResponse.Status = .ok) throws -> Response {
        var model = model
        let existing = request.cookies[CSRFMiddleware.anonymousCookie]?.value
        let token = existing.flatMap { $0.count == 43 ? $0 : nil } ?? SecretToken.generate()
        model.csrfToken = token
        var response = try pages.render(template, model, status: status)
        if existing != token { response.setCookie(HTMLResponses.anonymousCSRFCookie(token, secure: cookieSecure)) }
        return response
    }
}

/// A form shown before sign-in, which carries the double-submit CSRF token.
protocol AnonymousForm: Sendable {
    var csrfToken: String { get set }
}

extension SignInController.SignInPage: AnonymousForm {}
extension SignInController.SetPasswordPage: AnonymousForm {}

/// A short page that says one thing and offers one link.
struct MessagePage: Sendable {
    var layout: Layout
    var heading: String
    var body: String
    var link: Link?

    struct Link: Sendable {
        var href: String
        var text: String
    }
}
