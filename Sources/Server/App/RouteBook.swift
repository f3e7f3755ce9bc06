import HTTPTypes
import Hummingbird
import Synchronization

/// Every route the application registers, recorded as it is registered: the 405 answer's `Allow` header and
/// the route-by-role test both read it, so neither can drift from the router.
public final class RouteBook: Sendable {
    public struct Entry: Sendable, Hashable {
        public let method: HTTPRequest.Method
        public let path: String
    }

    private let storage = Mutex<[Entry]>([])

    public init() {}

    public var entries: [Entry] { storage.withLock { $0 } }

    func record(_ method: HTTPRequest.Method, _ path: String) {
        storage.withLock { $0.append(Entry(method: method, path: path)) }
    }

    /// The methods registered for a concrete request path (`{id}` segments match any value).
    func methods(matching path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var candidates = entries.map { ($0, $0.path.split(separator: "/", omittingEmptySubsequences: true)) }.filter { $0.1.count == segments.count }
        // As the router's trie does: where a route has this very segment, the routes with a parameter there are not
        // followed (`PATCH /api/v1/schools/import` is not `PATCH /api/v1/schools/{schoolId}`).
        for (index, segment) in segments.enumerated() {
            let exact = candidates.filter { $0.1[index] == segment }
            candidates = exact.isEmpty ? candidates.filter { $0.1[index].hasPrefix("{") || $0.1[index].hasPrefix(":") } : exact
        }
        return candidates.map(\.0.method)
    }
}

/// Registers routes on one route group and records them in the book, in one call. Paths are written out whole, so a
/// controller reads like the API's reference.
struct Routes<Context: RequestContext> {
    let group: RouterGroup<Context>
    let book: RouteBook

    func get(_ path: String, use handler: @escaping @Sendable (Request, Context) async throws -> some ResponseGenerator) {
        add(.get, path, handler)
    }

    func post(_ path: String, use handler: @escaping @Sendable (Request, Context) async throws -> some ResponseGenerator) {
        add(.post, path, handler)
    }

    func put(_ path: String, use handler: @escaping @Sendable (Request, Context) async throws -> some ResponseGenerator) {
        add(.put, path, handler)
    }

    func patch(_ path: String, use handler: @escaping @Sendable (Request, Context) async throws -> some ResponseGenerator) {
        add(.patch, path, handler)
    }

    func delete(_ path: String, use handler: @escaping @Sendable (Request, Context) async throws -> some ResponseGenerator) {
        add(.delete, path, handler)
    }

    private func add(
        _ method: HTTPRequest.Method, _ path: String,
        _ handler: @escaping @Sendable (Request, Context) async throws -> some ResponseGenerator
    ) {
        group.on(RouterPath(path), method: method, use: handler)
        book.record(method, path)
    }
}

/// The route groups a controller registers on: who may call them (anyone, or signed-in people) and how they answer
/// (pages, or JSON). Each group has its own error handling and CSRF protection; signed-in groups carry an actor that
/// is never nil.
struct RouteTable {
    /// `/health`, `/ready`, `/metrics`, `/openapi.json`: JSON, nobody signed in.
    let system: Routes<AppRequestContext>
    /// Pages anyone may open (the home page, sign-in, set password).
    let pages: Routes<AppRequestContext>
    /// Pages for signed-in people.
    let signedInPages: Routes<SignedInContext>
    /// API operations anyone may call (starting a session).
    let api: Routes<AppRequestContext>
    /// API operations for signed-in callers.
    let signedInAPI: Routes<SignedInContext>
}
