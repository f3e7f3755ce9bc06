import CEpoll
import Foundation

/// Waits for connections' sockets to become readable or writable, on one thread of its own (Linux's epoll).
///
/// A statement is sent from the caller's thread without blocking (`PQsendQueryPrepared` on a non-blocking
/// connection), the caller suspends here, and it resumes when the server's answer arrives. No thread sits blocked
/// in libpq while PostgreSQL works, and one wake-up of this thread can hand back many answers at once under load.
final class SocketPoller: @unchecked Sendable {
    struct Events: OptionSet, Sendable {
        let rawValue: UInt32
        static let readable = Events(rawValue: UInt32(EPOLLIN.rawValue))
        static let writable = Events(rawValue: UInt32(EPOLLOUT.rawValue))
    }

    private let epoll: Int32
    /// Written once, to stop the thread.
    private let stopper: Int32
    private let lock = NSLock()
    /// Who waits on which socket; guarded by `lock`. A socket has at most one waiter: its connection runs one
    /// statement at a time.
    private var waiters: [Int32: CheckedContinuation<Events, any Error>] = [:]
    private var stopped = false

    init() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        stopper = eventfd(0, Int32(EFD_CLOEXEC))
        if epoll >= 0, stopper >= 0 {
            var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(fd: stopper))
            _ = epoll_ctl(epoll, EPOLL_CTL_ADD, stopper, &event)
            let thread = Thread { [self] in run() }
            thread.name = "PQ-poller"
            thread.start()
        } else {
            stopped = true
        }
    }

    deinit {
        if epoll >= 0 { close(epoll) }
        if stopper >= 0 { close(stopper) }
    }

    /// Suspends until `socket` is ready for one of `events` (or has hung up); returns what it is ready for.
    /// - Throws: `PostgresError` of kind `.connection` when the poller has stopped or cannot watch the socket.
    func wait(for events: Events, on socket: Int32) async throws -> Events {
        try await withCheckedThrowingContinuation { continuation in
            lock.lock()
            guard !stopped else {
                lock.unlock()
                continuation.resume(throwing: PostgresError(kind: .connection, message: "the connection pool is closed"))
                return
            }
            waiters[socket] = continuation
            lock.unlock()
            // One-shot: the socket is watched again only when someone waits on it again. A socket closed since it was
            // last watched left epoll with it, so "not there" means "add it".
            var event = epoll_event(events: events.rawValue | EPOLLONESHOT.rawValue, data: epoll_data_t(fd: socket))
            if epoll_ctl(epoll, EPOLL_CTL_MOD, socket, &event) != 0,
               errno != ENOENT || epoll_ctl(epoll, EPOLL_CTL_ADD, socket, &event) != 0 {
                let reason = String(cString: strerror(errno))
                lock.lock()
                let waiter = waiters.removeValue(forKey: socket)
                lock.unlock()
                waiter?.resume(throwing: PostgresError(kind: .connection, message: "cannot watch the database socket: \(reason)"))
            }
        }
    }

    /// Stops the thread; anyone still waiting gets an error.
    func stop() {
        lock.lock()
        let alreadyStopped = stopped
        stopped = true
        let left = waiters
        waiters.removeAll()
        lock.unlock()
        guard !alreadyStopped else { return }
        var one: UInt64 = 1
        _ = write(stopper, &one, MemoryLayout<UInt64>.size)
        for waiter in left.values {
            waiter.resume(throwing: PostgresError(kind: .connection, message: "the connection pool is closed"))
        }
    }

    private func run() {
        let capacity = 64
        let ready = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { ready.deallocate() }
        while true {
            let count = epoll_wait(epoll, ready, Int32(capacity), -1)
            if count < 0 {
                if errno == EINTR { continue }
                return
            }
            for index in 0..<Int(count) {
                let socket = ready[index].data.fd
                if socket == stopper { return }
                lock.lock()
                let waiter = waiters.removeValue(forKey: socket)
                lock.unlock()
                waiter?.resume(returning: Events(rawValue: ready[index].events))
            }
        }
    }
}
