import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
@testable import Server
import Store
import Testing
import TestSupport

/// Builds the real router over `database` and runs `body` against it without a socket.
func withApp(
    database: Database, clock: WallClock = .system, identity: IdentityConfiguration = .init(),
    configuration: ServerConfiguration = .init(), setup: TestingSetup = .router,
    _ body: @escaping @Sendable (any TestClientProtocol, RouteBook) async throws -> Void
) async throws {
    let routes = RouteBook()
    // A secret key, as a deployment has one, so the pages issue device cookies.
    var identity = identity
    if identity.secretKey == nil { identity.secretKey = SecretToken.generate() }
    // bcrypt at cost 4 keeps the suite fast; production's 12 is tested in IdentityTests.
    let services = try await AppServices.make(database: database, passwordHashCost: 4, clock: clock, identity: identity)
    let router = try await buildRouter(configuration: configuration, services: services, routes: routes)
    let app = Application(router: router, logger: TestEnvironment.logger)
    try await app.test(setup) { client in try await body(client, routes) }
}

/// A test database migrated and opened as the server's own role.
func withAppDatabase(_ body: @escaping @Sendable (Database) async throws -> Void) async throws {
    try await TestDatabase.with { db in
        let database = try Database(configuration: db.configuration(role: .app), logger: TestEnvironment.logger)
        try await body(database)
        await database.close()
    }
}

func text(_ response: TestResponse) -> String { String(buffer: response.body) }

extension ServerMetrics {
    /// The process's one bootstrapped registry (swift-metrics allows a single bootstrap per process), for the test
    /// that counts requests; every other test's application gets a registry of its own.
    static let process = ServerMetrics.bootstrap()
}

func problem(_ response: TestResponse) throws -> Problem {
    #expect(response.headers[.contentType] == "application/problem+json")
    return try JSONDecoder().decode(Problem.self, from: Data(text(response).utf8))
}

@Suite("system routes")
struct SystemRoutesTests {
    @Test("health answers ok with a request id")
    func health() async throws {
        try await withAppDatabase { database in
            try await withApp(database: database) { client, _ in
                try await client.execute(uri: "/health", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(text(response) == #"{"status":"ok"}"#)
                    #expect(response.headers[.requestID]?.isEmpty == false)
                }
            }
        }
    }

    @Test("ready answers 200 when the database is migrated")
    func ready() async throws {
        try await withAppDatabase { database in
            try await withApp(database: database) { client, _ in
                try await client.execute(uri: "/ready", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(text(response).contains(#""migrations":"current""#))
                }
            }
        }
    }

    @Test("ready answers 503 with a problem and Retry-After when the database is down")
    func notReady() async throws {
        let database = try Database(
            configuration: .init(url: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", migrationsDirectory: TestEnvironment.migrationsDirectory),
            logger: TestEnvironment.logger
        )
        try await withApp(database: database) { client, _ in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "5")
                let body = try problem(response)
                #expect(body.status == 503)
                #expect(body.detail == "Clusterfund is not ready to serve yet.", "anonymous callers learn only that it is not ready")
                #expect(body.requestId == response.headers[.requestID])
            }
            // Liveness does not depend on the database.
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
        }
        await database.close()
    }

    @Test("ready names the pending migrations to the operator's token only; anyone else learns only that it is not ready")
    func pending() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let database = try Database(configuration: db.configuration(role: .owner), logger: TestEnvironment.logger)
            try await withApp(database: database, configuration: ServerConfiguration(metricsToken: Self.metricsToken)) { client, _ in
                try await client.execute(uri: "/ready", method: .get, headers: [.authorization: "Bearer \(Self.metricsToken)"]) { response in
                    #expect(response.status == .serviceUnavailable)
                    let problemBody = try problem(response)
                    #expect(problemBody.detail.contains("0001_roles_and_privileges"))
                }
                for headers: HTTPFields in [[:], [.authorization: "Bearer not-the-token"]] {
                    try await client.execute(uri: "/ready", method: .get, headers: headers) { response in
                        #expect(response.status == .serviceUnavailable)
                        let body = text(response)
                        #expect(!body.contains("0001") && !body.contains("migration"))
                        let detail = try problem(response).detail
                        #expect(detail == "Clusterfund is not ready to serve yet.")
                    }
                }
            }
            await database.close()
        }
    }

    @Test("an unknown page is a styled 404 page; an unknown API path is a 404 problem")
    func notFound() async throws {
        try await withAppDatabase { database in
            try await withApp(database: database) { client, _ in
                try await client.execute(uri: "/no-such-page", method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                    let html = text(response)
                    #expect(html.contains("<h1 class=\"app-heading-xl\">Page not found</h1>"))
                    #expect(html.contains("href=\"#main-content\""))
                }
                try await client.execute(uri: "/api/v1/no-such-thing", method: .get) { response in
                    #expect(response.status == .notFound)
                    let problemBody = try problem(response)
                    #expect(problemBody.type == "/problems/not-found")
                }
            }
        }
    }

