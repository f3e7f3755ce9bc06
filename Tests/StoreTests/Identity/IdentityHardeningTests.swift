import Domain
import Foundation
import PQ
@testable import Store
import Testing
import TestSupport

/// Findings of the security review (issue 14) fixed in the store and the schema; each test fails with its fix reverted.
@Suite("identity hardening")
struct IdentityHardeningTests {
    func outboxKinds(_ fixture: IdentityFixture, recipient: String) async throws -> [String] {
        try await fixture.asOwner() { tx in
            try await tx.query("SELECT kind FROM outbox WHERE recipient = \(recipient) ORDER BY created_at, kind").decode(String.self)
        }
    }

    /// Everything the database holds, as `pg_dump --data-only` writes it.
    func dump(_ fixture: IdentityFixture) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["pg_dump", "--data-only", "--enable-row-security", fixture.testDatabase.url(role: .owner)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "pg_dump ran")
        return String(decoding: data, as: UTF8.self)
    }

    @Test("finding 1: after a link is issued, no column of any table holds the live token, with or without the server's key")
    func noTokenAtRest() async throws {
        for secret in [nil, "a test key that is at least 32 characters long"] as [String?] {
            var identity = IdentityConfiguration()
            identity.secretKey = secret
            let key = identity.linkKey
            try await IdentityFixture.with(identity: identity) { fixture in
                let officer = try await fixture.signIn(.officer).session.actor
                let senco = try await fixture.signIn(.senco).session.actor
                let link = try await fixture.users.issuePasswordLink(officer, userID: senco.userID, request: fixture.request())
                #expect(try await fixture.accounts.passwordLinkIsUsable(link.token))
                let everything = try dump(fixture)
                #expect(everything.contains("set_password_link"), "the dump holds the outbox")
                #expect(!everything.contains(link.token), "the token is nowhere in the database")
                let payload = try await fixture.asOwner() { tx in
                    try await tx.one("SELECT payload ->> 'passwordTokenId' FROM outbox WHERE kind = 'set_password_link'").decode(String.self, at: 0)
                }
                if let key, let id = UUID(uuidString: payload) {
                    #expect(SecretToken.derived(from: id, key: key) == link.token, "a mailer with the key rebuilds the link from its id")
                }
            }
        }
    }

    @Test("finding 10: a user who is not an officer cannot deactivate themself or change their email, and nobody reads password hashes")
    func selfEscalation() async throws {
        try await IdentityFixture.with { fixture in
            let senco = try await fixture.signIn(.senco).session.actor
            let officer = try await fixture.signIn(.officer).session.actor
            for statement: SQL in [
                "UPDATE users SET active = false WHERE id = \(senco.userID)",
                "UPDATE users SET email = 'taken@example-city.test' WHERE id = \(senco.userID)",
            ] {
                let error = await #expect(throws: PostgresError.self) { try await fixture.asApp(user: senco.userID) { tx in try await tx.execute(statement) } }
                #expect(error?.sqlState?.code == "42501")
            }
            let renamed = try await fixture.asApp(user: senco.userID) { tx in
                try await tx.execute("UPDATE users SET display_name = 'Sam S' WHERE id = \(senco.userID)")
            }
            #expect(renamed == 1, "their own name they may change")
            for user in [senco.userID, officer.userID] {
                let error = await #expect(throws: PostgresError.self) {
                    try await fixture.asApp(user: user) { tx in try await tx.query("SELECT password_hash, totp_secret FROM users").decode((String?, String?).self) }
                }
                #expect(error?.sqlState?.code == "42501")
            }
        }
    }

    @Test("finding 11: a function the owner creates after the migrations is not executable by the server's role")
    func defaultPrivileges() async throws {
        try await IdentityFixture.with { fixture in
            _ = try await fixture.asOwner() { tx in try await tx.execute("CREATE FUNCTION added_later() RETURNS int LANGUAGE sql AS 'SELECT 1'") }
            let error = await #expect(throws: PostgresError.self) {
                try await fixture.asApp(user: nil) { tx in try await tx.one("SELECT added_later()").decode(Int.self, at: 0) }
            }
            #expect(error?.sqlState?.code == "42501")
        }
    }

    @Test("finding 13: wrong current passwords are audited and throttled like sign-ins")
    func changePasswordGuesses() async throws {
        try await IdentityFixture.with { fixture in
            let senco = try await fixture.signIn(.senco)
            for attempt in 1...4 {
                await #expect(throws: DomainError.validation([.init(pointer: "/currentPassword", detail: "Your current password is not correct.")]), "try \(attempt)") {
                    try await fixture.accounts.changePassword(senco.session, current: "guess \(attempt)", new: "saffron lighthouse", request: fixture.request("10.5.0.1"))
                }
            }
            // The fifth failure of the account is its sign-in's too; the next guess is refused before it is checked.
            await #expect(throws: DomainError.validation([.init(pointer: "/currentPassword", detail: "Your current password is not correct.")])) {
                try await fixture.accounts.changePassword(senco.session, current: "guess 5", new: "saffron lighthouse", request: fixture.request("10.5.0.1"))
            }
            let refused = await #expect(throws: DomainError.self) {
                try await fixture.accounts.changePassword(senco.session, current: IdentityFixture.password, new: "saffron lighthouse", request: fixture.request("10.5.0.1"))
            }
            guard case .throttled? = refused else { Issue.record("expected a throttle, got \(String(describing: refused))"); return }
            let officer = try await fixture.signIn(.officer, address: "10.6.0.1").session.actor
            let failures = try await fixture.audit.list(officer, filter: AuditFilter(entityType: "user", entityID: senco.session.actor.userID.description), page: 1)
            #expect(failures.items.filter { $0.action == "password.change_failed" }.count == 5)
        }
    }

    @Test("finding 14: changing a password ends unused set-password links and half-done sign-ins, and tells the user")
    func changePasswordEndsOtherWaysIn() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer).session.actor
            let senco = try await fixture.signIn(.senco)
            let other = try await fixture.signIn(.senco, address: "10.7.0.1")
            let link = try await fixture.users.issuePasswordLink(officer, userID: senco.session.actor.userID, request: fixture.request())
            try await fixture.accounts.changePassword(senco.session, current: IdentityFixture.password, new: "saffron lighthouse", request: fixture.request())
            #expect(try await fixture.accounts.passwordLinkIsUsable(link.token) == false)
            #expect(try await fixture.accounts.authenticate(token: other.token) == nil, "other sessions end")
            #expect(try await fixture.accounts.authenticate(token: senco.token) != nil, "this one stays")
            #expect(try await outboxKinds(fixture, recipient: IdentityFixture.Person.senco.rawValue).contains("password_changed"))
        }
    }

    @Test("finding 15: ten wrong codes lock an account's codes for a day, even the right one, and its owner is told")
    func codeLockout() async throws {
        try await IdentityFixture.with { fixture in
            let email = IdentityFixture.Person.officer.rawValue
            let key = TOTP.secret(base32: IdentityFixture.totpSecret) ?? []
            for attempt in 1...10 {
                fixture.clock.advance(by: 16 * 60)  // past the quarter-hour throttle each time: this cap is across windows
                await #expect(throws: DomainError.unauthenticated(AccountStore.wrongCode), "code \(attempt)") {
                    _ = try await fixture.accounts.signIn(email: email, password: IdentityFixture.password, otp: "000000", kind: .api, request: fixture.request())
                }
            }
            fixture.clock.advance(by: 16 * 60)
            let locked = await #expect(throws: DomainError.self) {
                _ = try await fixture.accounts.signIn(
                    email: email, password: IdentityFixture.password, otp: TOTP.code(secret: key, at: fixture.clock.now), kind: .api, request: fixture.request()
                )
            }
            guard case .throttled(let seconds)? = locked else { Issue.record("expected a lock, got \(String(describing: locked))"); return }
            #expect(seconds > 0 && seconds <= 24 * 60 * 60)
            #expect(try await outboxKinds(fixture, recipient: email).contains("second_factor_locked"))
            fixture.clock.advance(by: 24 * 60 * 60)
            _ = try await fixture.signIn(.officer)
        }
    }

    @Test("finding 15: using a recovery code tells the account's owner")
    func recoveryCodeNotice() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            let codes = try await fixture.database.transaction(actingAs: officer.session.actor.userID) { tx in
                try await fixture.accounts.replaceRecoveryCodes(for: officer.session.actor.userID, now: fixture.clock.now, in: tx)
            }
            fixture.clock.advance(by: 60)
            _ = try await fixture.accounts.signIn(
                email: IdentityFixture.Person.officer.rawValue, password: IdentityFixture.password, otp: codes[0], kind: .api, request: fixture.request()
            )
            #expect(try await outboxKinds(fixture, recipient: IdentityFixture.Person.officer.rawValue).contains("recovery_code_used"))
        }
    }

    @Test("finding 18: sign-in attempts older than the throttle window are purged at the next sign-in, and counted by day")
    func attemptsPurged() async throws {
        try await IdentityFixture.with { fixture in
            _ = try await fixture.signIn(.senco)
            await #expect(throws: DomainError.unauthenticated("Enter a correct email address and password.")) {
                _ = try await fixture.accounts.signIn(email: "nobody@example-city.test", password: "wrong wrong wrong", kind: .browser, request: fixture.request())
            }
            fixture.clock.advance(by: 16 * 60)
            _ = try await fixture.signIn(.headteacher)
            let (kept, counted) = try await fixture.asOwner() { tx in
                try await tx.one(
                    "SELECT (SELECT count(*) FROM sign_in_attempts), (SELECT coalesce(sum(attempts), 0)::bigint FROM sign_in_attempt_counts)"
                ).decode((Int, Int).self)
            }
            #expect(kept == 1, "only the newest attempt is kept")
            #expect(counted >= 2, "the purged ones are counted")
            let typed = try dump(fixture)
            #expect(!typed.contains("nobody@example-city.test"), "a typed email is gone")
        }
    }

    @Test("finding 4: a password-only session stops working when its user is made an officer, or the council requires a second factor of all")
    func stepUp() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer).session.actor
            let senco = try await fixture.signIn(.senco, kind: .api)
            let head = try await fixture.signIn(.headteacher, kind: .api)
            #expect(try await fixture.accounts.authenticate(token: senco.token) != nil)
            _ = try await fixture.users.assignRole(
                officer, userID: senco.session.actor.userID, role: .officer, scope: .council, startsOn: CalendarDate.today(at: fixture.clock.now),
                request: fixture.request()
            )
            await #expect(throws: AccountStore.stepUpRequired) { _ = try await fixture.accounts.authenticate(token: senco.token) }
            #expect(try await fixture.accounts.authenticate(token: head.token) != nil)
            _ = try await fixture.asOwner() { tx in try await tx.execute("UPDATE council_settings SET second_factor_for_everyone = true") }
            await #expect(throws: AccountStore.stepUpRequired) { _ = try await fixture.accounts.authenticate(token: head.token) }
        }
    }
}
