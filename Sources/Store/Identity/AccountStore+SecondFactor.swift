import Domain
import Foundation
import PQ

/// What the second step of sign-in shows: a code box, or (while enrolling) the secret to scan first.
public struct ChallengeView: Sendable {
    public var enrolling: Bool
    /// The new secret, in base32, for typing into an app by hand.
    public var secret: String?
    /// The `otpauth://` URI for the QR code.
    public var provisioningURI: String?
}

/// The browser's half-done sign-in has expired or was used already: the person starts again with their password.
/// A type of its own, so the sign-in page can tell it from a wrong code without reading the message.
public struct SignInTimedOut: Error, Equatable, Sendable {
    public let message = "Your sign-in has timed out. Sign in again with your email address and password."
    public init() {}
}

/// A completed two-step sign-in; recovery codes are present (once, never again) when the user has just enrolled.
public struct CompletedSignIn: Sendable {
    public var signedIn: SignedIn
    public var recoveryCodes: [String]
}

extension AccountStore {
    static let challengeLifetime: TimeInterval = 5 * 60
    /// Characters of a recovery code, 5 bits each.
    static let recoveryCodeLength = 24
    public static let expiredChallenge = SignInTimedOut()

    func createChallenge(for userID: ID<User>, enrolling: Bool, request: RequestInfo, now: Date, in tx: Transaction) async throws -> String {
        let token = SecretToken.generate()
        let pending = enrolling ? TOTP.base32(TOTP.newSecret()) : nil
        try await tx.execute(
            """
            INSERT INTO sign_in_challenges (user_id, token_hash, pending_secret, expires_at, client_address)
            VALUES (\(userID), \(SecretToken.hash(token)), \(pending), \(now.addingTimeInterval(Self.challengeLifetime)), \(request.clientAddress))
            """
        )
        try await AuditLog.append(
            .init(actor: userID, action: "sign_in.password_accepted", entityType: "user", entityID: userID.description,
                  after: ["next": enrolling ? "set up second factor" : "enter code"]),
            request: request, in: tx
        )
        return token
    }

    /// Checks a TOTP code (never one already used) or an unused recovery code, and uses it up. Wrong codes are
    /// counted against the account (`SecondFactorLockout`); once locked, no code is even checked.
    /// - Throws: `DomainError.throttled` while the account's codes are locked.
    func acceptSecondFactor(_ code: String, userID: ID<User>, secret: String, request: RequestInfo, now: Date, in tx: Transaction) async throws -> Bool {
        let (failures, since, last) = try await tx.one(
            "SELECT code_failures, code_failures_since, totp_last_step FROM users WHERE id = \(userID) FOR UPDATE"
        ).decode((Int, Date?, Int64?).self)
        let tally = SecondFactorLockout.Tally(failures: failures, since: since)
        if let wait = lockout.retryAfter(tally, at: now) { throw DomainError.throttled(retryAfterSeconds: wait) }
        let accepted = try await checkCode(code, userID: userID, secret: secret, lastStep: last, request: request, now: now, in: tx)
        let next = accepted ? .none : lockout.afterFailure(tally, at: now)
        if next != tally {
            try await tx.execute("UPDATE users SET code_failures = \(next.failures), code_failures_since = \(next.since) WHERE id = \(userID)")
        }
        if !accepted, lockout.locksNow(before: tally, after: next, at: now) {
            try await tx.execute("SELECT notify_own_account('second_factor_locked', \(now))")
            try await AuditLog.append(.init(actor: userID, action: "second_factor.locked", entityType: "user", entityID: userID.description), request: request, in: tx)
        }
        return accepted
    }

    private func checkCode(_ code: String, userID: ID<User>, secret: String, lastStep: Int64?, request: RequestInfo, now: Date, in tx: Transaction) async throws -> Bool {
        let compact = code.filter { !$0.isWhitespace && $0 != "-" }.uppercased()
        if compact.count == TOTP.digits {
            guard let key = TOTP.secret(base32: secret), let step = TOTP.matchingStep(for: compact, secret: key, at: now, after: lastStep) else { return false }
            // Conditional, so two requests racing with the same code cannot both succeed.
            return try await tx.execute(
                "UPDATE users SET totp_last_step = \(step) WHERE id = \(userID) AND (totp_last_step IS NULL OR totp_last_step < \(step))"
            ) == 1
        }
        let used = try await tx.execute(
            "UPDATE recovery_codes SET used_at = \(now) WHERE user_id = \(userID) AND code_hash = \(SecretToken.hash(compact)) AND used_at IS NULL"
        )
        if used == 1 {
            try await AuditLog.append(.init(actor: userID, action: "recovery_code.used", entityType: "user", entityID: userID.description), request: request, in: tx)
            try await tx.execute("SELECT notify_own_account('recovery_code_used', \(now))")
        }
        return used == 1
    }

    /// The second step a browser's challenge is waiting on, or nil once it has expired or been used.
    public func challenge(_ token: String) async throws -> ChallengeView? {
        guard let found = try await findChallenge(token) else { return nil }
        guard let pending = found.pendingSecret, let key = TOTP.secret(base32: pending) else {
            return ChallengeView(enrolling: false, secret: nil, provisioningURI: nil)
        }
        return ChallengeView(enrolling: true, secret: pending, provisioningURI: TOTP.provisioningURI(secret: key, account: found.email))
    }

