import Domain
import Foundation
import PQ

/// Passwords: changing one's own, and setting one from a link an officer issued.
extension AccountStore {
    /// Changes the actor's password after checking the current one; ends their other sessions, unused set-password
    /// links and half-done sign-ins, and tells them. The current password is a guess like any sign-in: counted against
    /// the account and the address before it is checked, and a wrong one is audited.
    /// - Throws: `.validation` for a weak new password or a wrong current one; `.throttled` after too many wrong ones.
    public func changePassword(_ session: Authenticated, current: String, new: String, request: RequestInfo) async throws {
        let userID = session.actor.userID
        let problems = PasswordRules.problems(with: new, commonPasswords: PasswordHasher.commonPasswords)
        guard problems.isEmpty else { throw DomainError.validation(problems.map { .init(pointer: "/newPassword", detail: $0) }) }
        let now = clock.now()
        let checked = try await database.transaction(actingAs: userID) { tx -> (attempt: Int?, stored: String?, email: String) in
            let email = try await tx.one("SELECT email FROM users WHERE id = \(userID)").decode(String.self, at: 0)
            let attempt = try await countAttempt(emailKey: PersonDetails.key(email), request: request, now: now, in: tx)
            let stored = try await tx.first("SELECT password_hash FROM auth_own_secrets()")?.decode(String?.self, at: 0) ?? nil
            return (attempt, stored, email)
        }
        guard let attempt = checked.attempt else {
            let wait = try await database.transaction(actingAs: nil) { tx in
                try await throttledSeconds(emailKey: PersonDetails.key(checked.email), address: request.clientAddress, now: now, in: tx)
            }
            throw DomainError.throttled(retryAfterSeconds: wait ?? 1)
        }
        guard try await hasher.verify(current, hash: checked.stored) else {
            try await auditFailure(userID: userID, action: "password.change_failed", request: request)
            throw DomainError.validation([.init(pointer: "/currentPassword", detail: "Your current password is not correct.")])
        }
        let hash = try await hasher.hash(new)
        try await database.transaction(actingAs: userID) { tx in
            try await tx.execute("UPDATE sign_in_attempts SET succeeded = true WHERE id = \(attempt)")
            try await tx.execute("UPDATE users SET password_hash = \(hash), updated_at = \(now) WHERE id = \(userID)")
            let ended = try await tx.one(
                "SELECT sessions, password_links, challenges FROM self_revoke_other_access(\(session.sessionID), \(now))"
            ).decode((Int, Int, Int).self)
            try await tx.execute("SELECT notify_own_account('password_changed', \(now))")
            try await AuditLog.append(
                .init(actor: userID, action: "password.changed", entityType: "user", entityID: userID.description,
                      after: ["sessionsEnded": String(ended.0), "passwordLinksWithdrawn": String(ended.1), "signInChallengesEnded": String(ended.2)]),
                request: request, in: tx
            )
        }
    }

    /// Whether a set-password link can still be used, for showing its form.
    public func passwordLinkIsUsable(_ token: String) async throws -> Bool {
        let now = clock.now()
        return try await database.transaction(actingAs: nil) { tx in
            guard let row = try await tx.first("SELECT expires_at, used_at, user_active FROM auth_password_token(\(SecretToken.hash(token)))") else { return false }
            let (expires, used, active) = try row.decode((Date, Date?, Bool).self)
            return used == nil && active && now < expires
        }
    }

    /// Sets a password from a single-use link, and ends every session the user had.
    /// - Throws: `.validation` for a weak password; `.notFound` for an unknown, used or expired link.
    public func setPassword(token: String, newPassword: String, request: RequestInfo) async throws {
        // The link first: advice about the password is useless, and a hint to a guesser, if the link is dead.
        guard try await passwordLinkIsUsable(token) else { throw Self.unusableLink }
        let problems = PasswordRules.problems(with: newPassword, commonPasswords: PasswordHasher.commonPasswords)
        guard problems.isEmpty else { throw DomainError.validation(problems.map { .init(pointer: "/password", detail: $0) }) }
        let hash = try await hasher.hash(newPassword)
        let now = clock.now()
        try await database.transaction(actingAs: nil) { tx in
            guard let userID = try await tx.first("SELECT auth_consume_password_token(\(SecretToken.hash(token)), \(hash), \(now))")?
                .decode(ID<User>?.self, at: 0)
            else { throw Self.unusableLink }
            try await tx.execute("SELECT set_config('app.user_id', \(userID.description), true)")
            // Every other link and half-done sign-in ends with the old password (the function above ended the sessions).
            _ = try await tx.one("SELECT sessions FROM self_revoke_other_access(NULL, \(now))")
            try await AuditLog.append(.init(actor: userID, action: "password.set_from_link", entityType: "user", entityID: userID.description), request: request, in: tx)
        }
    }

    static let unusableLink = DomainError.notFound(
        "This link to set a password has expired or has already been used. Ask a council officer for a new one."
    )
}
