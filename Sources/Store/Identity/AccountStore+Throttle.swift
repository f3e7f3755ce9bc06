import Domain
import Foundation
import PQ

/// Sign-in throttling: counting tries under locks, and asking `SignInThrottle` what the counts mean.
extension AccountStore {
    /// Seconds until sign-in is allowed again, or nil when it is allowed now (`SignInThrottle` decides). The account
    /// is counted from this client only (`address` is the throttle address, or a trusted browser's device key).
    func throttledSeconds(emailKey: String, address: String, now: Date, in tx: Transaction) async throws -> Int? {
        let throttle = configuration.throttle
        let failures = try await tx.one(
            """
            SELECT count(*) FILTER (WHERE email_lower = \(emailKey)), min(attempted_at) FILTER (WHERE email_lower = \(emailKey)),
                   count(*), min(attempted_at)
            FROM sign_in_attempts
            WHERE NOT succeeded AND attempted_at > \(throttle.windowStart(at: now)) AND client_address = \(address)
            """
        ).decode((Int, Date?, Int, Date?).self)
        return throttle.retryAfter(
            account: .init(count: failures.0, oldest: failures.1), address: .init(count: failures.2, oldest: failures.3), now: now
        )
    }

    /// How long to wait before checking this try's password, for the account's recent failures from other clients.
    func accountSlowdown(emailKey: String, address: String, now: Date, in tx: Transaction) async throws -> TimeInterval {
        let throttle = configuration.throttle
        let elsewhere = try await tx.one(
            """
            SELECT count(*) FROM sign_in_attempts
            WHERE NOT succeeded AND attempted_at > \(throttle.windowStart(at: now)) AND email_lower = \(emailKey) AND client_address <> \(address)
            """
        ).decode(Int.self, at: 0)
        return throttle.slowdown(accountFailuresElsewhere: elsewhere)
    }

    /// Counts a try before it is checked: under locks on the account and the address, so parallel guesses queue and
    /// each sees the ones before it. The attempt is written as failed and marked succeeded once it proves right.
    /// - Returns: the attempt's id, or nil when the account or address is throttled now.
    func countAttempt(emailKey: String, request: RequestInfo, now: Date, in tx: Transaction) async throws -> Int? {
        // Always the account first, then the address, so two sign-ins never wait on each other in a circle.
        try await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended('sign-in:account:' || \(emailKey), 0))")
        try await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended('sign-in:address:' || \(request.throttleAddress), 0))")
        // What the throttle no longer needs is not kept (counted by day instead).
        try await tx.execute("SELECT sign_in_attempts_purge(\(configuration.throttle.windowStart(at: now)))")
        if try await throttledSeconds(emailKey: emailKey, address: request.throttleAddress, now: now, in: tx) != nil { return nil }
        return try await tx.one(
            """
            INSERT INTO sign_in_attempts (email_lower, client_address, succeeded, attempted_at)
            VALUES (\(emailKey), \(request.throttleAddress), false, \(now)) RETURNING id
            """
        ).decode(Int.self, at: 0)
    }
}
