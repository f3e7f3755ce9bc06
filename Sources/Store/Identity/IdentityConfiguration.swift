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
    /// The longest that failures of an account from elsewhere slow its sign-in.
    public var maximumSlowdown: Duration = .seconds(5)
    /// The key held outside the database (`CLUSTERFUND_SECRET_KEY`, at least 32 characters) that signs device cookies
    /// and derives set-password links; without it, no device cookies are issued or trusted, and links are random.
    public var secretKey: String?

    /// The key set-password links are derived from, so the outbox need keep only a link's id (SHA-256 of `secretKey`).
    public var linkKey: [UInt8]? {
        secretKey.flatMap { $0.isEmpty ? nil : Array(SHA256.hash(data: Data($0.utf8))) }
    }
    /// How long a set-password link stays valid.
    public var passwordLinkValidity: Duration = .seconds(24 * 60 * 60)

    public init() {}

    /// Refuses a `CLUSTERFUND_SECRET_KEY` too short to be a secret; an absent one is allowed (see `secretKey`).
    /// - Throws: `IdentityConfiguration.WeakKey`.
    public static func checkSecretKey(_ key: String?) throws {
        guard let key, !key.isEmpty else { return }
        guard key.count >= 32 else { throw WeakKey() }
    }

    public struct WeakKey: Error, CustomStringConvertible {
        public var description: String { "CLUSTERFUND_SECRET_KEY must be at least 32 random characters (for example `openssl rand -base64 32`)" }
    }

    /// The throttle these settings describe.
    public var throttle: SignInThrottle {
        SignInThrottle(
            accountFailureLimit: accountFailureLimit, addressFailureLimit: addressFailureLimit, window: throttleWindow.seconds,
            maximumSlowdown: maximumSlowdown.seconds
        )
    }

    /// The session lifetime these settings describe.
    public var sessionLifetime: SessionLifetime {
        SessionLifetime(idleTimeout: idleTimeout.seconds, absoluteTimeout: absoluteTimeout.seconds)
    }

    public init(idleTimeoutSeconds: Int?, absoluteTimeoutSeconds: Int?, secretKey: String? = nil) {
        if let idleTimeoutSeconds { idleTimeout = .seconds(idleTimeoutSeconds) }
        if let absoluteTimeoutSeconds { absoluteTimeout = .seconds(absoluteTimeoutSeconds) }
        self.secretKey = secretKey
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
