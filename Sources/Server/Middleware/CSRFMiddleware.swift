import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Store

/// Refuses unsafe requests that ride on a cookie without proof they came from our own pages.
/// - Signed in by cookie: the form field `csrf_token` (or header `X-CSRF-Token`, or for a file upload the query's
///   `csrf_token`) must equal the session's token.
/// - Pages, not signed in, posting a form (sign-in, set password): the field must equal the `cf_csrf` cookie
///   (`__Host-cf_csrf` when Secure; double submit).
/// - Bearer tokens are exempt, and so are API calls without a session cookie: they carry no ambient credential for
///   another site to borrow, and `POST /api/v1/session` answers with a token in the body, never a cookie.
///
/// It sits on the page and API route groups, so it runs only for requests a route will answer.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    /// Which routes it guards: pages also protect anonymous form posts; the API only cookie sessions.
    enum Guarded: Sendable { case pages, api }
    let guarded: Guarded
    let cookies: CookieNames

    static let field = "csrf_token"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard ![.get, .head, .options].contains(request.method), request.headers.bearer == nil else {
            return try await next(request, context)
        }
        var request = request
        let expected: String?
        if let session = context.identity, context.viaCookie {
            expected = session.csrfToken
        } else if guarded == .pages, Self.isFormSubmission(request) {
            expected = cookies.anonymousCSRFToken(in: request)
        } else {
            return try await next(request, context)
        }
        let offered = try await Self.offeredToken(&request, context: context)
        guard let expected, let offered, SecretToken.equal(expected, offered) else { throw CSRFRefusal() }
        return try await next(request, context)
    }

    /// Content a cross-site HTML form can send without a preflight.
    static func isFormSubmission(_ request: Request) -> Bool {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        return type.isEmpty || type.hasPrefix("application/x-www-form-urlencoded") || type.hasPrefix("multipart/form-data")
            || type.hasPrefix("text/plain")
    }

    /// The token from the header, or from the url-encoded body (the body stays readable for the handler).
    static func offeredToken(_ request: inout Request, context: Context) async throws -> String? {
        if let header = request.headers[.csrfToken] { return header }
        // A file upload streams its body to the handler, so its form carries the token in its action's query
        // (`/schools/import?csrf_token=…`): the same page that holds the token writes it there, and the
        // same-origin referrer policy keeps it from other sites.
        if request.headers[.contentType]?.lowercased().hasPrefix("multipart/form-data") == true {
            return request.uri.queryParameters[Substring(field)].map(String.init)
        }
        guard request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true else { return nil }
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let text = String(buffer: body)
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2, parts[0] == field {
                return parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }
        }
        return nil
    }
}

/// A form without its CSRF token: answered 403, and audited (for signed-in people) with a fixed summary, never with
/// anything the request said.
struct CSRFRefusal: Error {
    static let detail = "This form has expired or did not come from Clusterfund. Go back, reload the page and try again."
    /// What the audit trail records as the reason.
    static let summary = "The form did not carry its CSRF token."
}

extension HTTPField.Name {
    static let csrfToken = Self("X-CSRF-Token") ?? .via
}
