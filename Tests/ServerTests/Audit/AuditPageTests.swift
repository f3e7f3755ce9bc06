import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Store
import Testing
import TestSupport

@Suite("the officers' audit page and API")
struct AuditPageTests {
    @Test("the page names the command line, the people and school touched, and lists changes with their ids")
    func namesOnThePage() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/audit?person=demo-data&entityType=role_assignment", method: .get, headers: [.cookie: "cf_session=\(officer.token)"]) { response in
                    #expect(response.status == .ok)
                    let page = text(response)
                    #expect(page.contains("<td>demo-data command</td>"))
                    #expect(!page.contains("Nobody signed in"))
                    #expect(page.contains("Role: Sam Senco, SENCo at Ashgrove Primary School<br><span class=\"app-hint\">id "))
                    #expect(page.contains("<li>School: Ashgrove Primary School <span class=\"app-hint\">(id "))
                    #expect(page.contains("<li>Role: SENCo</li>"))
                    #expect(page.contains("<li>Cluster: none</li>"))
                    #expect(page.contains(#"<option value="role_assignment" selected>Role</option>"#))
                    #expect(page.contains(#"id="person" name="person" type="text" autocomplete="off" value="demo-data""#))
                }
            }
        }
    }

    @Test("officers filter the page by a person's name, and a link with a record's id still finds that record")
    func filtersOnThePage() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            let senco = try await fixture.signIn(.senco).session.actor.userID
            let cookie: HTTPFields = [.cookie: "cf_session=\(officer.token)"]
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/audit?person=sam+senco", method: .get, headers: cookie) { response in
                    #expect(response.status == .ok)
                    let page = text(response)
                    #expect(page.contains("<td>Sam Senco<br><span class=\"app-hint\">id \(senco)</span></td>"))
                    #expect(!page.contains("demo-data command") && !page.contains("<td>Olu Officer<br>"), "nobody else's actions")
                }
                // The link on a user's page: the record field shows the id, and the events name the user.
                try await client.execute(uri: "/audit?entityType=user&entityId=\(senco)", method: .get, headers: cookie) { response in
                    #expect(response.status == .ok)
                    let page = text(response)
                    #expect(page.contains(#"id="record" name="record" type="text" autocomplete="off" value="\#(senco)""#))
                    #expect(page.contains("User: Sam Senco<br><span class=\"app-hint\">id \(senco)</span>"))
                    #expect(!page.contains("No events match."))
                }
                try await client.execute(uri: "/audit?record=" + String(repeating: "x", count: 101), method: .get, headers: cookie) { response in
                    #expect(response.status == .unprocessableContent)
                    #expect(text(response).contains("record is at most 100 characters."))
                }
            }
        }
    }

    @Test("the API keeps the ids and adds the names, and filters by person and record")
    func namesInTheAPI() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer, kind: .api)
            let bearer: HTTPFields = [.authorization: "Bearer \(officer.token)"]
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/api/v1/audit-events?person=demo-data&record=ashgrove&entityType=role_assignment", method: .get, headers: bearer) { response in
                    #expect(response.status == .ok)
                    let body = try JSONSerialization.jsonObject(with: Data(text(response).utf8)) as? [String: Any]
                    let items = try #require(body?["items"] as? [[String: Any]])
                    #expect(items.count == 2)
                    for item in items {
                        #expect(item["command"] as? String == "demo-data")
                        #expect((item["entityId"] as? String).flatMap { ID<RoleAssignment>($0) } != nil)
                        #expect((item["entityName"] as? String)?.hasSuffix("at Ashgrove Primary School") == true)
                        let school = try #require((item["after"] as? [String: String])?["school"])
                        #expect((item["names"] as? [String: String])?[school] == "Ashgrove Primary School")
                    }
                }
                try await client.execute(uri: "/api/v1/audit-events?person=", method: .get, headers: bearer) { response in
                    #expect(response.status == .unprocessableContent)
                }
            }
        }
    }
}
