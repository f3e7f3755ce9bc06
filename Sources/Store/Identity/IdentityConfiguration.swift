import Crypto
import Domain
import Foundation

/// The rules of signing in, with the defaults.
public struct IdentityConfiguration: Sendable {
    /// A session unused this long ends.
    public var idleTimeout: Duration = .seconds(30 * 60)
    /// A session ends this long after sign-in, however busy.
    public var absoluteTimeout: Duration = .seconds(12 * 60 * 60)
    /// Failures within `throttleWindow` that lock an account, and that block an address.
    public var accountFailureLimit = 5
    public var addressFailureLimit = 20
    public var throttleWindow: Duration = .seconds(15 * 60)
    /// Wrong second-factor codes an account may send in a day before its codes lock.
    public var lockout = SecondFactorLockout()
    /// The key set-password links are derived from (`CLUSTERFUND_SECRET_KEY`), so the outbox need keep only a link's
    /// id; without one, a link is random and shown once to the officer who asked for it.
    public var linkKey: [UInt8]?
    /// How long a set-password link stays valid.
    public var passwordLinkValidity: Duration = .seconds(24 * 60 * 60)

    public init() {}

    /// The server's secret key from `CLUSTERFUND_SECRET_KEY` (at least 32 characters; its SHA-256 is the key), or nil
    /// when it is not set. Keep it outside the database: whoever has both can rebuild live set-password links.
    /// - Throws: `IdentityConfiguration.WeakKey` for a key too short to be a secret.
    public static func secretKey(environment: [String: String]) throws -> [UInt8]? {
        guard let text = environment["CLUSTERFUND_SECRET_KEY"], !text.isEmpty else { return nil }
        guard text.count >= 32 else { throw WeakKey() }
        return Array(SHA256.hash(data: Data(text.utf8)))
    }

    public struct WeakKey: Error, CustomStringConvertible {
        public var description: String { "CLUSTERFUND_SECRET_KEY must be at least 32 random characters (for example `openssl rand -base64 32`)" }
    }

    /// The throttle these settings describe.
    public var throttle: SignInThrottle {
        SignInThrottle(accountFailureLimit: accountFailureLimit, addressFailureLimit: addressFailureLimit, window: throttleWindow.seconds)
    }

    /// The session lifetime these settings describe.
    public var sessionLifetime: SessionLifetime {
        SessionLifetime(idleTimeout: idleTimeout.seconds, absoluteTimeout: absoluteTimeout.seconds)
    }

    public init(idleTimeoutSeconds: Int?, absoluteTimeoutSeconds: Int?) {
        if let idleTimeoutSeconds { idleTimeout = .seconds(idleTimeoutSeconds) }
        if let absoluteTimeoutSeconds { absoluteTimeout = .seconds(absoluteTimeoutSeconds) }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
