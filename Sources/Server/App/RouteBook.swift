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
        return entries.filter { entry in
            let pattern = entry.path.split(separator: "/", omittingEmptySubsequences: true)
            guard pattern.count == segments.count else { return false }
            return zip(pattern, segments).allSatisfy { $0.hasPrefix("{") || $0.hasPrefix(":") || $0 == $1 }
        }.map(\.method)
    }
}

/// Registers routes on a router and records them in the book, in one call.
struct Routes {
    let router: Router<AppRequestContext>
    let book: RouteBook

    func get(_ path: String, use handler: @escaping @Sendable (Request, AppRequestContext) async throws -> some ResponseGenerator) {
        add(.get, path, handler)
    }

    func post(_ path: String, use handler: @escaping @Sendable (Request, AppRequestContext) async throws -> some ResponseGenerator) {
        add(.post, path, handler)
    }

    func delete(_ path: String, use handler: @escaping @Sendable (Request, AppRequestContext) async throws -> some ResponseGenerator) {
        add(.delete, path, handler)
    }

    private func add(
        _ method: HTTPRequest.Method, _ path: String,
        _ handler: @escaping @Sendable (Request, AppRequestContext) async throws -> some ResponseGenerator
    ) {
        router.on(RouterPath(path), method: method, use: handler)
        book.record(method, path)
    }
}
