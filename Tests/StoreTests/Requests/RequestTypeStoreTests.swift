import Domain
import Foundation
import PQ
@testable import Store
import Testing
import TestSupport

@Suite("request types, stored as data")
struct RequestTypeStoreTests {
    @Test("the seeded rows are DOMAIN.md's five types, as Domain reads them; everyone reads them, nobody writes them through the service's role")
    func seeded() async throws {
        try await IdentityFixture.with { fixture in
            let store = RequestTypeStore(database: fixture.database)
            for person in [IdentityFixture.Person.senco, .psychologist, .officer] {
                let actor = try await fixture.signIn(person).session.actor
                #expect(try await store.types(actor) == RequestType.standard, "\(person)")
            }
            let officer = try await fixture.signIn(.officer).session.actor
            await #expect(throws: PostgresError.self) {
                try await fixture.asApp(user: officer.userID) { tx in try await tx.execute("UPDATE request_types SET max_pupils = 5 WHERE code = 'group'") }
            }
            // A council's bound on groups is a change of data, read without a release.
            try await fixture.asOwner { tx in try await tx.execute("UPDATE request_types SET max_pupils = 5 WHERE code = 'group'") }
            #expect(try await store.types(officer).first { $0.code == "group" }?.pupilCountProblem(6) != nil)
        }
    }
}