    private struct FoundChallenge {
        var id: UUID
        var userID: ID<User>
        var email: String
        var pendingSecret: String?
    }

    private func findChallenge(_ token: String) async throws -> FoundChallenge? {
        guard !token.isEmpty, token.count <= 100 else { return nil }
        let now = clock.now()
        return try await database.transaction(actingAs: nil) { tx in
            guard let row = try await tx.first(
                "SELECT challenge_id, user_id, email, pending_secret, expires_at, used_at, user_active FROM auth_challenge(\(SecretToken.hash(token)))"
            ) else { return nil }
            let (id, userID, email, pending, expires, used, active) = try row.decode((UUID, ID<User>, String, String?, Date, Date?, Bool).self)
            guard used == nil, active, now < expires else { return nil }
            return FoundChallenge(id: id, userID: userID, email: email, pendingSecret: pending)
        }
    }

    /// Finishes a browser sign-in with a code: enrols the new secret (returning fresh recovery codes) or checks the
    /// code against the enrolled one. Wrong codes count towards the account's sign-in throttle.
    public func completeSignIn(challenge token: String, code: String, request: RequestInfo) async throws -> CompletedSignIn {
        guard let found = try await findChallenge(token) else { throw Self.expiredChallenge }
        let emailKey = found.email.lowercased()
        let now = clock.now()
        // Each code is a guess: counted (under the account's lock) before it is checked.
        let attempt = try await database.transaction(actingAs: nil) { tx in
            try await countAttempt(emailKey: emailKey, request: request, now: now, in: tx)
        }
        guard let attempt else {
            let wait = try await database.transaction(actingAs: nil) { tx in
                try await throttledSeconds(emailKey: emailKey, address: request.throttleAddress, now: now, in: tx)
            }
            throw DomainError.throttled(retryAfterSeconds: wait ?? 1)
        }
        let result = try await database.transaction(actingAs: found.userID) { tx -> CompletedSignIn? in
            guard let actor = try await loadActor(found.userID, in: tx) else { throw Self.expiredChallenge }
            var recoveryCodes: [String] = []
            if let pending = found.pendingSecret {
                guard let key = TOTP.secret(base32: pending), let step = TOTP.matchingStep(for: code, secret: key, at: now, after: nil) else { return nil }
                // Only a user with no second factor yet: a second enrolling challenge cannot replace a finished one.
                guard try await tx.one("SELECT auth_enrol_own_second_factor(\(pending), \(step), \(now))").decode(Bool.self, at: 0)
                else { throw Self.expiredChallenge }
                recoveryCodes = try await replaceRecoveryCodes(for: found.userID, now: now, in: tx)
                // A second factor set up with only a password: its owner is told, in case it was not them.
                try await tx.execute("SELECT notify_own_account('second_factor_enrolled', \(now))")
                try await AuditLog.append(
                    .init(actor: found.userID, action: "second_factor.enrolled", entityType: "user", entityID: found.userID.description),
                    request: request, in: tx
                )
            } else {
                guard let secret = try await tx.first("SELECT totp_secret FROM auth_own_secrets()")?.decode(String?.self, at: 0) ?? nil,
                    try await acceptSecondFactor(code, userID: found.userID, secret: secret, request: request, now: now, in: tx)
                else { return nil }
            }
            guard try await tx.execute(
                "UPDATE sign_in_challenges SET used_at = \(now), pending_secret = NULL WHERE id = \(found.id) AND used_at IS NULL"
            ) == 1 else { throw Self.expiredChallenge }
            // Any other open challenge of this user ends too, with its unused secret.
            try await tx.execute(
                "UPDATE sign_in_challenges SET used_at = \(now), pending_secret = NULL WHERE user_id = \(found.userID) AND used_at IS NULL"
            )
            let signedIn = try await createSession(for: actor, kind: .browser, secondFactor: true, attempt: attempt, request: request, now: now, in: tx)
            return CompletedSignIn(signedIn: signedIn, recoveryCodes: recoveryCodes)
        }
        guard let result else {
            try await auditFailure(userID: found.userID, action: "sign_in.second_factor_failed", request: request)
            throw DomainError.unauthenticated(Self.wrongCode)
        }
        return result
    }

    /// Ten new single-use recovery codes (`ABCDEF-GHJKLM-NPQRST-UVWXYZ`, 120 random bits each); the old ones stop
    /// working. 120 bits make an unsalted SHA-256 of each safe to keep: no sweep of the code space after a leak of the
    /// table is feasible, as it was at 50 bits.
    func replaceRecoveryCodes(for userID: ID<User>, now: Date, in tx: Transaction) async throws -> [String] {
        try await tx.execute("UPDATE recovery_codes SET used_at = \(now) WHERE user_id = \(userID) AND used_at IS NULL")
        var codes: [String] = []
        for _ in 0..<10 {
            // 24 base32 characters of a 160-bit secret: 120 bits.
            let raw = String(TOTP.base32(TOTP.newSecret()).prefix(Self.recoveryCodeLength))
            codes.append(stride(from: 0, to: raw.count, by: 6).map { start in
                String(raw.dropFirst(start).prefix(6))
            }.joined(separator: "-"))
            try await tx.execute("INSERT INTO recovery_codes (user_id, code_hash) VALUES (\(userID), \(SecretToken.hash(raw)))")
        }
        return codes
    }
}
