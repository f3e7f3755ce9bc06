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
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
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

    @Test("a role that starts tomorrow is listed as starting later, not as in force")
    func upcomingRole() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            let senco = try await fixture.signIn(.senco, address: "10.4.0.2")
            let tomorrow = try #require(CalendarDate(iso: "2026-11-19"))
            let school = try #require(senco.session.actor.schools().first)
            _ = try await fixture.users.assignRole(
                officer.session.actor, userID: senco.session.actor.userID, role: .headteacher, scope: .school(school), startsOn: tomorrow,
                request: fixture.request()
            )
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/users/\(senco.session.actor.userID)", method: .get, headers: [.cookie: "cf_session=\(officer.token)"]) { response in
                    let page = text(response)
                    let inForce = try #require(page.range(of: "Roles in force"))
                    let later = try #require(page.range(of: "Roles starting later"))
                    let current = page[inForce.upperBound..<later.lowerBound]
                    #expect(current.contains("SENCo") && !current.contains("Headteacher"))
                    #expect(page[later.upperBound...].contains("Headteacher, Ashgrove Primary School: from 2026-11-19"))
                }
            }
        }
    }

    @Test("ending a role with an end date that is not a date re-renders the page saying so, and ends nothing")
    func endRoleWithoutADate() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            let senco = try await fixture.signIn(.senco, address: "10.4.0.3")
            let assignment = try #require(senco.session.actor.assignments.first)
            let headers: HTTPFields = [
                .cookie: "cf_session=\(officer.token)", .csrfToken: officer.session.csrfToken, .contentType: "application/x-www-form-urlencoded",
            ]
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(
                    uri: "/users/\(senco.session.actor.userID)/roles/\(assignment.id)/end", method: .post, headers: headers,
                    body: ByteBuffer(string: "endsOn=not+a+date")
                ) { response in
                    #expect(response.status == .unprocessableContent)
                    #expect(text(response).contains("Enter a real end date"))
                }
            }
            let detail = try await fixture.users.detail(officer.session.actor, senco.session.actor.userID)
            #expect(detail.assignments.allSatisfy { $0.endsOn == nil }, "nothing ended")
        }
    }

    @Test("the API refuses a role starting in the year 238 or 5537, naming the field")
    func implausibleDates() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            let senco = try await fixture.signIn(.senco, address: "10.4.0.4")
            let school = try #require(senco.session.actor.schools().first)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                for startsOn in ["0238-01-01", "5537-03-01"] {
                    try await client.execute(
                        uri: "/api/v1/users/\(senco.session.actor.userID)/roles", method: .post,
                        headers: [.authorization: "Bearer \(officer.token)", .contentType: "application/json"],
                        body: ByteBuffer(string: #"{"role":"headteacher","schoolId":"\#(school)","startsOn":"\#(startsOn)"}"#)
                    ) { response in
                        #expect(response.status == .unprocessableContent)
                        let refusal = try problem(response)
                        #expect(refusal.errors?.map(\.pointer) == ["/startsOn"])
                    }
                }
            }
            let detail = try await fixture.users.detail(officer.session.actor, senco.session.actor.userID)
            #expect(detail.assignments.count == 1, "nothing was given")
        }
    }

    @Test("the server's services hash passwords with bcrypt at the production cost, 12")
    func productionHashing() async throws {
        try await withAppDatabase { database in
            let services = try await AppServices.make(database: database)
            #expect(services.accounts.passwordHashCost == 12)
            #expect(PasswordHasher.productionCost == 12)
        }
    }

    @Test("giving a role at a school that is not there re-renders the page with the error beside the school, keeping the choice")
    func unknownSchoolOnThePage() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            let senco = try await fixture.signIn(.senco, address: "10.4.0.5")
            let headers: HTTPFields = [
                .cookie: "cf_session=\(officer.token)", .csrfToken: officer.session.csrfToken, .contentType: "application/x-www-form-urlencoded",
            ]
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(
                    uri: "/users/\(senco.session.actor.userID)/roles", method: .post, headers: headers,
                    body: ByteBuffer(string: "role=headteacher&schoolId=00000000-0000-4000-8000-000000000009&startsOn=2026-11-20")
                ) { response in
                    #expect(response.status == .conflict)
                    let page = text(response)
                    #expect(page.contains("There is a problem") && page.contains(##"href="#schoolId""##))
                    #expect(page.contains(#"value="2026-11-20""#), "what was typed is kept")
                }
            }
        }
    }
}
