import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Store
import Testing
import TestSupport

@Suite("an officer's user pages")
struct UserPagesTests {
    @Test("deactivate and reactivate from the user's page; a change the record's state forbids re-renders the page with why")
    func statusChanges() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            let senco = try await fixture.signIn(.senco, address: "10.4.0.1")
            let userID = senco.session.actor.userID
            let headers: HTTPFields = [
                .cookie: "cf_session=\(officer.token)", .csrfToken: officer.session.csrfToken,
                .contentType: "application/x-www-form-urlencoded",
            ]
            try await withApp(database: fixture.database) { client, _ in
                try await client.execute(uri: "/users/\(userID)/reactivate", method: .post, headers: headers) { response in
                    #expect(response.status == .conflict)
                    let page = text(response)
                    #expect(page.contains("There is a problem") && page.contains("This user is already active."))
                    #expect(page.contains(#"action="/users/\#(userID)/deactivate""#), "the page still offers what can be done")
                }
                try await client.execute(uri: "/users/\(userID)/deactivate", method: .post, headers: headers) { response in
                    #expect(response.status == .seeOther)
                    #expect(response.headers[.location] == "/users/\(userID)")
                }
                try await client.execute(uri: "/users/\(userID)", method: .get, headers: headers) { response in
                    let page = text(response)
                    #expect(page.contains("<dd>Deactivated</dd>"))
                    #expect(page.contains(#"action="/users/\#(userID)/reactivate""#))
                    #expect(!page.contains(#"action="/users/\#(userID)/deactivate""#))
                }
                try await client.execute(uri: "/users/\(userID)/deactivate", method: .post, headers: headers) { response in
                    #expect(response.status == .conflict)
                    #expect(text(response).contains("This user is already deactivated."))
                }
                try await client.execute(uri: "/users/\(userID)/reactivate", method: .post, headers: headers) { response in
                    #expect(response.status == .seeOther)
                }
                try await client.execute(uri: "/users/\(userID)", method: .get, headers: headers) { response in
                    #expect(text(response).contains("<dd>Active</dd>"))
                }
            }
        }
    }
}
