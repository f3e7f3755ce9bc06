import Domain
import Foundation
import Hummingbird
import Store

/// What every request context of Clusterfund offers handlers and middleware: where the request came from, and JSON
/// settings shared by every route.
public protocol ClusterfundRequestContext: RequestContext
where Decoder == JSONDecoder, Encoder == JSONEncoder {
    /// The client's address: the socket's peer, or what a trusted proxy forwarded (`ClientAddressMiddleware`).
    var clientAddress: String { get }
}

extension ClusterfundRequestContext {
    /// Uploads and forms are small here; anything larger is refused before it is read.
    public var maxUploadSize: Int { 1024 * 1024 }

    /// JSON with ISO 8601 instants and sorted keys, both ways.
    public var requestDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    public var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Who is asking and from where, for the audit trail.
    func requestInfo(_ request: Request) -> RequestInfo {
        RequestInfo(
            requestID: id, clientAddress: clientAddress, throttleAddress: AddressRanges.throttleUnit(of: clientAddress),
            userAgent: request.headers[.userAgent]
        )
    }
}

/// What authentication found, recorded by `AuthenticationMiddleware` before any route runs, so nothing after it
/// authenticates again and a failure is answered by the route that needed a session, not by every route.
public enum AuthenticationOutcome: Sendable {
    /// No cookie and no bearer token (or a cookie that no longer names a live session).
    case anonymous
    /// A live session, from the `cf_session` cookie or a bearer token.
    case signedIn(Authenticated, viaCookie: Bool)
    /// A bearer token was offered and is not valid: signed-in routes say so rather than carrying on anonymously.
    case rejectedToken
    /// The session could not be checked (the database is down): signed-in routes answer with this error (503).
    case failed(any Error)
}

/// The context of every request as it arrives: where it came from and what authentication found.
public struct AppRequestContext: ClusterfundRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var clientAddress: String
    public var authentication: AuthenticationOutcome = .anonymous

    public init(source: Source) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// The live session, if there is one.
    public var identity: Authenticated? {
        if case .signedIn(let session, _) = authentication { return session }
        return nil
    }

    /// Whether the session arrived in a cookie: cookies need CSRF protection, bearer tokens do not.
    public var viaCookie: Bool {
        if case .signedIn(_, let viaCookie) = authentication { return viaCookie }
        return false
    }
}

/// The context of routes for signed-in people: the session is never nil. Building it from an `AppRequestContext`
/// throws 401 when nobody is signed in (or the token was not valid), and 503 when the session could not be checked.
///
/// ```swift
/// let signedIn = router.group(context: SignedInContext.self)
/// signedIn.get("/account") { request, context in context.session.actor.displayName }
/// ```
public struct SignedInContext: ClusterfundRequestContext, ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var clientAddress: String
    /// Who is signed in.
    public var session: Authenticated
    public var viaCookie: Bool

    public init(context: AppRequestContext) throws {
        switch context.authentication {
        case .signedIn(let session, let viaCookie):
            self.session = session
            self.viaCookie = viaCookie
        case .anonymous:
            throw DomainError.unauthenticated("Sign in to continue.")
        case .rejectedToken:
            throw DomainError.unauthenticated("Your session has ended or the token is not valid. Sign in again.")
        case .failed(let error):
            throw error
        }
        coreContext = context.coreContext
        clientAddress = context.clientAddress
    }

    /// The signed-in actor, whom every service call names.
    public var actor: Actor { session.actor }
}
