import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Store
import Testing
import TestSupport

@Suite("errors become problem documents")
struct ProblemTests {
    @Test("each domain and store error maps to its status and type", arguments: [
        (DomainError.notFound("No such request.") as any Error & Sendable, 404, "/problems/not-found"),
        (DomainError.forbidden("Officers only."), 403, "/problems/forbidden"),
        (DomainError.validation([.init(pointer: "/email", detail: "Enter an email address.")]), 422, "/problems/validation"),
        (DomainError.invalidTransition("A draft cannot be approved."), 409, "/problems/invalid-transition"),
        (DomainError.conflict("That record already exists."), 409, "/problems/conflict"),
        (DomainError.missingReference(.init(pointer: "/schoolId", detail: "There is no such school.")), 409, "/problems/missing-reference"),
        (StoreError.unavailable(reason: "the database cannot be reached"), 503, "/problems/unavailable"),
        (StoreError.unexpected(summary: "server sqlstate=42P01"), 500, "/problems/internal"),
    ])
    func mapping(error: any Error & Sendable, status: Int, type: String) {
        let problem = Problem.from(error)
        #expect(problem.status == status)
        #expect(problem.type == type)
    }

    @Test("validation problems list each field")
    func validationFields() {
        let problem = Problem.from(DomainError.validation([.init(pointer: "/email", detail: "Enter an email address.")]))
        #expect(problem.errors == [.init(pointer: "/email", detail: "Enter an email address.")])
    }

    struct Leaky: Error, CustomStringConvertible {
        var description: String { "SECRET pupil Zoë Smith 2015-04-01" }
    }

    @Test("an unexpected error tells neither a page, nor a client, nor the log what it said", arguments: ["/page", "/api/v1/thing"])
    func noLeak(path: String) async throws {
        let log = CapturedLog()
        let router = Router(context: AppRequestContext.self)
        let pages = try await Pages(directory: ServerConfiguration.bundledResources + "/templates")
        router.add(middleware: RequestLogMiddleware(strictTransportSecurity: false))
        router.add(middleware: ProblemMiddleware<AppRequestContext>(style: .byPath, pages: pages, routes: RouteBook(), audit: nil) { $0.identity })
        router.get(RouterPath(path)) { _, _ -> String in throw Leaky() }
        try await Application(router: router, logger: log.logger()).test(.router) { client in
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.status == .internalServerError)
                let body = String(buffer: response.body)
                #expect(!body.contains("SECRET") && !body.contains("Zoë"))
                #expect(body.contains("Something went wrong"))
            }
        }
        #expect(log.text.contains("request failed"))
        #expect(log.text.contains("error.type=Leaky"))
        #expect(!log.text.contains("SECRET") && !log.text.contains("Zoë"))
    }

    @Test("the store's log lines written while serving a request carry that request's id")
    func requestIDInStoreLogs() async throws {
        let log = CapturedLog()
        let database = try Database(
            configuration: .init(url: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", migrationsDirectory: TestEnvironment.migrationsDirectory),
            logger: log.logger(label: "store", metadataProvider: RequestScope.metadataProvider)
        )
        let router = Router(context: AppRequestContext.self)
        let pages = try await Pages(directory: ServerConfiguration.bundledResources + "/templates")
        router.add(middleware: RequestLogMiddleware(strictTransportSecurity: false))
        router.add(middleware: ProblemMiddleware<AppRequestContext>(style: .byPath, pages: pages, routes: RouteBook(), audit: nil) { $0.identity })
        router.get("/api/v1/thing") { _, _ -> String in
            await database.readiness() == .ready ? "ready" : "not ready"
        }
        let requestID = try await Application(router: router, logger: TestEnvironment.logger).test(.router) { client in
            try await client.execute(uri: "/api/v1/thing", method: .get) { response in
                #expect(String(buffer: response.body) == "not ready")
                return try #require(response.headers[.requestID])
            }
        }
        await database.close()
        let storeLines = log.text.split(separator: "\n").filter { $0.contains("database") }
        #expect(!storeLines.isEmpty, "the pool and the store log the failed connection")
        #expect(storeLines.allSatisfy { $0.contains("hb.request.id=\(requestID)") }, "\(storeLines)")
        #expect(RequestScope.requestID == nil, "the id is bound for the request only")
    }

    @Test("a store outage mid-request answers 503 with Retry-After")
    func outage() async throws {
        let router = Router(context: AppRequestContext.self)
        let pages = try await Pages(directory: ServerConfiguration.bundledResources + "/templates")
        router.add(middleware: ProblemMiddleware<AppRequestContext>(style: .byPath, pages: pages, routes: RouteBook(), audit: nil) { $0.identity })
        router.get("/api/v1/thing") { _, _ -> String in throw StoreError.unavailable(reason: "the database cannot be reached") }
        try await Application(router: router, logger: TestEnvironment.logger).test(.router) { client in
            try await client.execute(uri: "/api/v1/thing", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "5")
                let problemBody = try problem(response)
                #expect(problemBody.type == "/problems/unavailable")
            }
        }
    }
}
