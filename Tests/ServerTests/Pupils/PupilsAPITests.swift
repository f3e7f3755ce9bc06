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

@Suite("pupils in the API")
struct PupilsAPITests {
    static func api(_ signedIn: SignedIn) -> HTTPFields {
        [.authorization: "Bearer \(signedIn.token)", .contentType: "application/json"]
    }

    static func body(school: String, given: String = "Ada", upn: String? = nil) -> String {
        let upn = upn ?? (String(UPN.checkLetter(for: "999000120001") ?? "?") + "999000120001")
        return #"{"schoolId":"\#(school)","givenNames":"\#(given)","familyName":"Applebank","dateOfBirth":"2018-10-15","upn":"\#(upn)","yearGroup":3,"needs":["SLCN"],"senStatus":"sen_support","lookedAfter":false}"#
    }

    @Test("the SENCo adds a pupil (201), refusals name every field, and each role reaches the record as the rules say")
    func roles() async throws {
        try await IdentityFixture.with { fixture in
            let senco = try await fixture.signIn(.senco)
            let ashgrove = try await fixture.asOwner { tx in
                try await tx.one("SELECT id FROM schools WHERE name = 'Ashgrove Primary School'").decode(ID<School>.self, at: 0)
            }
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                let bad = #"{"schoolId":"\#(ashgrove)","givenNames":"","familyName":"Applebank","dateOfBirth":"2010-02-30","upn":"A000000000001","yearGroup":3,"needs":["XYZ"],"senStatus":"sen_support","lookedAfter":false}"#
                try await client.execute(uri: "/api/v1/pupils", method: .post, headers: Self.api(senco), body: ByteBuffer(string: bad)) { response in
                    #expect(response.status == .unprocessableContent)
                    #expect(text(response).contains("dateOfBirth") && text(response).contains(#"needs\/0"#))
                }
                var id = ""
                try await client.execute(uri: "/api/v1/pupils", method: .post, headers: Self.api(senco),
                                         body: ByteBuffer(string: Self.body(school: ashgrove.description))) { response in
                    #expect(response.status == .created)
                    let json = try JSONSerialization.jsonObject(with: Data(text(response).utf8)) as? [String: Any]
                    id = json?["id"] as? String ?? ""
                    #expect(json?["yearGroupName"] as? String == "Year 3" && (json?["enrolments"] as? [Any])?.count == 1)
                }
                try await client.execute(uri: "/api/v1/pupils", method: .post, headers: Self.api(senco),
                                         body: ByteBuffer(string: Self.body(school: ashgrove.description, given: "Twin"))) { response in
                    #expect(response.status == .conflict && text(response).contains("check the UPN and date of birth"))
                }
                for (person, status) in [(IdentityFixture.Person.senco, HTTPResponse.Status.ok), (.headteacher, .ok), (.officer, .ok),
                                         (.otherSenco, .notFound), (.otherHeadteacher, .notFound), (.psychologist, .notFound)] {
                    let signedIn = try await fixture.signIn(person, address: "10.7.0.\(status.code % 200)")
                    try await client.execute(uri: "/api/v1/pupils/\(id)", method: .get, headers: Self.api(signedIn)) { response in
                        #expect(response.status == status, "\(person)")
                    }
                    let change = Self.body(school: ashgrove.description, given: "Bea")
                    let expected: HTTPResponse.Status = person == .senco ? .ok : status == .ok ? .forbidden : status
                    try await client.execute(uri: "/api/v1/pupils/\(id)", method: .put, headers: Self.api(signedIn), body: ByteBuffer(string: change)) { response in
                        #expect(response.status == expected, "\(person) changing")
                    }
                }
            }
        }
    }

    @Test("every GET route of the OpenAPI document that names a pupil writes a read event")
    func everyReadAudited() async throws {
        try await IdentityFixture.with { fixture in
            let senco = try await fixture.signIn(.senco)
            let officer = try await fixture.signIn(.officer, address: "10.8.0.1")
            let ashgrove = try await fixture.asOwner { tx in
                try await tx.one("SELECT id FROM schools WHERE name = 'Ashgrove Primary School'").decode(ID<School>.self, at: 0)
            }
            let store = PupilStore(database: fixture.database, clock: fixture.clock.clock)
            let details = PupilDetails(givenNames: "Ada", familyName: "Applebank", dateOfBirth: CalendarDate(iso: "2018-10-15")!,
                                       upn: String(UPN.checkLetter(for: "999000120001") ?? "?") + "999000120001", yearGroup: 3, needs: [],
                                       senStatus: .none, lookedAfter: false, homeLACode: nil, outOfCohortReason: nil)
            let id = try await store.create(senco.session.actor, school: ashgrove, details: details, request: fixture.request())
            let referral = try await ReferralStore(database: fixture.database, clock: fixture.clock.clock).create(
                senco.session.actor, pupil: id, entry: ReferralEntry(requestedBy: .school, timeline: ReferralTimeline(receivedOn: CalendarDate(iso: "2026-11-02")!)),
                request: fixture.request())
            // A move asked for, so the list of moves names the pupil.
            let other = try await fixture.signIn(.otherSenco, address: "10.8.0.2").session.actor
            let brookfield = try await fixture.asOwner { tx in
                try await tx.one("SELECT id FROM schools WHERE name = 'Brookfield Primary School'").decode(ID<School>.self, at: 0)
            }
            _ = try await store.requestTransfer(other, upn: details.upn, dateOfBirth: details.dateOfBirth, to: brookfield, request: fixture.request())
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                // The document as served: every GET path that names a pupil.
                var pupilReads: [String] = []
                try await client.execute(uri: "/openapi.json", method: .get) { response in
                    let document = try JSONSerialization.jsonObject(with: Data(text(response).utf8)) as? [String: Any]
                    let paths = document?["paths"] as? [String: [String: Any]] ?? [:]
                    pupilReads = paths.filter { ($0.key.contains("pupil") || $0.key.contains("referral")) && $0.value["get"] != nil }.keys.sorted()
                }
                #expect(pupilReads.count == 8)
                for path in pupilReads {
                    let before = try await fixture.audit.list(officer.session.actor, filter: AuditFilter(actor: officer.session.actor.userID), page: 1).total
                    let uri = path.replacingOccurrences(of: "{pupilId}", with: id.description).replacingOccurrences(of: "{referralId}", with: referral.description)
                    try await client.execute(uri: uri, method: .get, headers: Self.api(officer)) { response in
                        #expect(response.status == .ok, "\(path)")
                    }
                    let events = try await fixture.audit.list(officer.session.actor, filter: AuditFilter(actor: officer.session.actor.userID), page: 1)
                    let action = events.items.first?.action ?? ""
                    #expect(events.total == before + 1 && (action.hasPrefix("pupil") || action == "referral.viewed"), "\(path) wrote no read event")
                }
            }
        }
    }
}
