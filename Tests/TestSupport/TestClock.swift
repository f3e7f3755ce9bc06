import Foundation
import Store
import Synchronization

/// A clock a test moves by hand, to cross session timeouts and throttle windows without waiting.
public final class TestClock: Sendable {
    private let instant: Mutex<Date>

    /// Every test starts at the same instant, so a date boundary falls the same way in every run: Wednesday
    /// 18 November 2026, 10:00 in London (GMT), in the autumn term.
    public static let start = Date(timeIntervalSince1970: 1794996000)  // 2026-11-18T10:00:00Z

    public init(_ start: Date = TestClock.start) { instant = Mutex(start) }

    public var now: Date { instant.withLock { $0 } }

    public func advance(by seconds: TimeInterval) { instant.withLock { $0 = $0.addingTimeInterval(seconds) } }

    public var clock: WallClock { WallClock { [self] in now } }
}
