import Domain
import Foundation
import PQ
@testable import Store
import Testing
import TestSupport

@Suite("two-step sign-in")
struct SecondFactorTests {
    static let officerKey = TOTP.secret(base32: IdentityFixture.totpSecret) ?? []

    @Test("an officer's API sign-in needs the code; a right code signs in and cannot be replayed")
    func apiCode() async throws {
        try await IdentityFixture.with { fixture in
            let email = IdentityFixture.Person.officer.rawValue
            await #expect {
                _ = try await fixture.accounts.signIn(email: email, password: IdentityFixture.password, kind: .api, request: fixture.request())
            } throws: { error in
                if case DomainError.secondFactorRequired = error { return true }
                return false
            }
            let code = TOTP.code(secret: Self.officerKey, at: fixture.clock.now)
            let outcome = try await fixture.accounts.signIn(email: email, password: IdentityFixture.password, otp: code, kind: .api, request: fixture.request())
            guard case .signedIn = outcome else {
                Issue.record("expected a session")
                return
            }
            await #expect(throws: DomainError.unauthenticated(AccountStore.wrongCode), "the same code twice") {
                _ = try await fixture.accounts.signIn(email: email, password: IdentityFixture.password, otp: code, kind: .api, request: fixture.request())
            }
        }
    }

    @Test("wrong codes count towards the account's lock")
    func wrongCodesThrottle() async throws {
        try await IdentityFixture.with { fixture in
            let email = IdentityFixture.Person.officer.rawValue
            for _ in 0..<5 {
                _ = try? await fixture.accounts.signIn(email: email, password: IdentityFixture.password, otp: "000000", kind: .api, request: fixture.request())
            }
            await #expect {
                _ = try await fixture.signIn(.officer)
            } throws: { error in
                if case DomainError.throttled = error { return true }
                return false
            }
        }
    }

    @Test("a new officer enrols with their first code, gets ten recovery codes, and each works once")
    func enrolment() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer).session.actor
            let id = try await fixture.users.create(officer, email: "second.officer@example-city.test", displayName: "Second Officer", request: fixture.request())
            _ = try await fixture.users.assignRole(officer, userID: id, role: .officer, scope: .council, startsOn: CalendarDate.today(at: fixture.clock.now), request: fixture.request())
            let link = try await fixture.users.issuePasswordLink(officer, userID: id, request: fixture.request())
            try await fixture.accounts.setPassword(token: link.token, newPassword: "meadow russet umber", request: fixture.request())

            func passwordStep() async throws -> SignInOutcome {
                try await fixture.accounts.signIn(email: "second.officer@example-city.test", password: "meadow russet umber", kind: .browser, request: fixture.request())
            }
            guard case .needsEnrolment(let challenge) = try await passwordStep() else {
                Issue.record("a new officer must set up a second factor")
                return
            }
            let view = try #require(try await fixture.accounts.challenge(challenge))
            #expect(view.enrolling)
            let secret = try #require(view.secret.flatMap { TOTP.secret(base32: $0) })
            #expect(view.provisioningURI?.hasPrefix("otpauth://totp/Clusterfund:second.officer%40example-city.test?secret=") == true)
            await #expect(throws: DomainError.unauthenticated(AccountStore.wrongCode)) {
                _ = try await fixture.accounts.completeSignIn(challenge: challenge, code: "000000", request: fixture.request())
            }
            let completed = try await fixture.accounts.completeSignIn(challenge: challenge, code: TOTP.code(secret: secret, at: fixture.clock.now), request: fixture.request())
            #expect(completed.recoveryCodes.count == 10)
            #expect(Set(completed.recoveryCodes).count == 10)
            // At least 112 bits each (issue 14, finding 12): 24 base32 characters, shown in four groups.
            #expect(completed.recoveryCodes.allSatisfy { $0.filter { $0 != "-" }.count * 5 >= 112 && $0.split(separator: "-").count == 4 })
            #expect(completed.signedIn.session.actor.isOfficer)

            guard case .needsCode(let next) = try await passwordStep() else {
                Issue.record("an enrolled officer is asked for a code")
                return
            }
            let recovery = completed.recoveryCodes[3]
            _ = try await fixture.accounts.completeSignIn(challenge: next, code: recovery.lowercased(), request: fixture.request())
            guard case .needsCode(let third) = try await passwordStep() else {
                Issue.record("an enrolled officer is asked for a code")
                return
            }
            await #expect(throws: DomainError.unauthenticated(AccountStore.wrongCode), "a recovery code works once") {
                _ = try await fixture.accounts.completeSignIn(challenge: third, code: recovery, request: fixture.request())
            }
        }
    }

    @Test("a challenge expires after five minutes and is spent by its first success")
    func challengeLifetime() async throws {
        try await IdentityFixture.with { fixture in
            let email = IdentityFixture.Person.officer.rawValue
            guard case .needsCode(let challenge) = try await fixture.accounts.signIn(email: email, password: IdentityFixture.password, kind: .browser, request: fixture.request()) else {
                Issue.record("expected the code step")
                return
            }
            fixture.clock.advance(by: 5 * 60 + 1)
            #expect(try await fixture.accounts.challenge(challenge) == nil)
            await #expect(throws: AccountStore.expiredChallenge) {
                _ = try await fixture.accounts.completeSignIn(challenge: challenge, code: TOTP.code(secret: Self.officerKey, at: fixture.clock.now), request: fixture.request())
            }
        }
    }

    @Test("when the council requires it, everyone sets up a second factor")
    func everyone() async throws {
        try await IdentityFixture.with { fixture in
            let owner = fixture.testDatabase.pool(role: .owner, size: 1)
            try await owner.withConnection { try await $0.execute("UPDATE council_settings SET second_factor_for_everyone = true") }
            await owner.close()
            let outcome = try await fixture.accounts.signIn(email: IdentityFixture.Person.senco.rawValue, password: IdentityFixture.password, kind: .browser, request: fixture.request())
            guard case .needsEnrolment(let challenge) = outcome else {
                Issue.record("a SENCo must enrol when the council requires it, got \(outcome)")
                return
            }
            #expect(try await fixture.accounts.challenge(challenge) != nil)
            // Deactivation ends a sign-in half done, so reactivating the user cannot bring it back.
            let officer = try await fixture.signIn(.officer)
            let sencoID = try #require(try await fixture.users.list(officer.session.actor, page: 1, size: 50).items.first { $0.email == IdentityFixture.Person.senco.rawValue }?.id)
            try await fixture.users.deactivate(officer.session.actor, userID: sencoID, request: fixture.request())
            try await fixture.users.reactivate(officer.session.actor, userID: sencoID, request: fixture.request())
            #expect(try await fixture.accounts.challenge(challenge) == nil)
        }
    }
}
