import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Store
import Testing
import TestSupport

@Suite("the users API refuses a reference to no record")
struct RoleReferenceAPITests {
    @Test("a role at a school that does not exist answers 409 naming schoolId, as the API document says")
    func missingSchool() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer, kind: .api)
            let user = try await fixture.users.create(officer.session.actor, email: "new.person@example-city.test", displayName: "New Person", request: fixture.request())
            let headers: HTTPFields = [.authorization: "Bearer \(officer.token)", .contentType: "application/json"]
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                let body = #"{"role":"senco","schoolId":"\#(UUID())","startsOn":"2026-09-01"}"#
                try await client.execute(uri: "/api/v1/users/\(user)/roles", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .conflict)
                    let found = try problem(response)
                    #expect(found.type == "/problems/missing-reference")
                    #expect(found.errors?.map(\.pointer) == ["/schoolId"])
                }
                try await client.execute(uri: "/openapi.json", method: .get) { response in
                    let document = try JSONSerialization.jsonObject(with: Data(text(response).utf8)) as? [String: Any]
                    let paths = document?["paths"] as? [String: [String: Any]]
                    let assignRole = paths?["/api/v1/users/{userId}/roles"]?["post"] as? [String: Any]
                    #expect((assignRole?["responses"] as? [String: Any])?["409"] != nil)
                }
            }
        }
    }
}
