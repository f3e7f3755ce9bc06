import Domain
import Foundation
import PQ
@testable import Store
import Testing
import TestSupport

@Suite("signing in and sessions")
struct AccountTests {
    @Test("a right password signs in; a wrong password and an unknown email answer identically")
    func signIn() async throws {
        try await IdentityFixture.with { fixture in
            let signedIn = try await fixture.signIn(.officer)
            #expect(signedIn.token.count == 43)
            #expect(signedIn.session.actor.isOfficer)
            let wrong = await #expect(throws: DomainError.self) {
                try await fixture.accounts.signIn(email: "officer@example-city.test", password: "not the password", kind: .browser, request: fixture.request())
            }
            let unknown = await #expect(throws: DomainError.self) {
                try await fixture.accounts.signIn(email: "nobody@example-city.test", password: "not the password", kind: .browser, request: fixture.request())
            }
            #expect(wrong == unknown)
            #expect(wrong == .unauthenticated("Enter a correct email address and password."))
            // Email is matched without regard to case or surrounding spaces.
            _ = try await fixture.accounts.signIn(email: "  SENCO.Ashgrove@Example-City.test ", password: IdentityFixture.password, kind: .api, request: fixture.request())
        }
    }

    @Test("the session secret is stored only as its SHA-256")
    func tokenHashed() async throws {
        try await IdentityFixture.with { fixture in
            let signedIn = try await fixture.signIn(.senco)
            let owner = fixture.testDatabase.pool(role: .owner)
            let stored = try await owner.withConnection { lease in
                try await lease.query("SELECT encode(token_hash, 'hex') FROM sessions").decode((String).self)
            }
            await owner.close()
            #expect(stored.count == 1)
            #expect(!stored[0].contains(signedIn.token))
            #expect(stored[0].count == 64)
        }
    }

    @Test("five failures lock an account from that address for 15 minutes with a Retry-After, then it opens again")
    func accountThrottle() async throws {
        try await IdentityFixture.with { fixture in
            for attempt in 1...5 {
                await #expect(throws: DomainError.unauthenticated("Enter a correct email address and password."), "attempt \(attempt)") {
                    try await fixture.accounts.signIn(email: "senco.ashgrove@example-city.test", password: "guess \(attempt) wrong", kind: .browser, request: fixture.request("10.0.0.7"))
                }
            }
            // Even the right password is refused now, from that address.
            let refused = await #expect(throws: DomainError.self) { _ = try await fixture.signIn(.senco, address: "10.0.0.7") }
            guard case .throttled(let seconds)? = refused else {
                Issue.record("expected throttling, got \(String(describing: refused))")
                return
            }
            #expect(seconds > 0 && seconds <= 15 * 60)
            // Other accounts are unaffected.
            _ = try await fixture.signIn(.headteacher, address: "10.0.0.7")
            fixture.clock.advance(by: 15 * 60 + 1)
            _ = try await fixture.signIn(.senco, address: "10.0.0.7")
        }
    }

    @Test("six failures from one address do not refuse the owner from another: they only slow them down")
    func failuresElsewhereOnlySlow() async throws {
        var identity = IdentityConfiguration()
        identity.maximumSlowdown = .seconds(1)
        try await IdentityFixture.with(identity: identity) { fixture in
            for attempt in 1...6 {
                _ = try? await fixture.accounts.signIn(
                    email: "senco.ashgrove@example-city.test", password: "guess \(attempt) wrong", kind: .api, request: fixture.request("198.51.100.6")
                )
            }
            let started = ContinuousClock.now
            _ = try await fixture.signIn(.senco, address: "10.0.0.8")
            #expect(ContinuousClock.now - started >= .seconds(1), "slowed by the failures from elsewhere")
            await #expect(throws: DomainError.self) { _ = try await fixture.signIn(.senco, address: "198.51.100.6") }
        }
        #expect(SignInThrottle().slowdown(accountFailuresElsewhere: 4) == 0)
        #expect(SignInThrottle().slowdown(accountFailuresElsewhere: 5) == 1)
        #expect(SignInThrottle().slowdown(accountFailuresElsewhere: 500) == 5, "never more than five seconds")
    }

    @Test("twenty failures from an address do not refuse a browser with a device cookie from it; a cookie proves only its own account")
    func deviceCookieExempts() async throws {
        try await IdentityFixture.with { fixture in
            let email = IdentityFixture.Person.senco.rawValue
            guard case .signedIn(let first) = try await fixture.accounts.signIn(
                email: email, password: IdentityFixture.password, kind: .browser, request: fixture.request("192.0.2.7")
            ) else { Issue.record("expected a session"); return }
            let device = try #require(first.deviceCookie)
            for attempt in 1...20 {
                _ = try? await fixture.accounts.signIn(email: "user\(attempt)@example-city.test", password: "nope nope nope", kind: .api, request: fixture.request("192.0.2.7"))
            }
            func signIn(_ email: String, cookie: String?) async throws -> SignInOutcome {
                try await fixture.accounts.signIn(
                    email: email, password: IdentityFixture.password, kind: .browser, request: fixture.request("192.0.2.7"), deviceCookie: cookie
                )
            }
            await #expect(throws: DomainError.self, "the address is blocked") { _ = try await signIn(email, cookie: nil) }
            guard case .signedIn = try await signIn(email, cookie: device) else { Issue.record("the device cookie did not let its owner in"); return }
            let forged = String(device.prefix(44)) + String(repeating: "A", count: device.count - 44)
            await #expect(throws: DomainError.self, "a forged cookie") { _ = try await signIn(email, cookie: forged) }
            await #expect(throws: DomainError.self, "another account's cookie") {
                _ = try await signIn(IdentityFixture.Person.headteacher.rawValue, cookie: device)
            }
            // The device is throttled by its own failures.
            for attempt in 1...5 {
                _ = try? await fixture.accounts.signIn(
                    email: email, password: "wrong \(attempt) wrong", kind: .browser, request: fixture.request("192.0.2.7"), deviceCookie: device
                )
            }
            await #expect(throws: DomainError.self, "five failures lock the device out too") { _ = try await signIn(email, cookie: device) }
        }
        try await IdentityFixture.with(identity: IdentityConfiguration(idleTimeoutSeconds: nil, absoluteTimeoutSeconds: nil, secretKey: "")) { fixture in
            let signedIn = try await fixture.signIn(.senco)
            #expect(signedIn.deviceCookie == nil, "no device cookies without a secret key")
        }
    }

    @Test("twenty failures from one address block that address for every account")
    func addressThrottle() async throws {
        try await IdentityFixture.with { fixture in
            for attempt in 1...20 {
                _ = try? await fixture.accounts.signIn(email: "user\(attempt)@example-city.test", password: "nope nope nope", kind: .api, request: fixture.request("192.0.2.7"))
            }
            await #expect {
                _ = try await fixture.signIn(.officer, address: "192.0.2.7")
            } throws: { error in
                if case DomainError.throttled = error { return true }
                return false
            }
            _ = try await fixture.signIn(.officer, address: "192.0.2.8")
        }
    }

    @Test("a session ends after 30 idle minutes and 12 hours in all")
    func timeouts() async throws {
        try await IdentityFixture.with { fixture in
            let idle = try await fixture.signIn(.psychologist)
            fixture.clock.advance(by: 29 * 60)
            #expect(try await fixture.accounts.authenticate(token: idle.token) != nil)
            fixture.clock.advance(by: 29 * 60)
            #expect(try await fixture.accounts.authenticate(token: idle.token) != nil, "use resets the idle clock")
            fixture.clock.advance(by: 31 * 60)
            #expect(try await fixture.accounts.authenticate(token: idle.token) == nil, "31 idle minutes end it")

            let busy = try await fixture.signIn(.psychologist)
            for _ in 0..<25 {
                fixture.clock.advance(by: 29 * 60)
                _ = try await fixture.accounts.authenticate(token: busy.token)
            }
            #expect(try await fixture.accounts.authenticate(token: busy.token) == nil, "12 hours end it however busy")
        }
    }

    @Test("signing out and deactivation end sessions at once")
    func revocation() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            let senco = try await fixture.signIn(.senco)
            let sencoAPI = try await fixture.signIn(.senco, kind: .api)
            try await fixture.accounts.signOut(senco.session, request: fixture.request())
            #expect(try await fixture.accounts.authenticate(token: senco.token) == nil)
            #expect(try await fixture.accounts.authenticate(token: sencoAPI.token) != nil)
            try await fixture.users.deactivate(officer.session.actor, userID: sencoAPI.session.actor.userID, request: fixture.request())
            #expect(try await fixture.accounts.authenticate(token: sencoAPI.token) == nil)
            // Revoked in the table, not only refused because the account is inactive: reactivation brings nothing back.
            let owner = fixture.testDatabase.pool(role: .owner, size: 1)
            let live = try await owner.withConnection { lease in
                try await lease.one("SELECT count(*) FROM sessions WHERE user_id = \(sencoAPI.session.actor.userID) AND revoked_at IS NULL").decode(Int.self, at: 0)
            }
            await owner.close()
            #expect(live == 0)
            await #expect(throws: DomainError.unauthenticated("Enter a correct email address and password.")) { _ = try await fixture.signIn(.senco) }
            await #expect(throws: DomainError.invalidTransition("You cannot deactivate your own account.")) {
                try await fixture.users.deactivate(officer.session.actor, userID: officer.session.actor.userID, request: fixture.request())
            }
        }
    }

    @Test("a reactivated user signs in again with their password and roles, but old sessions and links stay ended")
    func reactivation() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            let senco = try await fixture.signIn(.senco)
            let sencoID = senco.session.actor.userID
            await #expect(throws: DomainError.invalidTransition("This user is already active.")) {
                try await fixture.users.reactivate(officer.session.actor, userID: sencoID, request: fixture.request())
            }
            let rolesBefore = try await fixture.users.detail(officer.session.actor, sencoID).assignments.map(\.id)
            let link = try await fixture.users.issuePasswordLink(officer.session.actor, userID: sencoID, request: fixture.request())
            try await fixture.users.deactivate(officer.session.actor, userID: sencoID, request: fixture.request())
            await #expect(throws: DomainError.invalidTransition("This user is already deactivated.")) {
                try await fixture.users.deactivate(officer.session.actor, userID: sencoID, request: fixture.request())
            }
            let head = try await fixture.signIn(.headteacher)
            await #expect(throws: DomainError.forbidden("Only council officers manage users.")) {
                try await fixture.users.reactivate(head.session.actor, userID: sencoID, request: fixture.request())
            }
            await #expect(throws: DomainError.notFound("There is no such user.")) {
                try await fixture.users.reactivate(officer.session.actor, userID: ID(UUID()), request: fixture.request())
            }
            try await fixture.users.reactivate(officer.session.actor, userID: sencoID, request: fixture.request())
            #expect(try await fixture.accounts.authenticate(token: senco.token) == nil, "the old session stays ended")
            await #expect(throws: AccountStore.unusableLink, "a link issued before deactivation stays withdrawn") {
                try await fixture.accounts.setPassword(token: link.token, newPassword: "lantern orchard quartz", request: fixture.request())
            }
            let again = try await fixture.signIn(.senco)
            #expect(again.session.actor.userID == sencoID)
            let detail = try await fixture.users.detail(officer.session.actor, sencoID)
            #expect(detail.active && detail.assignments.map(\.id) == rolesBefore, "roles are as they were")
            let trail = try await fixture.audit.list(officer.session.actor, filter: .init(entityType: "user", entityID: sencoID.description), page: 1)
            let changes = trail.items.filter { $0.action == "user.reactivated" || $0.action == "user.deactivated" }
            #expect(changes.map(\.action) == ["user.reactivated", "user.deactivated"])
            #expect(changes.first?.before == ["active": "false"] && changes.first?.after == ["active": "true"])
            #expect(changes.last?.before == ["active": "true"])
            #expect(changes.last?.after == ["active": "false", "sessionsEnded": "1", "passwordLinksWithdrawn": "1", "signInChallengesEnded": "0"])
        }
    }

    @Test("a set-password link works once, within 24 hours, and ends old sessions")
    func passwordLinks() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            let senco = try await fixture.signIn(.senco)
            let link = try await fixture.users.issuePasswordLink(officer.session.actor, userID: senco.session.actor.userID, request: fixture.request())
            await #expect(throws: DomainError.validation([.init(pointer: "/password", detail: PasswordRules.problems(with: "password1234", commonPasswords: PasswordHasher.commonPasswords)[0])])) {
                try await fixture.accounts.setPassword(token: link.token, newPassword: "password1234", request: fixture.request())
            }
            try await fixture.accounts.setPassword(token: link.token, newPassword: "lantern orchard quartz", request: fixture.request())
            #expect(try await fixture.accounts.authenticate(token: senco.token) == nil)
            let again = try await fixture.accounts.signIn(email: "senco.ashgrove@example-city.test", password: "lantern orchard quartz", kind: .browser, request: fixture.request())
            guard case .signedIn = again else {
                Issue.record("expected a session with the new password")
                return
            }
            await #expect(throws: AccountStore.unusableLink) {
                try await fixture.accounts.setPassword(token: link.token, newPassword: "another fine phrase", request: fixture.request())
            }
            let late = try await fixture.users.issuePasswordLink(officer.session.actor, userID: senco.session.actor.userID, request: fixture.request())
            fixture.clock.advance(by: 24 * 60 * 60 + 1)
            #expect(try await fixture.accounts.passwordLinkIsUsable(late.token) == false)
            await #expect(throws: AccountStore.unusableLink) {
                try await fixture.accounts.setPassword(token: late.token, newPassword: "another fine phrase", request: fixture.request())
            }
        }
    }

    @Test("only officers administer users, and an officer cannot end their own officer role")
    func administration() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            let senco = try await fixture.signIn(.senco)
            await #expect(throws: DomainError.forbidden("Only council officers manage users.")) {
                _ = try await fixture.users.list(senco.session.actor, page: 1)
            }
            let page = try await fixture.users.list(officer.session.actor, page: 1, size: 2)
            #expect(page.items.count == 2 && page.total == 6 && page.pageCount == 3)
            let own = try #require(officer.session.actor.assignments.first)
            await #expect(throws: DomainError.invalidTransition("You cannot end your own officer role: ask another officer, so the council is never left without one.")) {
                try await fixture.users.endRole(officer.session.actor, userID: officer.session.actor.userID, assignmentID: own.id, endsOn: CalendarDate.today(at: fixture.clock.now), request: fixture.request())
            }
            let id = try await fixture.users.create(officer.session.actor, email: "new.senco@example-city.test", displayName: "New Senco", request: fixture.request())
            await #expect(throws: DomainError.conflict(UserStore.duplicateEmail)) {
                _ = try await fixture.users.create(officer.session.actor, email: "NEW.senco@example-city.test", displayName: "Again", request: fixture.request())
            }
            await #expect(throws: DomainError.validation([.init(pointer: "/scope", detail: "Choose the school this SENCo works at.")])) {
                _ = try await fixture.users.assignRole(officer.session.actor, userID: id, role: .senco, scope: .council, startsOn: CalendarDate.today(at: fixture.clock.now), request: fixture.request())
            }
        }
    }

    @Test("parallel guesses from one address are all counted: no more than five failures get through before the lock")
    func parallelGuesses() async throws {
        try await IdentityFixture.with { fixture in
            let outcomes = await withTaskGroup(of: String.self) { group in
                for n in 0..<12 {
                    group.addTask {
                        do {
                            _ = try await fixture.accounts.signIn(email: "senco.ashgrove@example-city.test", password: "parallel guess \(n)", kind: .api, request: fixture.request("10.4.0.1"))
                            return "signed in"
                        } catch DomainError.throttled {
                            return "throttled"
                        } catch {
                            return "refused"
                        }
                    }
                }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == "refused" }.count == 5, "\(outcomes)")
            #expect(outcomes.filter { $0 == "throttled" }.count == 7)
        }
    }

    @Test("a bcrypt hasher writes hashes of its cost that verify, and refuses when there is no hash")
    func bcryptCost() async throws {
        let hasher = try await PasswordHasher.make(cost: 5)
        let hash = try await hasher.hash("violet kettle harbour")
        #expect(hash.hasPrefix("$2b$05$"))
        #expect(try await hasher.verify("violet kettle harbour", hash: hash))
        #expect(try await hasher.verify("violet kettle harbour", hash: nil) == false)
    }
}
