import Foundation

/// How many wrong codes an account may send before its second step locks: the sign-in throttle slows guessing per
/// quarter hour, and this caps it across days, so a stolen password cannot be paired with a million guesses.
///
/// ```swift
/// let lockout = SecondFactorLockout()
/// lockout.retryAfter(.init(failures: 10, since: t0), at: t0 + 60)   // 86340: locked for the rest of the day
/// ```
public struct SecondFactorLockout: Sendable, Equatable {
    /// Wrong codes allowed within `period`.
    public var limit: Int
    /// Seconds from the first wrong code after which the count starts again.
    public var period: TimeInterval

    public init(limit: Int = 10, period: TimeInterval = 24 * 60 * 60) {
        self.limit = limit
        self.period = period
    }

    /// Wrong codes counted since `since`.
    public struct Tally: Sendable, Equatable {
        public var failures: Int
        public var since: Date?
        public init(failures: Int, since: Date?) {
            self.failures = failures
            self.since = since
        }
        public static let none = Tally(failures: 0, since: nil)
    }

    /// Whole seconds until codes are accepted again, or nil when they are accepted now.
    public func retryAfter(_ tally: Tally, at now: Date) -> Int? {
        guard tally.failures >= limit, let since = tally.since else { return nil }
        let wait = since.addingTimeInterval(period).timeIntervalSince(now)
        return wait > 0 ? max(1, Int(wait.rounded(.up))) : nil
    }

    /// The tally after one more wrong code at `now`; a tally older than the period starts again.
    public func afterFailure(_ tally: Tally, at now: Date) -> Tally {
        guard let since = tally.since, now.timeIntervalSince(since) < period else { return Tally(failures: 1, since: now) }
        return Tally(failures: tally.failures + 1, since: since)
    }

    /// Whether this failure is the one that locks the account (so its owner is told once).
    public func locksNow(before: Tally, after: Tally, at now: Date) -> Bool {
        retryAfter(before, at: now) == nil && retryAfter(after, at: now) != nil
    }
}
