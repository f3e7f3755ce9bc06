import Domain

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
    /// The longest that failures of an account from elsewhere slow its sign-in.
    public var maximumSlowdown: Duration = .seconds(5)
    /// The key held outside the database (`CLUSTERFUND_SECRET_KEY`) that signs device cookies; without it, none are
    /// issued or trusted.
    public var secretKey: String?
    /// How long a set-password link stays valid.
    public var passwordLinkValidity: Duration = .seconds(24 * 60 * 60)

    public init() {}

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
