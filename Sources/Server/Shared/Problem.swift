import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// An RFC 9457 problem document: what went wrong, for a program and for a person.
///
/// ```json
/// {"type":"/problems/validation","title":"Check your answers","status":422,"detail":"…","instance":"/api/v1/…","requestId":"…"}
/// ```
struct Problem: Codable, Sendable, Equatable {
    var type: String
    var title: String
    var status: Int
    var detail: String
    var instance: String?
    var requestId: String?
    var errors: [DomainError.FieldIssue]?
    /// Sent as the `Retry-After` header, not in the body.
    var retryAfterSeconds: Int?

    enum CodingKeys: String, CodingKey { case type, title, status, detail, instance, requestId, errors }

    /// The one mapping from any error to what the user is told. Unexpected errors say nothing of their cause.
    static func from(_ error: any Error) -> Problem {
        switch error {
        case let error as DomainError:
            switch error {
            case .notFound(let detail): return Problem("not-found", "Not found", 404, detail)
            case .forbidden(let detail): return Problem("forbidden", "Not allowed", 403, detail)
            case .validation(let issues):
                var problem = Problem("validation", "Check your answers", 422, issues.map(\.detail).joined(separator: " "))
                problem.errors = issues
                return problem
            case .invalidTransition(let detail): return Problem("invalid-transition", "Not possible now", 409, detail)
            case .conflict(let detail): return Problem("conflict", "Conflict", 409, detail)
            case .missingReference(let issue):
                var problem = Problem("missing-reference", "Check the record you chose", 409, issue.detail)
                problem.errors = [issue]
                return problem
            case .unauthenticated(let detail): return Problem("unauthenticated", "Sign in", 401, detail)
            case .secondFactorRequired(let detail): return Problem("second-factor-required", "Second factor required", 401, detail)
            case .throttled(let seconds):
                var problem = Problem(
                    "too-many-attempts", "Too many attempts", 429,
                    "There have been too many attempts to sign in. Wait \((seconds + 59) / 60) minutes and try again."
                )
                problem.retryAfterSeconds = seconds
                return problem
            }
        case is ServerBusy:
            var problem = Problem("busy", "Too busy", 503, "Clusterfund is handling too many sign-ins at once. Try again in a moment.")
            problem.retryAfterSeconds = 2
            return problem
        case is CSRFRefusal:
            return Problem("forbidden", "Not allowed", 403, CSRFRefusal.detail)
        case let error as SignInTimedOut:
            return Problem("unauthenticated", "Sign in", 401, error.message)
        case let error as StoreError:
            switch error {
            case .unavailable(let reason):
                var problem = Problem("unavailable", "Service unavailable", 503, "Clusterfund cannot reach its database (\(reason)). Try again in a moment.")
                problem.retryAfterSeconds = 5
                return problem
            case .unexpected: return .internalError
            }
        case let error as any HTTPResponseError:
            return from(status: error.status, detail: (error as? HTTPError)?.body)
        default:
            return .internalError
        }
    }

    /// A problem for an HTTP status raised by the framework (bad JSON, unknown route, body too large…).
    static func from(status: HTTPResponse.Status, detail: String?) -> Problem {
        switch status.code {
        case 400: Problem("bad-request", "Bad request", 400, detail ?? "The request could not be read.")
        case 404: Problem("not-found", "Page not found", 404, detail ?? "There is nothing at this address.")
        case 405: Problem("method-not-allowed", "Method not allowed", 405, detail ?? "This address does not accept that method.")
        case 413: Problem("too-large", "Request too large", 413, detail ?? "The request is larger than Clusterfund accepts.")
        case 500...: .internalError
        default: Problem("http-\(status.code)", status.reasonPhrase, status.code, detail ?? status.reasonPhrase)
        }
    }

    static let internalError = Problem(
        "internal", "Something went wrong", 500,
        "Clusterfund could not complete this request. Nothing was changed; the error has been logged with this request's id."
    )

    init(_ slug: String, _ title: String, _ status: Int, _ detail: String) {
        type = "/problems/" + slug
        self.title = title
        self.status = status
        self.detail = detail
    }

    var httpStatus: HTTPResponse.Status { HTTPResponse.Status(code: status) }

    /// The problem as `application/problem+json`.
    func jsonResponse(headers extra: HTTPFields = [:]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(self)) ?? Data(#"{"title":"Something went wrong","status":500}"#.utf8)
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        headers.append(contentsOf: extra)
        return Response(status: httpStatus, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
