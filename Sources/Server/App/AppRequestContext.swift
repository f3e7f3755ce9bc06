import Domain
import Foundation
import Hummingbird
import HummingbirdAuth
import Store

/// What a request has learned on its way through the middleware: who is signed in (set by
/// `AuthenticationMiddleware`), and where the request came from (for the audit trail and throttling).
public struct AppRequestContext: AuthRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The live session, if the request carried a valid cookie or bearer token.
    public var identity: Authenticated?
    /// The client's address: the socket's peer, or what a trusted proxy forwarded (`ClientAddressMiddleware`).
    public var clientAddress: String
    /// How the session arrived: cookies need CSRF protection, bearer tokens do not.
    public var viaCookie = false

    public init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

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

    /// The signed-in actor, or `DomainError.unauthenticated` (a 401 for the API, a redirect to sign in for pages).
    func requireSession() throws -> Authenticated {
        guard let identity else { throw DomainError.unauthenticated("Sign in to continue.") }
        return identity
    }

    func requestInfo(_ request: Request) -> RequestInfo {
        RequestInfo(requestID: id, clientAddress: clientAddress, userAgent: request.headers[.userAgent])
    }
}
