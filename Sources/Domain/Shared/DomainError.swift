/// What went wrong, in the words of the person using Clusterfund. The HTTP layer maps each case once
/// to a problem document (JSON) or an error summary (HTML).
public enum DomainError: Error, Sendable, Equatable {
    /// The record does not exist, or the actor may not know that it does (the same answer either way).
    case notFound(String)
    /// The actor may see the record but not do this to it.
    case forbidden(String)
    /// The input is wrong; each issue names the field (a JSON pointer, e.g. `/email`) and what to fix.
    case validation([FieldIssue])
    /// The record is not in a state that allows this; says which actions are allowed.
    case invalidTransition(String)
    /// The change collides with what is already there (a duplicate, a stale edit).
    case conflict(String)
    /// Well-formed input names a record that does not exist (a school id that is no school's). The request's shape is
    /// right, so it is a broken rule rather than invalid input; the issue names the field, as a validation error does.
    case missingReference(FieldIssue)
    /// Not signed in, or the credentials were wrong (one message for both, so accounts cannot be discovered).
    case unauthenticated(String)
    /// The password was right but the account signs in with a second factor, which the request did not carry.
    case secondFactorRequired(String)
    /// Too many tries: wait this many seconds.
    case throttled(retryAfterSeconds: Int)

    /// One problem with one field.
    public struct FieldIssue: Sendable, Equatable, Codable {
        public var pointer: String
        public var detail: String
        public init(pointer: String, detail: String) {
            self.pointer = pointer
            self.detail = detail
        }
    }
}

extension DomainError {
    /// The sentence the error carries, for comparing and showing.
    public var message: String {
        switch self {
        case .notFound(let text), .forbidden(let text), .invalidTransition(let text), .conflict(let text), .unauthenticated(let text),
            .secondFactorRequired(let text):
            text
        case .validation(let issues): issues.map(\.detail).joined(separator: " ")
        case .missingReference(let issue): issue.detail
        case .throttled(let seconds): "Too many attempts; wait \(seconds) seconds."
        }
    }
}
extension DomainError.FieldIssue: Error {}
