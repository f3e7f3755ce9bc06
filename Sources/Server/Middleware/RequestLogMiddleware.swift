import HTTPTypes
import Hummingbird
import Logging

/// The outermost middleware: stamps the request id on the response, sets security headers,
/// and writes one structured access-log line (`MetricsMiddleware`, next inside, counts it for `/metrics`). It also
/// binds the request id for everything the request does (`RequestScope`), so the store's and the pool's log lines carry it too.
/// It logs the path only, never the query string, which may one day carry a search for a pupil.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    /// Tell browsers to reach us over https only (HSTS): set when the address people use is https.
    let strictTransportSecurity: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await RequestScope.$requestID.withValue(context.id) { try await next(request, context) }
        } catch {
            // ProblemMiddleware turns errors into responses; anything reaching here is a bug, so answer plainly.
            context.logger.error("unhandled error", metadata: ["error.type": "\(type(of: error))"])
            response = Problem.internalError.jsonResponse()
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let route = context.endpointPath ?? "unmatched"
        response.headers[.requestID] = context.id
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "same-origin"
        response.headers[.xFrameOptions] = "DENY"
        if strictTransportSecurity { response.headers[.strictTransportSecurity] = "max-age=31536000" }
        if response.headers[.contentType]?.hasPrefix("text/html") == true {
            response.headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"
        }
        context.logger.info(
            "request",
            metadata: [
                "http.method": "\(request.method.rawValue)", "http.path": "\(request.uri.path)", "http.route": "\(route)",
                "http.status": "\(response.status.code)", "duration_ms": "\(Int(seconds * 1000))",
            ]
        )
        return response
    }
}

extension HTTPField.Name {
    // These literals are valid field names, so the `?? .via` fallbacks are never taken; they stand in for `!`.
    static let requestID = Self("X-Request-Id") ?? .via
    static let xContentTypeOptions = Self("X-Content-Type-Options") ?? .via
    static let referrerPolicy = Self("Referrer-Policy") ?? .via
    static let xFrameOptions = Self("X-Frame-Options") ?? .via
}
