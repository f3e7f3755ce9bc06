/// Failures of the store that are not the user's doing. Nothing above Store sees a SQLSTATE.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The database cannot be reached, is restarting, or is too busy: try again shortly.
    case unavailable(reason: String)
    /// Anything unexpected; `summary` (SQLSTATE and schema names, no values) goes to the log only, never to a user.
    case unexpected(summary: String)

    public var description: String {
        switch self {
        case .unavailable: "StoreError.unavailable"
        case .unexpected(let summary): "StoreError.unexpected(\(summary))"
        }
    }
}
