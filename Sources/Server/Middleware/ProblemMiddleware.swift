import Domain
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import Store

/// Catches every error once: maps it to a problem document for API clients or an error page for people,
/// logs the unexpected at error level with the request id, and never shows a user what the error said.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let pages: Pages
    let routes: RouteBook
    /// Error pages show the signed-in header, and denials are audited with their actor; this middleware runs before
    /// authentication, so it looks the session up itself when it needs it.
    let accounts: AccountStore?
    let audit: AuditStore?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var problem = Problem.from(error)
            var headers: HTTPFields = [:]
            if problem.status == 404 {
                // The path exists with other methods only: that is 405 with Allow, not 404.
                let allowed = routes.methods(matching: request.uri.path)
                if !allowed.isEmpty, !allowed.contains(request.method) {
                    problem = Problem.from(status: .methodNotAllowed, detail: nil)
                    headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
                }
            }
            if let seconds = problem.retryAfterSeconds { headers[.retryAfter] = String(seconds) }
            if problem.status == 401, Self.wantsJSON(request) { headers[.wwwAuthenticate] = #"Bearer realm="clusterfund""# }
            problem.instance = request.uri.path
            problem.requestId = context.id
            var session = context.identity
            if session == nil, problem.status < 500, let token = request.headers.bearer?.token ?? request.cookies[AuthenticationMiddleware.sessionCookie]?.value {
                session = try? await accounts?.authenticate(token: token)
            }
            if problem.status == 403 {
                let info = RequestInfo(requestID: context.id, clientAddress: context.clientAddress, userAgent: request.headers[.userAgent])
                do {
                    try await audit?.recordDenial(
                        actor: session?.actor.userID, method: request.method.rawValue, path: request.uri.path, reason: problem.detail, request: info
                    )
                } catch {
                    context.logger.error("could not audit a denial", metadata: ["error.type": "\(type(of: error))"])
                }
            }
            if problem.status >= 500 {
                // Only the error's type, and a store error's schema-level summary: an error's own text may quote
                // the values it choked on, and logs must never hold a pupil's details.
                var metadata: Logger.Metadata = ["error.type": "\(type(of: error))", "http.status": "\(problem.status)"]
                if let error = error as? StoreError { metadata["error.summary"] = "\(error)" }
                context.logger.error("request failed", metadata: metadata)
            }
            if Self.wantsJSON(request) {
                return problem.jsonResponse(headers: headers)
            }
            if problem.status == 401 {
                // A person who is not signed in is sent to sign in, not shown an error.
                return Response(status: .seeOther, headers: [.location: "/sign-in"])
            }
            var response = pages.errorPage(problem, session: session)
            response.headers.append(contentsOf: headers)
            return response
        }
    }

    /// True for paths people read in a browser; false for the API and the machine endpoints.
    static func isPage(_ path: String) -> Bool {
        !(path.hasPrefix("/api/") || ["/health", "/ready", "/metrics", "/openapi.json"].contains(path))
    }

    /// API paths and machine endpoints answer in JSON; everything else is a page for a person.
    static func wantsJSON(_ request: Request) -> Bool {
        if !isPage(request.uri.path) { return true }
        let accept = request.headers[.accept] ?? ""
        return accept.contains("json") && !accept.contains("text/html")
    }
}
