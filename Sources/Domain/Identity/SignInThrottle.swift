import Foundation

/// When guessing passwords must stop for a while: too many failures for one account from one client (an address, or
/// a browser's device cookie), or from one address, within a window; and how much to slow an account's sign-in when it
/// has failed from elsewhere. The store counts the failures under locks; this decides what the counts mean.
///
/// ```swift
/// let throttle = SignInThrottle(accountFailureLimit: 5, addressFailureLimit: 20, window: 15 * 60)
/// throttle.retryAfter(account: .init(count: 5, oldest: t0), address: .init(count: 0, oldest: nil), now: t0 + 60)  // 840
/// ```
public struct SignInThrottle: Sendable, Equatable {
    /// Failures within `window` that lock an account, and that block an address.
    public var accountFailureLimit: Int
    public var addressFailureLimit: Int
    /// How far back failures count, in seconds.
    public var window: TimeInterval
    /// The longest an account's failures from elsewhere slow its sign-in, in seconds.
    public var maximumSlowdown: TimeInterval

    public init(accountFailureLimit: Int = 5, addressFailureLimit: Int = 20, window: TimeInterval = 15 * 60, maximumSlowdown: TimeInterval = 5) {
        self.accountFailureLimit = accountFailureLimit
        self.addressFailureLimit = addressFailureLimit
        self.window = window
        self.maximumSlowdown = maximumSlowdown
    }

    /// Seconds to wait before checking a password when the account has failed from other clients: none below the
    /// account's limit, then a second more for each failure, at most `maximumSlowdown`. Failures elsewhere only slow
    /// the owner down, never refuse them: otherwise anyone could lock an officer out on demand.
    public func slowdown(accountFailuresElsewhere failures: Int) -> TimeInterval {
        guard failures >= accountFailureLimit else { return 0 }
        return min(maximumSlowdown, Double(failures - accountFailureLimit + 1))
    }

    /// The recent failures of one account from one client, or of one address: how many, and when the oldest was.
    public struct Failures: Sendable, Equatable {
        public var count: Int
        public var oldest: Date?
        public init(count: Int, oldest: Date?) {
            self.count = count
            self.oldest = oldest
        }
    }

    /// The start of the fixed window (of `window` seconds, counted from the epoch) that holds `now`: refusals of a
    /// throttled account and address are audited once per such window, not once each.
    public func summaryWindowStart(at now: Date) -> Date {
        Date(timeIntervalSince1970: (now.timeIntervalSince1970 / window).rounded(.down) * window)
    }

    /// The earliest instant whose failures still count at `now`.
    public func windowStart(at now: Date) -> Date { now.addingTimeInterval(-window) }

    /// Whole seconds until sign-in is allowed again, or nil when it is allowed now. At least 1 and at most the window:
    /// stored instants keep microseconds and `Date` keeps more, so the rounding is clamped into the window.
    public func retryAfter(account: Failures, address: Failures, now: Date) -> Int? {
        let blockedSince = [
            account.count >= accountFailureLimit ? account.oldest : nil,
            address.count >= addressFailureLimit ? address.oldest : nil,
        ].compactMap { $0 }.min()
        guard let blockedSince else { return nil }
        let wait = Int(ceil(blockedSince.addingTimeInterval(window).timeIntervalSince(now)))
        return min(max(1, wait), Int(window))
    }
}
