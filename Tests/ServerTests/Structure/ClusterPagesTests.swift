import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Store
import Testing
import TestSupport

@Suite("clusters on pages and in the API")
struct ClusterPagesTests {
    static func page(_ signedIn: SignedIn) -> HTTPFields {
        [.cookie: "cf_session=\(signedIn.token)", .csrfToken: signedIn.session.csrfToken, .contentType: "application/x-www-form-urlencoded"]
    }

    @Test("an officer sees every cluster's make-up; an empty name re-renders the form with the error; a SENCo cannot open another cluster")
    func pages() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            let senco = try await fixture.signIn(.senco, address: "10.5.0.1")
            let clusters = try await ClusterStore(database: fixture.database, clock: fixture.clock.clock).list(officer.session.actor, year: AcademicYear(2026))
            let south = try #require(clusters.first { $0.name == "South Locality" })
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/clusters?year=2026", method: .get, headers: Self.page(officer)) { response in
                    let html = text(response)
                    #expect(response.status == .ok)
                    #expect(html.contains("North Locality") && html.contains("South Locality"))
                    #expect(html.contains(#"action="/clusters/copy-year""#))
                }
                try await client.execute(uri: "/clusters", method: .post, headers: Self.page(officer), body: ByteBuffer(string: "name=++&localityLeadUserId=")) { response in
                    #expect(response.status == .unprocessableContent)
                    #expect(text(response).contains(##"href="#name""##))
                }
                try await client.execute(uri: "/clusters/\(south.id)", method: .get, headers: Self.page(senco)) { response in
                    #expect(response.status == .notFound)
                }
                try await client.execute(uri: "/clusters", method: .get, headers: Self.page(senco)) { response in
                    let html = text(response)
                    #expect(html.contains("North Locality") && !html.contains("South Locality"))
                    #expect(!html.contains(#"action="/clusters/copy-year""#))
                }
            }
        }
    }

    @Test("the API lists the clusters of a year with their make-up, and moves a school with one call")
    func api() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer, kind: .api)
            let headers: HTTPFields = [.authorization: "Bearer \(officer.token)", .contentType: "application/json"]
            let store = ClusterStore(database: fixture.database, clock: fixture.clock.clock)
            let clusters = try await store.list(officer.session.actor, year: AcademicYear(2026))
            let north = try #require(clusters.first { $0.name == "North Locality" })
            let south = try #require(clusters.first { $0.name == "South Locality" })
            let school = try #require(try await store.cluster(officer.session.actor, north.id, year: AcademicYear(2026)).members.first)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/api/v1/clusters?year=2026", method: .get, headers: headers) { response in
                    let body = try JSONSerialization.jsonObject(with: Data(text(response).utf8)) as? [String: Any]
                    let items = body?["items"] as? [[String: Any]] ?? []
                    #expect(items.count == 2)
                    #expect((items.first?["makeUp"] as? [String: Any])?["schools"] as? Int == 6)
                }
                let move = #"{"schoolId":"\#(school.schoolID)","academicYear":2026}"#
                try await client.execute(uri: "/api/v1/clusters/\(south.id)/members", method: .post, headers: headers, body: ByteBuffer(string: move)) { response in
                    #expect(response.status == .noContent)
                }
                try await client.execute(uri: "/api/v1/clusters/\(south.id)?year=2026", method: .get, headers: headers) { response in
                    let body = try JSONSerialization.jsonObject(with: Data(text(response).utf8)) as? [String: Any]
                    #expect((body?["members"] as? [[String: Any]])?.count == 7)
                }
                try await client.execute(uri: "/api/v1/clusters/\(south.id)/members/\(school.schoolID)?year=2025", method: .delete, headers: headers) { response in
                    #expect(response.status == .unprocessableContent, "a past year stays as it was")
                }
            }
        }
    }
}
