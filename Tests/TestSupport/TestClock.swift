import Foundation
import Store
import Synchronization

/// A clock a test moves by hand, to cross session timeouts and throttle windows without waiting.
public final class TestClock: Sendable {
    private let instant: Mutex<Date>

    public init(_ start: Date = Date()) { instant = Mutex(start) }

    public var now: Date { instant.withLock { $0 } }

    public func advance(by seconds: TimeInterval) { instant.withLock { $0 = $0.addingTimeInterval(seconds) } }

    public var clock: WallClock { WallClock { [self] in now } }
}
