import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
@testable import Store
import PQ
import Testing
import TestSupport

@Suite("pupils moving school, on pages and in the API")
struct TransfersTests {
    static func brookfield(_ fixture: IdentityFixture) async throws -> ID<School> {
        try await fixture.asOwner { tx in try await tx.one("SELECT id FROM schools WHERE name = 'Brookfield Primary School'").decode(ID<School>.self, at: 0) }
    }

    @Test("on pages: the joining school asks (a miss keeps the input and says only to check), sees nothing until the old school's SENCo confirms")
    func pages() async throws {
        try await IdentityFixture.with { fixture in
            let senco = try await fixture.signIn(.senco)
            let head = try await fixture.signIn(.headteacher, address: "10.9.5.1")
            let other = try await fixture.signIn(.otherSenco, address: "10.9.5.2")
            let id = try await PupilRecordsTests.pupil(fixture)
            let school = try await Self.brookfield(fixture)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/pupils/transfer", method: .get, headers: PupilPagesTests.page(head)) { response in
                    #expect(response.status == .forbidden)
                }
                let miss = "schoolId=\(school)&upn=F999000120001&dateOfBirth=16%2F10%2F2018"
                try await client.execute(uri: "/pupils/transfer", method: .post, headers: PupilPagesTests.page(other), body: ByteBuffer(string: miss)) { response in
                    let html = text(response)
                    #expect(response.status == .unprocessableContent && html.contains("check the UPN and date of birth, or ask an officer"))
                    #expect(html.contains(#"value="16/10/2018""#) && !html.contains("Applebank"))
                }
                let hit = miss.replacingOccurrences(of: "16%2F10", with: "15%2F10")
                try await client.execute(uri: "/pupils/transfer", method: .post, headers: PupilPagesTests.page(other), body: ByteBuffer(string: hit)) { response in
                    #expect(response.status == .seeOther && response.headers[.location] == "/transfers?asked=1")
                }
                try await client.execute(uri: "/transfers?asked=1", method: .get, headers: PupilPagesTests.page(other)) { response in
                    let html = text(response)
                    #expect(html.contains("Not shown until the move is confirmed") && !html.contains("Applebank") && !html.contains("/confirm"))
                }
                try await client.execute(uri: "/pupils/\(id)", method: .get, headers: PupilPagesTests.page(other)) { response in
                    #expect(response.status == .notFound)
                }
                var action = ""
                try await client.execute(uri: "/transfers?status=pending", method: .get, headers: PupilPagesTests.page(senco)) { response in
                    let html = text(response)
                    #expect(html.contains("Ada Applebank") && html.contains("Confirm the move"))
                    action = html.components(separatedBy: #"action=""#).dropFirst().map { $0.prefix { $0 != "\"" } }.first { $0.hasSuffix("/confirm") }.map(String.init) ?? ""
                }
                try await client.execute(uri: "/transfers", method: .get, headers: PupilPagesTests.page(head)) { response in
                    #expect(text(response).contains("Ada Applebank") && !text(response).contains("Confirm the move"))
                }
                try await client.execute(uri: action, method: .post, headers: PupilPagesTests.page(head)) { response in
                    #expect(response.status == .forbidden)
                }
                try await client.execute(uri: action, method: .post, headers: PupilPagesTests.page(senco)) { response in
                    #expect(response.status == .seeOther)
                }
                try await client.execute(uri: "/pupils/\(id)", method: .get, headers: PupilPagesTests.page(other)) { response in
                    let html = text(response)
                    #expect(response.status == .ok && html.contains("Brookfield Primary School") && html.contains("Ashgrove Primary School"))
                }
                try await client.execute(uri: "/pupils/\(id)", method: .get, headers: PupilPagesTests.page(senco)) { response in
                    #expect(response.status == .notFound)
                }
            }
        }
    }

    @Test("in the API: only the joining school's SENCo asks, only the old school's SENCo or an officer decides")
    func api() async throws {
        try await IdentityFixture.with { fixture in
            let other = try await fixture.signIn(.otherSenco, address: "10.9.6.2")
            let head = try await fixture.signIn(.headteacher, address: "10.9.6.1")
            let officer = try await fixture.signIn(.officer, address: "10.9.6.3")
            _ = try await PupilRecordsTests.pupil(fixture)
            let school = try await Self.brookfield(fixture)
            let body = #"{"schoolId":"\#(school)","upn":"F999000120001","dateOfBirth":"2018-10-15"}"#
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/api/v1/pupil-transfers", method: .post, headers: PupilsAPITests.api(head), body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .forbidden)
                }
                var id = ""
                try await client.execute(uri: "/api/v1/pupil-transfers", method: .post, headers: PupilsAPITests.api(other), body: ByteBuffer(string: body)) { response in
                    let json = try PupilRecordsTests.json(response)
                    id = json["id"] as? String ?? ""
                    #expect(response.status == .created && json["pupilName"] == nil && json["status"] as? String == "pending")
                }
                for (signedIn, status) in [(other, HTTPResponse.Status.forbidden), (head, .forbidden), (officer, .ok)] {
                    try await client.execute(uri: "/api/v1/pupil-transfers/\(id)/confirm", method: .post, headers: PupilsAPITests.api(signedIn)) { response in
                        #expect(response.status == status)
                    }
                }
                try await client.execute(uri: "/api/v1/pupil-transfers/\(id)/refuse", method: .post, headers: PupilsAPITests.api(officer)) { response in
                    #expect(response.status == .conflict)
                }
                try await client.execute(uri: "/api/v1/pupil-transfers?status=confirmed", method: .get, headers: PupilsAPITests.api(other)) { response in
                    let items = (try PupilRecordsTests.json(response))["items"] as? [[String: Any]] ?? []
                    #expect(items.count == 1 && items.first?["pupilName"] as? String == "Ada Applebank" && items.first?["movedOn"] != nil)
                }
            }
        }
    }
}
