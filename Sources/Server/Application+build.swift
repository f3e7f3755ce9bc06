import Foundation
import Hummingbird
import Logging
import Store

/// Everything the server needs from outside, read once by the executable.
public struct ServerConfiguration: Sendable {
    public var hostname: String
    public var port: Int
    /// Where templates, the stylesheet and `openapi.json` live; defaults to the bundled resources.
    public var resourcesDirectory: String

    public init(hostname: String = "127.0.0.1", port: Int = 8080, resourcesDirectory: String? = nil) {
        self.hostname = hostname
        self.port = port
        self.resourcesDirectory = resourcesDirectory ?? Self.bundledResources
    }

    /// The resources copied into the build by SwiftPM, next to the executable.
    public static var bundledResources: String {
        Bundle.module.url(forResource: "Resources", withExtension: nil)?.path ?? "Resources"
    }
}

/// The one composition root: builds the router, middleware and services, and returns the application unstarted.
///
/// ```swift
/// let app = try await buildApplication(configuration: .init(port: 8080), database: database, logger: logger)
/// try await app.runService()
/// ```
public func buildApplication(
    configuration: ServerConfiguration, database: Database, logger: Logger
) async throws -> some ApplicationProtocol {
    let routes = RouteBook()
    let router = try await buildRouter(configuration: configuration, database: database, routes: routes)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.hostname, port: configuration.port), serverName: "Clusterfund"),
        logger: logger
    )
    app.addServices(database.services)
    app.beforeServerStarts {
        let readiness = await database.readiness()
        if readiness != .ready {
            // Serving anyway would be worse: /ready stays 503 and an operator sees why in the log.
            logger.error("database not ready at start-up", metadata: ["reason": "\(readiness.explanation)"])
        }
    }
    return app
}

/// Builds the router alone, for tests that exercise routes without a server.
public func buildRouter(configuration: ServerConfiguration, database: Database, routes: RouteBook) async throws -> Router<AppRequestContext> {
    let resources = configuration.resourcesDirectory
    let pages = try await Pages(directory: resources + "/templates")
    guard let openAPI = FileManager.default.contents(atPath: resources + "/openapi.json") else {
        throw ResourceError(message: "cannot read \(resources)/openapi.json")
    }
    let metrics = HTTPMetrics()
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestLogMiddleware(metrics: metrics))
    router.add(middleware: ProblemMiddleware(pages: pages, routes: routes))
    router.add(middleware: FileMiddleware(resources + "/public", urlBasePath: "/assets"))
    let table = Routes(router: router, book: routes)
    SystemController(database: database, metrics: metrics, openAPIDocument: ByteBuffer(bytes: openAPI)).addRoutes(to: table)
    HomeController(pages: pages).addRoutes(to: table)
    return router
}
