import Hummingbird
import HummingbirdAuth
import Domain
import Store

/// Finds the session a request carries — `Authorization: Bearer …` or the `cf_session` cookie — and puts it on the
/// context. It only authenticates: what the actor may do is decided by the services, through `Policy`.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let accounts: AccountStore

    static let sessionCookie = "cf_session"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let bearer = request.headers.bearer?.token {
            context.identity = try await accounts.authenticate(token: bearer)
            if context.identity == nil {
                // A token was offered and is not valid: say so, rather than carrying on anonymously.
                throw DomainError.unauthenticated("Your session has ended or the token is not valid. Sign in again.")
            }
        } else if let cookie = request.cookies[Self.sessionCookie]?.value {
            context.identity = try await accounts.authenticate(token: cookie)
            context.viaCookie = context.identity != nil
        }
        return try await next(request, context)
    }
}
