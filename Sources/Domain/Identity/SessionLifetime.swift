import Foundation

/// How long a session lives: it ends when unused for the idle timeout, at the absolute timeout after sign-in, when it
/// is revoked, and when its user is deactivated.
///
/// ```swift
/// let lifetime = SessionLifetime(idleTimeout: 30 * 60, absoluteTimeout: 12 * 60 * 60)
/// lifetime.isLive(.init(lastSeenAt: t, expiresAt: t + 3600, revokedAt: nil, userActive: true), at: t + 60)   // true
/// ```
public struct SessionLifetime: Sendable, Equatable {
    /// Seconds a session may go unused.
    public var idleTimeout: TimeInterval
    /// Seconds from sign-in after which a session ends, however busy.
    public var absoluteTimeout: TimeInterval
    /// A session's last use is recorded at most this often: an idle timeout needs no more precision, and each touch is a write.
    public var touchInterval: TimeInterval

    public init(idleTimeout: TimeInterval = 30 * 60, absoluteTimeout: TimeInterval = 12 * 60 * 60, touchInterval: TimeInterval = 30) {
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
        self.touchInterval = touchInterval
    }

    /// What the store knows of a session when a request presents it.
    public struct State: Sendable, Equatable {
        public var lastSeenAt: Date
        public var expiresAt: Date
        public var revokedAt: Date?
        public var userActive: Bool
        public init(lastSeenAt: Date, expiresAt: Date, revokedAt: Date?, userActive: Bool) {
            self.lastSeenAt = lastSeenAt
            self.expiresAt = expiresAt
            self.revokedAt = revokedAt
            self.userActive = userActive
        }
    }

    /// When a session begun at `signedInAt` ends at the latest.
    public func expiry(signedInAt: Date) -> Date { signedInAt.addingTimeInterval(absoluteTimeout) }

    /// Whether the session still stands at `now`.
    public func isLive(_ session: State, at now: Date) -> Bool {
        session.revokedAt == nil && session.userActive && now < session.expiresAt && now.timeIntervalSince(session.lastSeenAt) <= idleTimeout
    }

    /// Whether this use should be recorded as the session's last: only when the last record is older than `touchInterval`.
    public func touchIsDue(lastSeenAt: Date, at now: Date) -> Bool {
        now.timeIntervalSince(lastSeenAt) >= touchInterval
    }
}
