import Domain
import Foundation
import Hummingbird
import Store

/// Sign in, sign out, and set a password from a link.
struct SignInController {
    let pages: Pages
    let accounts: AccountStore
    let cookies: CookieNames

    func addRoutes(to routes: RouteTable) {
        routes.pages.get("/sign-in", use: signInPage)
        routes.pages.post("/sign-in", use: signIn)
        routes.pages.get("/sign-in/code", use: codePage)
        routes.pages.post("/sign-in/code", use: enterCode)
        routes.pages.post("/sign-out", use: signOut)
        routes.pages.get("/set-password", use: setPasswordPage)
        routes.pages.post("/set-password", use: setPassword)
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
            let outcome = try await accounts.signIn(
                email: email, password: form.password ?? "", kind: .browser, request: context.requestInfo(request),
                deviceCookie: cookies.deviceToken(in: request)
            )
            switch outcome {
            case .signedIn(let signedIn):
                return signedInResponse(signedIn, then: "/")
            case .needsCode(let challenge), .needsEnrolment(let challenge):
                var response = HTMLResponses.redirect(to: "/sign-in/code")
                response.setCookie(HTMLResponses.challengeCookie(challenge, secure: cookies.secure))
                return response
            }
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

    /// A new secret at every sign-in: a cookie planted before sign-in is never the session's.
    func signedInResponse(_ signedIn: SignedIn, then location: String) -> Response {
        var response = HTMLResponses.redirect(to: location)
        setSignedInCookies(signedIn, on: &response)
        return response
    }

    /// The session cookie, a fresh device cookie (when the server signs them), and the half-done sign-in cleared.
    func setSignedInCookies(_ signedIn: SignedIn, on response: inout Response) {
        response.setCookie(HTMLResponses.sessionCookie(signedIn.token, names: cookies))
        if let device = signedIn.deviceCookie { response.setCookie(HTMLResponses.deviceCookie(device, names: cookies)) }
        response.setCookie(HTMLResponses.expiredChallengeCookie(secure: cookies.secure))
    }

    struct CodePage: Sendable {
        var layout: Layout
        var errors = FormErrors()
        var enrolling: Bool
        var secret: String?
        var qrSVG: String?
        var csrfToken: String
    }

    struct CodeForm: Decodable {
        var code: String?
    }

    @Sendable func codePage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let view = try await pendingChallenge(request) else { return HTMLResponses.redirect(to: "/sign-in") }
        return try renderCodePage(codePage(view), request: request)
    }

    @Sendable func enterCode(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await URLEncodedFormDecoder().decode(CodeForm.self, from: request, context: context)
        guard let token = request.cookies[HTMLResponses.challengeCookieName]?.value, let view = try await accounts.challenge(token) else {
            return HTMLResponses.redirect(to: "/sign-in")
        }
        do {
            let completed = try await accounts.completeSignIn(challenge: token, code: form.code ?? "", request: context.requestInfo(request))
            guard !completed.recoveryCodes.isEmpty else { return signedInResponse(completed.signedIn, then: "/") }
            // Shown on this response only: the codes are stored as hashes and can never be shown again.
            var response = try pages.render(
                "recovery-codes",
                RecoveryCodesPage(layout: Layout(title: "Your recovery codes", session: completed.signedIn.session), codes: completed.recoveryCodes)
            )
            response.headers[.cacheControl] = "no-store"
            setSignedInCookies(completed.signedIn, on: &response)
            return response
        } catch is SignInTimedOut {
            return HTMLResponses.redirect(to: "/sign-in")
        } catch let error as DomainError {
            var status = HTTPResponse.Status.unauthorized
            switch error {
            case .unauthenticated: break
            case .throttled: status = .tooManyRequests
            default: throw error
            }
            var page = codePage(view)
            page.errors = FormErrors([.init(pointer: "/code", detail: Problem.from(error).detail)])
            return try renderCodePage(page, request: request, status: status)
        }
    }

    /// The code page may show the authenticator secret and its QR code: never kept by a browser or a proxy.
    private func renderCodePage(_ page: CodePage, request: Request, status: HTTPResponse.Status = .ok) throws -> Response {
        var response = try render("sign-in-code", page, request: request, status: status)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    private func pendingChallenge(_ request: Request) async throws -> ChallengeView? {
        guard let token = request.cookies[HTMLResponses.challengeCookieName]?.value else { return nil }
        return try await accounts.challenge(token)
    }

    private func codePage(_ view: ChallengeView) -> CodePage {
        CodePage(
            layout: Layout(title: view.enrolling ? "Set up two-step sign-in" : "Enter your code", path: "/sign-in"),
            enrolling: view.enrolling, secret: view.secret.map(Self.grouped),
            qrSVG: view.provisioningURI.flatMap { try? QRCode(encoding: $0).svg(moduleSize: 5, title: "QR code for your authenticator app") },
            csrfToken: ""
        )
    }

    /// A base32 secret in groups of four, easier to type into an app by hand.
    static func grouped(_ secret: String) -> String {
        stride(from: 0, to: secret.count, by: 4).map { start in
            let from = secret.index(secret.startIndex, offsetBy: start)
            return String(secret[from..<(secret.index(from, offsetBy: 4, limitedBy: secret.endIndex) ?? secret.endIndex)])
        }.joined(separator: " ")
    }

    struct RecoveryCodesPage: Sendable {
        var layout: Layout
        var codes: [String]
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let session = context.identity {
            try await accounts.signOut(session, request: context.requestInfo(request))
        }
        var response = HTMLResponses.redirect(to: "/sign-in")
        for cookie in HTMLResponses.expiredSessionCookies(names: cookies) { response.setCookie(cookie) }
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
        for cookie in HTMLResponses.expiredSessionCookies(names: cookies) { response.setCookie(cookie) }
        return response
    }

    /// Renders a pre-sign-in form with the double-submit CSRF token: the browser's cookie if it has one, else a new one.
    private func render<Model: AnonymousForm>(_ template: String, _ model: Model, request: Request, status: HTTPResponse.Status = .ok) throws -> Response {
        var model = model
        let existing = cookies.anonymousCSRFToken(in: request)
        let token = existing.flatMap { $0.count == 43 ? $0 : nil } ?? SecretToken.generate()
        model.csrfToken = token
        var response = try pages.render(template, model, status: status)
        if existing != token { response.setCookie(HTMLResponses.anonymousCSRFCookie(token, names: cookies)) }
        return response
    }
}

/// A form shown before sign-in, which carries the double-submit CSRF token.
protocol AnonymousForm: Sendable {
    var csrfToken: String { get set }
}

extension SignInController.SignInPage: AnonymousForm {}
extension SignInController.SetPasswordPage: AnonymousForm {}
extension SignInController.CodePage: AnonymousForm {}

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
