import Foundation
import Testing
@testable import Domain

@Suite("identity rules")
struct IdentityRulesTests {
    static let t0 = Date(timeIntervalSince1970: 1_794_996_000)
    let throttle = SignInThrottle(accountFailureLimit: 5, addressFailureLimit: 20, window: 900)

    @Test("sign-in is refused from the fifth failure of an account until the oldest leaves the window")
    func accountThrottle() {
        let none = SignInThrottle.Failures(count: 0, oldest: nil)
        #expect(throttle.retryAfter(account: .init(count: 4, oldest: Self.t0), address: none, now: Self.t0 + 60) == nil)
        #expect(throttle.retryAfter(account: .init(count: 5, oldest: Self.t0), address: none, now: Self.t0 + 60) == 840)
        #expect(throttle.retryAfter(account: .init(count: 5, oldest: Self.t0), address: none, now: Self.t0 + 899.5) == 1, "never less than a second")
        #expect(throttle.windowStart(at: Self.t0 + 900) == Self.t0)
    }

    @Test("an address is blocked at twenty failures, and the earlier of two blocks decides the wait")
    func addressThrottle() {
        let account = SignInThrottle.Failures(count: 5, oldest: Self.t0 + 300)
        #expect(throttle.retryAfter(account: .init(count: 0, oldest: nil), address: .init(count: 19, oldest: Self.t0), now: Self.t0 + 10) == nil)
        #expect(throttle.retryAfter(account: .init(count: 0, oldest: nil), address: .init(count: 20, oldest: Self.t0), now: Self.t0 + 10) == 890)
        #expect(throttle.retryAfter(account: account, address: .init(count: 20, oldest: Self.t0), now: Self.t0 + 10) == 890)
        #expect(throttle.retryAfter(account: account, address: .init(count: 20, oldest: Self.t0 + 100), now: Self.t0) == 900, "clamped to the window")
    }

    @Test("a session lives until idle too long, past its absolute end, revoked, or its user deactivated")
    func sessionLifetime() {
        let lifetime = SessionLifetime(idleTimeout: 1800, absoluteTimeout: 43_200)
        let live = SessionLifetime.State(lastSeenAt: Self.t0, expiresAt: lifetime.expiry(signedInAt: Self.t0), revokedAt: nil, userActive: true)
        #expect(lifetime.expiry(signedInAt: Self.t0) == Self.t0 + 43_200)
        #expect(lifetime.isLive(live, at: Self.t0 + 1800))
        #expect(!lifetime.isLive(live, at: Self.t0 + 1801), "idle")
        var busy = live
        busy.lastSeenAt = Self.t0 + 43_000
        #expect(lifetime.isLive(busy, at: Self.t0 + 43_199))
        #expect(!lifetime.isLive(busy, at: Self.t0 + 43_200), "absolute end")
        var revoked = live
        revoked.revokedAt = Self.t0
        #expect(!lifetime.isLive(revoked, at: Self.t0 + 1))
        var deactivated = live
        deactivated.userActive = false
        #expect(!lifetime.isLive(deactivated, at: Self.t0 + 1))
        #expect(!lifetime.touchIsDue(lastSeenAt: Self.t0, at: Self.t0 + 29))
        #expect(lifetime.touchIsDue(lastSeenAt: Self.t0, at: Self.t0 + 30))
    }

    @Test("officers always need a second factor; others only when the council says everyone does")
    func secondFactor() {
        let today = CalendarDate(year: 2026, month: 11, day: 18)
        let officer = Actor(userID: ID(UUID()), displayName: "O", assignments: [
            RoleAssignment(id: ID(UUID()), role: .officer, scope: .council, startsOn: today ?? .init(firstOfJanuary: 2026)),
        ])
        let senco = Actor(userID: ID(UUID()), displayName: "S", assignments: [
            RoleAssignment(id: ID(UUID()), role: .senco, scope: .school(ID(UUID())), startsOn: today ?? .init(firstOfJanuary: 2026)),
        ])
        #expect(SecondFactorRequirement.isRequired(for: officer, councilRequiresForEveryone: false))
        #expect(!SecondFactorRequirement.isRequired(for: senco, councilRequiresForEveryone: false))
        #expect(SecondFactorRequirement.isRequired(for: senco, councilRequiresForEveryone: true))
        #expect(!SecondFactorRequirement.isSatisfied(sessionPassedSecondFactor: false, for: officer, councilRequiresForEveryone: false),
                "a password-only session of a user since made an officer")
        #expect(SecondFactorRequirement.isSatisfied(sessionPassedSecondFactor: true, for: officer, councilRequiresForEveryone: false))
        #expect(SecondFactorRequirement.isSatisfied(sessionPassedSecondFactor: false, for: senco, councilRequiresForEveryone: false))
        #expect(!SecondFactorRequirement.isSatisfied(sessionPassedSecondFactor: false, for: senco, councilRequiresForEveryone: true),
                "after the council requires it of everyone")
    }

    @Test("a new user's email must be a plain work address and their name present and short", arguments: [
        ("ann.smith@school.example.org", "Ann Smith", true),
        ("  ann@example.org ", " Ann ", true),
        ("ann@localhost", "Ann", false),
        ("ann@@example.org", "Ann", false),
        ("ännä@example.org", "Ann", false),
        ("ann@example.org", "", false),
        ("ann@example.org", "Ann\u{7}", false),
        ("ann@example.org", String(repeating: "a", count: 121), false),
    ])
    func personDetails(email: String, name: String, accepted: Bool) throws {
        if accepted {
            let details = try PersonDetails.validated(email: email, displayName: name)
            #expect(details.email == email.trimmingCharacters(in: .whitespaces))
            #expect(details.displayName == name.trimmingCharacters(in: .whitespaces))
        } else {
            #expect(throws: DomainError.self) { try PersonDetails.validated(email: email, displayName: name) }
        }
    }

    @Test("emails are compared trimmed and lower-cased")
    func emailKey() {
        #expect(PersonDetails.key("  SENCO.Ashgrove@Example-City.test ") == "senco.ashgrove@example-city.test")
    }
}

@Suite("the role the server serves as")
struct ServingRoleTests {
    @Test("only clusterfund_app, owning nothing and bound by row-level security, may serve")
    func servingRole() {
        #expect(ServingRole.problem(name: "clusterfund_app", superuser: false, bypassesRLS: false, ownedObjects: 0) == nil)
        #expect(ServingRole.problem(name: "postgres", superuser: true, bypassesRLS: true, ownedObjects: 0)?.contains("superuser") == true)
        #expect(ServingRole.problem(name: "reporting", superuser: false, bypassesRLS: true, ownedObjects: 0)?.contains("bypasses") == true)
        #expect(ServingRole.problem(name: "clusterfund_owner", superuser: false, bypassesRLS: false, ownedObjects: 40)?.contains("owns 40") == true)
        #expect(ServingRole.problem(name: "someone_else", superuser: false, bypassesRLS: false, ownedObjects: 0)?.contains("not someone_else") == true)
    }
}