    @Test("a known path with the wrong method is 405 with Allow")
    func methodNotAllowed() async throws {
        try await withAppDatabase { database in
            try await withApp(database: database) { client, _ in
                try await client.execute(uri: "/health", method: .post) { response in
                    #expect(response.status == .methodNotAllowed)
                    #expect(response.headers[.allow] == "GET")
                    let problemBody = try problem(response)
                    #expect(problemBody.status == 405)
                }
            }
        }
    }

    static let metricsToken = "scraper-token-for-tests-0123456789"

    @Test("metrics count requests by route and status and show the pool")
    func metrics() async throws {
        try await withAppDatabase { database in
            try await withApp(database: database, configuration: ServerConfiguration(metricsToken: Self.metricsToken, metrics: .process)) { client, _ in
                let health = #"http_requests_total{method="GET",route="/health",status="200"}"#
                let before = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(Self.metricsToken)"]) {
                    Self.value(of: health, in: text($0))
                } ?? 0
                try await client.execute(uri: "/health", method: .get) { _ in }
                try await client.execute(uri: "/no-such-page", method: .get) { _ in }
                try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(Self.metricsToken)"]) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                    let body = text(response)
                    // Other tests run in parallel in this process and may count too, so at least one more.
                    #expect((Self.value(of: health, in: body) ?? 0) >= before + 1)
                    #expect(body.contains(#"route="unmatched",status="404"}"#))
                    #expect((Self.value(of: #"http_request_duration_seconds_bucket{method="GET",route="/health",status="200",le="+Inf"}"#, in: body) ?? 0) >= 1)
                    #expect(body.contains("# TYPE http_request_duration_seconds histogram"))
                    #expect(body.contains("db_pool_size 4"))
                    #expect(body.contains("db_pool_waiting 0"))
                    #expect(body.contains(#"db_pool_connections{state="in_use"}"#))
                }
            }
        }
    }

    /// The value of the series named exactly `series` (name and labels) in a Prometheus exposition, if present.
    static func value(of series: String, in exposition: String) -> Double? {
        exposition.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    @Test("metrics are served only to the configured token's bearer; without a token configured, to nobody")
    func metricsNeedTheToken() async throws {
        try await withAppDatabase { database in
            try await withApp(database: database, configuration: ServerConfiguration(metricsToken: Self.metricsToken)) { client, _ in
                for headers: HTTPFields in [[:], [.authorization: "Bearer not-the-token"], [.authorization: "Bearer \(Self.metricsToken)x"]] {
                    try await client.execute(uri: "/metrics", method: .get, headers: headers) { response in
                        #expect(response.status == .notFound)
                        #expect(!text(response).contains("http_requests_total"))
                    }
                }
            }
            try await withApp(database: database) { client, _ in
                for headers: HTTPFields in [[:], [.authorization: "Bearer "]] {
                    try await client.execute(uri: "/metrics", method: .get, headers: headers) { #expect($0.status == .notFound) }
                }
            }
        }
    }

    @Test("the home page has one main landmark, a skip link and a heading")
    func home() async throws {
        try await withAppDatabase { database in
            try await withApp(database: database) { client, _ in
                try await client.execute(uri: "/", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
                    let html = text(response)
                    #expect(html.components(separatedBy: "<main").count == 2)
                    #expect(html.contains(##"<a href="#main-content" class="skip-link">"##))
                    #expect(html.contains("<h1"))
                    #expect(html.contains(#"aria-current="page""#))
                }
                try await client.execute(uri: "/assets/clusterfund.css", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/css") == true)
                }
            }
        }
    }

    @Test("the OpenAPI document describes every API and system route the server registers")
    func openAPICoversRoutes() async throws {
        try await withAppDatabase { database in
            try await withApp(database: database) { client, routes in
                try await client.execute(uri: "/openapi.json", method: .get) { response in
                    #expect(response.status == .ok)
                    let document = try #require(try JSONSerialization.jsonObject(with: Data(text(response).utf8)) as? [String: Any])
                    #expect(document["openapi"] as? String == "3.1.0")
                    let paths = try #require(document["paths"] as? [String: [String: Any]])
                    let machineRoutes = routes.entries.filter { $0.path.hasPrefix("/api/") || ProblemMiddleware<AppRequestContext>.isMachinePath($0.path) }
                    #expect(!machineRoutes.isEmpty)
                    for route in machineRoutes {
                        #expect(paths[route.path]?[route.method.rawValue.lowercased()] != nil, "\(route.method) \(route.path) is not in openapi.json")
                    }
                }
            }
        }
    }
}
