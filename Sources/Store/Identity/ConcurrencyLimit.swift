import Synchronization

/// Lets at most `limit` pieces of work run at once and at most `queueLimit` wait their turn; past that, work is
/// refused at once with `ServerBusy`, so a flood of sign-ins meets a quick 503 instead of a queue that starves
/// everyone (each bcrypt check at cost 12 is a quarter of a second of a core).
///
/// ```swift
/// let limit = ConcurrencyLimit(limit: 2, queueLimit: 16)
/// let matches = try await limit.run { try await threads.runIfActive { Bcrypt.verify(password, hash: hash) } }
/// ```
public final class ConcurrencyLimit: Sendable {
    public let limit: Int
    public let queueLimit: Int

    private struct State {
        var running = 0
        var waiting: [CheckedContinuation<Bool, Never>] = []
    }
    private let state = Mutex(State())

    public init(limit: Int, queueLimit: Int) {
        self.limit = max(1, limit)
        self.queueLimit = max(0, queueLimit)
    }

    /// Runs `body` when a place is free, waiting in turn behind at most `queueLimit` others.
    /// - Throws: `ServerBusy` at once when the queue is full; whatever `body` throws.
    public func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let refused = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            state.withLock { state in
                if state.running < limit {
                    state.running += 1
                    continuation.resume(returning: false)
                } else if state.waiting.count >= queueLimit {
                    continuation.resume(returning: true)
                } else {
                    // Resumed by `release`, which hands over its place.
                    state.waiting.append(continuation)
                }
            }
        }
        if refused { throw ServerBusy() }
        defer { release() }
        return try await body()
    }

    /// How many run now and how many wait, for tests and metrics.
    public var load: (running: Int, waiting: Int) { state.withLock { ($0.running, $0.waiting.count) } }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            if state.waiting.isEmpty {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume(returning: false)
    }
}

/// Too much work is queued already: try again in a moment (answered 503 with `Retry-After`).
public struct ServerBusy: Error, Sendable, Equatable {
    public init() {}
}
