import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Store

/// The machine endpoints: liveness, readiness, metrics and the OpenAPI document.
struct SystemController {
    let database: Database
    let metrics: ServerMetrics
    let openAPIDocument: ByteBuffer
    /// The bearer token the metrics scraper sends (`CLUSTERFUND_METRICS_TOKEN`); without one, `/metrics` is not served.
    let metricsToken: String?

    func addRoutes(to routes: RouteTable) {
        routes.system.get("/health", use: health)
        routes.system.get("/ready", use: ready)
        routes.system.get("/metrics", use: metricsText)
        routes.system.get("/openapi.json", use: openAPI)
    }

    struct Status: ResponseEncodable {
        var status: String
    }

    /// The process is up; says nothing of the database, so an orchestrator does not restart a healthy process.
    @Sendable func health(_ request: Request, context: AppRequestContext) async throws -> Status {
        Status(status: "ok")
    }

    struct ReadyStatus: ResponseEncodable {
        var status: String
        var database: String
        var migrations: String
    }

    /// Ready to serve: the database answers and its migrations match this build.
    @Sendable func ready(_ request: Request, context: AppRequestContext) async throws -> Response {
        let readiness = await database.readiness()
        guard readiness == .ready else {
            // Why (which migrations are pending, what failed) is for operators; anyone else learns only "not ready".
            let detail = isOperator(request) ? readiness.explanation : "Clusterfund is not ready to serve yet."
            var problem = Problem("not-ready", "Not ready", 503, detail)
            problem.instance = request.uri.path
            problem.requestId = context.id
            return problem.jsonResponse(headers: [.retryAfter: "5"])
        }
        return try ReadyStatus(status: "ready", database: "up", migrations: "current").response(from: request, context: context)
    }

    @Sendable func metricsText(_ request: Request, context: AppRequestContext) async throws -> Response {
        // Not there at all for anyone else: request counts by route and the pool's load are a map for an attacker.
        guard isOperator(request) else { throw HTTPError(.notFound) }
        let text = metrics.exposition(pool: await database.poolStatistics())
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }

    @Sendable func openAPI(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: openAPIDocument))
    }

    /// Whether the request carries the metrics token, compared in constant time; never true when none is configured.
    func isOperator(_ request: Request) -> Bool {
        guard let metricsToken, !metricsToken.isEmpty, let offered = request.headers.bearer?.token else { return false }
        return SecretToken.equal(metricsToken, offered)
    }
}
