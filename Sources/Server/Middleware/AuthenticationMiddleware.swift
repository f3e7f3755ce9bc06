import Hummingbird
import HummingbirdAuth
import Domain
import Store

/// Finds the session a request carries (`Authorization: Bearer …` or the session cookie, `CookieNames`) and records what it
/// found on the context. It never throws: a route that needs a session refuses through `SignedInContext`, and error
/// pages read the outcome instead of authenticating again. What the actor may do is decided by the services.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let accounts: AccountStore
    let cookies: CookieNames

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.authentication = await authenticate(request)
        return try await next(request, context)
    }

    func authenticate(_ request: Request) async -> AuthenticationOutcome {
        do {
            if let bearer = request.headers.bearer?.token {
                guard let session = try await accounts.authenticate(token: bearer) else { return .rejectedToken }
                return .signedIn(session, viaCookie: false)
            }
            if let cookie = cookies.sessionToken(in: request), let session = try await accounts.authenticate(token: cookie) {
                return .signedIn(session, viaCookie: true)
            }
            return .anonymous
        } catch {
            return .failed(error)
        }
    }
}
