import Domain
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import Store

/// Catches every error once: maps it to a problem document for API clients or an error page for people,
/// logs the unexpected at error level with the request id, and never shows a user what the error said.
///
/// Each route group has its own, so a group decides how it answers: the API and machine endpoints in JSON, the pages
/// as pages. The router-wide one sees only what no route answered (404, 405) and errors of router-wide middleware.
struct ProblemMiddleware<Context: ClusterfundRequestContext>: RouterMiddleware {
    /// How this group answers errors.
    enum Style: Sendable {
        /// Problem documents, always.
        case json
        /// Error pages, unless the client asks for JSON and not HTML; 401 sends a person to sign in.
        case page
        /// For requests no route answered: JSON under `/api/` and for the machine endpoints, else as a page.
        case byPath
    }

    let style: Style
    let pages: Pages
    let routes: RouteBook
    /// Denials of signed-in people are audited with their actor.
    let audit: AuditStore?
    /// The session, for the error page's header and the audit trail: read from what authentication recorded.
    let session: @Sendable (Context) -> Authenticated?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return await answer(error, request: request, context: context)
        }
    }

    func answer(_ error: any Error, request: Request, context: Context) async -> Response {
        var problem = Problem.from(error)
        // Headers an HTTPError carries on purpose (Allow on a 405) go out with the problem.
        var headers: HTTPFields = (error as? HTTPError)?.headers ?? [:]
        if problem.status == 404 {
            // The path exists with other methods only: that is 405 with Allow, not 404.
            let allowed = routes.methods(matching: request.uri.path)
            if !allowed.isEmpty, !allowed.contains(request.method) {
                problem = Problem.from(status: .methodNotAllowed, detail: nil)
                headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
            }
        }
        if let seconds = problem.retryAfterSeconds { headers[.retryAfter] = String(seconds) }
        let json = wantsJSON(request)
        if problem.status == 401, json { headers[.wwwAuthenticate] = #"Bearer realm="clusterfund""# }
        problem.instance = request.uri.path
        problem.requestId = context.id
        let session = session(context)
        // Denials of signed-in people only, under the route's pattern and a sentence of ours: anyone may send any path
        // and any form, and what they send must not become rows of the permanent trail.
        if problem.status == 403, let session {
            do {
                try await audit?.recordDenial(
                    actor: session.actor.userID, method: request.method.rawValue, route: context.endpointPath ?? "unmatched",
                    reason: error is CSRFRefusal ? CSRFRefusal.summary : problem.detail, request: context.requestInfo(request)
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
        if json { return problem.jsonResponse(headers: headers) }
        if problem.status == 401 {
            // A person who is not signed in is sent to sign in, not shown an error.
            return Response(status: .seeOther, headers: [.location: "/sign-in"])
        }
        var response = pages.errorPage(problem, session: session)
        response.headers.append(contentsOf: headers)
        return response
    }

    func wantsJSON(_ request: Request) -> Bool {
        switch style {
        case .json: return true
        case .page: return Self.asksForJSON(request)
        case .byPath: return Self.isMachinePath(request.uri.path) || Self.asksForJSON(request)
        }
    }

    /// A client that asks for JSON and not for HTML.
    static func asksForJSON(_ request: Request) -> Bool {
        let accept = request.headers[.accept] ?? ""
        return accept.contains("json") && !accept.contains("text/html")
    }

    /// Paths that no route answered but that belong to the API or the machine endpoints.
    static func isMachinePath(_ path: String) -> Bool {
        path.hasPrefix("/api/") || ["/health", "/ready", "/metrics", "/openapi.json"].contains(path)
    }
}
