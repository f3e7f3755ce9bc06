import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Store
import Testing
import TestSupport

@Suite("page snapshots")
struct PageSnapshotTests {
    @Test("the sign-in page renders as recorded")
    func signIn() async throws {
        try await withAppDatabase { database in
            try await withApp(database: database) { client, _ in
                try await client.execute(uri: "/sign-in", method: .get) { response in
                    #expect(response.status == .ok)
                    try Snapshot.expectMatches(text(response), named: "sign-in")
                }
            }
        }
    }

    @Test("the officer's users list renders as recorded")
    func usersList() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/users", method: .get, headers: [.cookie: "cf_session=\(officer.token)"]) { response in
                    #expect(response.status == .ok)
                    try Snapshot.expectMatches(text(response), named: "users")
                }
            }
        }
    }

    @Test("a refused form renders its error summary as recorded, keeping what was typed")
    func errorSummary() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            let headers: HTTPFields = [
                .cookie: "cf_session=\(officer.token)", .csrfToken: officer.session.csrfToken, .contentType: "application/x-www-form-urlencoded",
            ]
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/users", method: .post, headers: headers, body: ByteBuffer(string: "email=not-an-address&displayName=")) { response in
                    #expect(response.status == .unprocessableContent)
                    let page = text(response)
                    #expect(page.contains(#"value="not-an-address""#))
                    try Snapshot.expectMatches(page, named: "user-new-errors")
                }
            }
        }
    }
}
