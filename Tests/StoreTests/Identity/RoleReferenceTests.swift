import Domain
import Foundation
@testable import Store
import Testing
import TestSupport

@Suite("roles refer to schools and clusters that exist")
struct RoleReferenceTests {
    @Test("a role at a school or cluster that does not exist is refused naming the field, not as a missing user")
    func missingReference() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer).session.actor
            let user = try await fixture.users.create(officer, email: "new.person@example-city.test", displayName: "New Person", request: fixture.request())
            let today = CalendarDate.today(at: fixture.clock.now)
            await #expect(throws: DomainError.missingReference(.init(pointer: "/schoolId", detail: "There is no such school; choose one of the council's schools."))) {
                _ = try await fixture.users.assignRole(officer, userID: user, role: .senco, scope: .school(ID(UUID())), startsOn: today, request: fixture.request())
            }
            await #expect(throws: DomainError.missingReference(.init(pointer: "/clusterId", detail: "There is no such cluster; choose one of the council's clusters."))) {
                _ = try await fixture.users.assignRole(
                    officer, userID: user, role: .educationalPsychologist, scope: .cluster(ID(UUID())), startsOn: today, request: fixture.request()
                )
            }
            await #expect(throws: DomainError.notFound("There is no such user.")) {
                _ = try await fixture.users.assignRole(officer, userID: ID(UUID()), role: .officer, scope: .council, startsOn: today, request: fixture.request())
            }
        }
    }
}
