import Foundation
import Synchronization

/// Remembers, per server process, which throttle windows (`SignInThrottle.summaryWindowStart`) of an account and
/// address have had their refusal audited, so a flood of refused sign-ins writes one audit event per window, account
/// and address. Windows before the current one are forgotten as time moves on, and one window holds at most
/// `capacity` pairs: a blocked address sending a new email each time cannot grow it, or the trail, without end.
final class ThrottledWindows: Sendable {
    static let capacity = 10_000

    private struct Key: Hashable {
        var emailKey: String
        var address: String
    }

    private struct State {
        var window: Date?
        var seen: Set<Key> = []
    }

    private let state = Mutex(State())

    /// True the first time a refusal for this account and address is met in `window`, false after.
    func isFirstRefusal(window: Date, emailKey: String, address: String) -> Bool {
        state.withLock { state in
            if state.window != window {
                state.window = window
                state.seen = []
            }
            guard state.seen.count < Self.capacity else { return false }
            return state.seen.insert(Key(emailKey: emailKey, address: address)).inserted
        }
    }
}
