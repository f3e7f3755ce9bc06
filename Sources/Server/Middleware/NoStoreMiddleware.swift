import HTTPTypes
import Hummingbird

/// Marks every response to a signed-in request `Cache-Control: no-store`, so no browser, proxy or shared school
/// computer keeps a copy of what a signed-in person saw (the users list, the audit trail, their sessions, API answers).
/// It sits on the page and API groups, so the signed-in groups inside them are covered whatever a handler sets.
struct NoStoreMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if context.identity != nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}
