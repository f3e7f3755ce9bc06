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

@Suite("consent, referrals and the subject access export, on pages and in the API")
struct PupilRecordsTests {
    /// A new pupil, Ada Applebank, at Ashgrove, with no consent recorded.
    static func pupil(_ fixture: IdentityFixture) async throws -> ID<Pupil> {
        let senco = try await fixture.signIn(.senco, address: "10.9.0.9").session.actor
        let ashgrove = try await fixture.asOwner { tx in
            try await tx.one("SELECT id FROM schools WHERE name = 'Ashgrove Primary School'").decode(ID<School>.self, at: 0)
        }
        let details = PupilDetails(givenNames: "Ada", familyName: "Applebank", dateOfBirth: CalendarDate(iso: "2018-10-15")!,
                                   upn: String(UPN.checkLetter(for: "999000120001") ?? "?") + "999000120001", yearGroup: 3, needs: [.slcn],
                                   senStatus: .senSupport, lookedAfter: false, homeLACode: nil, outOfCohortReason: nil)
        return try await PupilStore(database: fixture.database, clock: fixture.clock.clock).create(senco, school: ashgrove, details: details, request: fixture.request())
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text(response).utf8)) as? [String: Any] ?? [:]
    }

    @Test("consent on pages: the SENCo records it (a refusal keeps the input and names each field), an officer only a withdrawal, the headteacher never; an EP then reaches the pupil")
    func consentPages() async throws {
        try await IdentityFixture.with { fixture in
            let senco = try await fixture.signIn(.senco)
            let head = try await fixture.signIn(.headteacher, address: "10.9.1.1")
            let officer = try await fixture.signIn(.officer, address: "10.9.1.2")
            let ep = try await fixture.signIn(.psychologist, address: "10.9.1.3")
            let id = try await Self.pupil(fixture)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/pupils/\(id)/consents/new", method: .get, headers: PupilPagesTests.page(head)) { response in
                    #expect(response.status == .forbidden)
                }
                try await client.execute(uri: "/pupils/\(id)/consents/new", method: .get, headers: PupilPagesTests.page(officer)) { response in
                    let html = text(response)
                    #expect(response.status == .ok && html.contains(#"<option value="withdrawn""#) && !html.contains(#"<option value="given""#))
                }
                try await client.execute(uri: "/pupils/\(id)", method: .get, headers: PupilPagesTests.page(ep)) { response in
                    #expect(response.status == .notFound)
                }
                let bad = "purpose=ep_involvement&kind=given&givenByName=&relationship=young_person&givenOn=31%2F02%2F2026&method=signed_form&evidenceReference=Form+9"
                try await client.execute(uri: "/pupils/\(id)/consents", method: .post, headers: PupilPagesTests.page(senco), body: ByteBuffer(string: bad)) { response in
                    let html = text(response)
                    #expect(response.status == .unprocessableContent)
                    #expect(html.contains(##"href="#givenOn""##) && html.contains(##"href="#givenByName""##) && html.contains(#"value="Form 9""#))
                }
                let young = bad.replacingOccurrences(of: "givenByName=", with: "givenByName=Ada").replacingOccurrences(of: "31%2F02%2F2026", with: "02%2F11%2F2026")
                try await client.execute(uri: "/pupils/\(id)/consents", method: .post, headers: PupilPagesTests.page(senco), body: ByteBuffer(string: young)) { response in
                    #expect(response.status == .unprocessableContent && text(response).contains("16th birthday"))
                }
                let good = young.replacingOccurrences(of: "young_person", with: "parent").replacingOccurrences(of: "givenByName=Ada", with: "givenByName=Zelda+Quartermain")
                try await client.execute(uri: "/pupils/\(id)/consents", method: .post, headers: PupilPagesTests.page(senco), body: ByteBuffer(string: good)) { response in
                    #expect(response.status == .seeOther && response.headers[.location] == "/pupils/\(id)#consent")
                }
                try await client.execute(uri: "/pupils/\(id)", method: .get, headers: PupilPagesTests.page(ep)) { response in
                    let html = text(response)
                    #expect(response.status == .ok && html.contains("Ada Applebank") && !html.contains("Zelda Quartermain"))
                }
                try await client.execute(uri: "/pupils/\(id)", method: .get, headers: PupilPagesTests.page(senco)) { response in
                    let html = text(response)
                    #expect(html.contains("Zelda Quartermain (parent)") && html.contains("Given on Monday 2 November 2026") && html.contains("?replaces="))
                }
                let withdraw = "purpose=ep_involvement&kind=withdrawn&givenByName=Zelda+Quartermain&relationship=parent&givenOn=03%2F11%2F2026&method=email&evidenceReference=Email+to+the+council"
                try await client.execute(uri: "/pupils/\(id)/consents", method: .post, headers: PupilPagesTests.page(officer), body: ByteBuffer(string: withdraw)) { response in
                    #expect(response.status == .seeOther)
                }
                try await client.execute(uri: "/pupils/\(id)", method: .get, headers: PupilPagesTests.page(ep)) { response in
                    #expect(response.status == .notFound)
                }
            }
        }
    }

    @Test("referrals on pages: the SENCo records the school's request, an officer the decisions (a refusal keeps the input); the timeliness list is the officers'")
    func referralPages() async throws {
        try await IdentityFixture.with { fixture in
            let senco = try await fixture.signIn(.senco)
            let officer = try await fixture.signIn(.officer, address: "10.9.2.2")
            let id = try await Self.pupil(fixture)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/pupils/\(id)/referrals/new", method: .get, headers: PupilPagesTests.page(senco)) { response in
                    let html = text(response)
                    #expect(response.status == .ok && !html.contains("Decision whether to assess") && !html.contains(#"value="parent""#))
                }
                try await client.execute(uri: "/pupils/\(id)/referrals", method: .post, headers: PupilPagesTests.page(senco),
                                         body: ByteBuffer(string: "requestedBy=school&receivedOn=01%2F09%2F2026")) { response in
                    #expect(response.status == .seeOther && response.headers[.location] == "/pupils/\(id)#referrals")
                }
                let referral = try await fixture.asOwner { tx in
                    try await tx.one("SELECT id FROM ehcp_referrals WHERE pupil_id = \(id)").decode(ID<Referral>.self, at: 0)
                }
                try await client.execute(uri: "/pupils/\(id)/referrals/\(referral)/edit", method: .get, headers: PupilPagesTests.page(senco)) { response in
                    #expect(response.status == .forbidden)
                }
                let bad = "requestedBy=school&receivedOn=01%2F09%2F2026&decision=assess&decidedOn=&outcome=&appealOn=&draftPlanOn=&finalPlanOn=&noPlanNoticeOn=&outcomeOn="
                try await client.execute(uri: "/pupils/\(id)/referrals/\(referral)", method: .post, headers: PupilPagesTests.page(officer), body: ByteBuffer(string: bad)) { response in
                    let html = text(response)
                    #expect(response.status == .unprocessableContent && html.contains("Record the decision and its date together"))
                    #expect(html.contains(#"<option value="assess" selected>"#))
                }
                let late = bad.replacingOccurrences(of: "decidedOn=", with: "decidedOn=14%2F10%2F2026")  // day 43: one day late
                try await client.execute(uri: "/pupils/\(id)/referrals/\(referral)", method: .post, headers: PupilPagesTests.page(officer), body: ByteBuffer(string: late)) { response in
                    #expect(response.status == .seeOther)
                }
                try await client.execute(uri: "/pupils/\(id)", method: .get, headers: PupilPagesTests.page(senco)) { response in
                    let html = text(response)
                    #expect(html.contains("Assess. Missed (due Tuesday 13 October 2026)") && html.contains("Due Tuesday 19 January 2027"))
                }
                try await client.execute(uri: "/referrals?standing=missed", method: .get, headers: PupilPagesTests.page(officer)) { response in
                    #expect(response.status == .ok && text(response).contains("/pupils/\(id)#referrals"))
                }
                try await client.execute(uri: "/referrals?standing=sometimes", method: .get, headers: PupilPagesTests.page(officer)) { response in
                    #expect(response.status == .unprocessableContent && text(response).contains("Choose met, missed or pending."))
                }
                try await client.execute(uri: "/referrals", method: .get, headers: PupilPagesTests.page(senco)) { response in
                    #expect(response.status == .forbidden)
                }
            }
        }
    }

    @Test("the subject access export: everything held on the pupil, reads included, as a page and as JSON; officers only")
    func export() async throws {
        try await IdentityFixture.with { fixture in
            let senco = try await fixture.signIn(.senco)
            let officer = try await fixture.signIn(.officer, address: "10.9.3.2")
            let id = try await Self.pupil(fixture)
            _ = try await PupilStore(database: fixture.database, clock: fixture.clock.clock)
                .recordConsent(senco.session.actor, pupil: id, entry: ConsentEntry(purpose: .panelSharing, kind: .given, givenByName: "Zelda Quartermain", relationship: .parent,
                                                                   givenOn: CalendarDate(iso: "2026-11-02")!, method: .signedForm, evidenceReference: "Form 7"),
                               request: fixture.request())
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/pupils/\(id)/export", method: .get, headers: PupilPagesTests.page(senco)) { response in
                    #expect(response.status == .forbidden)
                }
                try await client.execute(uri: "/pupils/\(id)/export", method: .get, headers: PupilPagesTests.page(officer)) { response in
                    let html = text(response)
                    #expect(response.status == .ok && html.contains("Everything held on Ada Applebank") && html.contains("Zelda Quartermain"))
                    #expect(html.contains("consent.given") && html.contains("pupil.created"))
                }
                try await client.execute(uri: "/api/v1/pupils/\(id)/export", method: .get, headers: PupilsAPITests.api(officer)) { response in
                    let json = try Self.json(response)
                    let trail = json["auditTrail"] as? [[String: Any]] ?? []
                    #expect(response.status == .ok && (json["pupil"] as? [String: Any])?["givenNames"] as? String == "Ada")
                    #expect(trail.contains { $0["action"] as? String == "pupil.viewed" } && trail.contains { $0["action"] as? String == "consent.given" })
                }
                try await client.execute(uri: "/pupils/\(id)/export.json", method: .get, headers: PupilPagesTests.page(officer)) { response in
                    #expect(response.status == .ok && response.headers[.contentDisposition]?.contains("attachment") == true)
                    let json = try Self.json(response)
                    #expect(json["consents"] == nil && json["auditTrail"] is [Any])
                }
            }
        }
    }

    @Test("consent and referrals in the API: each role as the rules say, refusals naming every field")
    func api() async throws {
        try await IdentityFixture.with { fixture in
            let senco = try await fixture.signIn(.senco)
            let head = try await fixture.signIn(.headteacher, address: "10.9.4.1")
            let officer = try await fixture.signIn(.officer, address: "10.9.4.2")
            let ep = try await fixture.signIn(.psychologist, address: "10.9.4.3")
            let other = try await fixture.signIn(.otherSenco, address: "10.9.4.4")
            let id = try await Self.pupil(fixture)
            let consent = #"{"purpose":"ep_involvement","kind":"given","givenByName":"Zelda Quartermain","relationship":"parent","givenOn":"2026-11-02","method":"email","evidenceReference":"Email of 2 November"}"#
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/api/v1/pupils/\(id)/consents", method: .post, headers: PupilsAPITests.api(senco),
                                         body: ByteBuffer(string: #"{"purpose":"everything","kind":"given","givenOn":"2026-13-01"}"#)) { response in
                    let body = text(response)
                    #expect(response.status == .unprocessableContent)
                    #expect(["/purpose", "/relationship", "/givenOn", "/method", "/givenByName", "/evidenceReference"].allSatisfy { body.contains($0.replacingOccurrences(of: "/", with: #"\/"#)) })
                }
                for (signedIn, status) in [(officer, HTTPResponse.Status.forbidden), (head, .forbidden), (other, .notFound), (ep, .notFound), (senco, .created)] {
                    try await client.execute(uri: "/api/v1/pupils/\(id)/consents", method: .post, headers: PupilsAPITests.api(signedIn), body: ByteBuffer(string: consent)) { response in
                        #expect(response.status == status, "\(signedIn.session.actor.displayName)")
                    }
                }
                try await client.execute(uri: "/api/v1/pupils/\(id)", method: .get, headers: PupilsAPITests.api(ep)) { response in
                    let json = try Self.json(response)
                    #expect(response.status == .ok && json["consentInForce"] as? [String] == ["ep_involvement"] && (json["consents"] as? [Any])?.isEmpty == true)
                }
                var referral = ""
                try await client.execute(uri: "/api/v1/pupils/\(id)/referrals", method: .post, headers: PupilsAPITests.api(senco),
                                         body: ByteBuffer(string: #"{"requestedBy":"school","receivedOn":"2026-09-01"}"#)) { response in
                    let json = try Self.json(response)
                    referral = json["id"] as? String ?? ""
                    #expect(response.status == .created && (json["decisionDeadline"] as? [String: Any])?["standing"] as? String == "missed")
                }
                let decided = #"{"requestedBy":"school","receivedOn":"2026-09-01","decision":"assess","decidedOn":"2026-10-13"}"#
                for (signedIn, status) in [(senco, HTTPResponse.Status.forbidden), (head, .forbidden), (other, .notFound), (officer, .ok)] {
                    try await client.execute(uri: "/api/v1/pupils/\(id)/referrals/\(referral)", method: .put, headers: PupilsAPITests.api(signedIn),
                                             body: ByteBuffer(string: decided)) { response in
                        #expect(response.status == status, "\(signedIn.session.actor.displayName)")
                    }
                }
                try await client.execute(uri: "/api/v1/pupils/\(id)/referrals", method: .get, headers: PupilsAPITests.api(ep)) { response in
                    let items = (try Self.json(response))["items"] as? [[String: Any]] ?? []
                    #expect(items.count == 1 && (items.first?["decisionDeadline"] as? [String: Any])?["standing"] as? String == "met")
                }
                try await client.execute(uri: "/api/v1/referrals?standing=pending", method: .get, headers: PupilsAPITests.api(officer)) { response in
                    let items = (try Self.json(response))["items"] as? [[String: Any]] ?? []
                    #expect(response.status == .ok && items.contains { $0["id"] as? String == referral && $0["pupilName"] as? String == "Ada Applebank" })
                }
                try await client.execute(uri: "/api/v1/referrals?standing=late", method: .get, headers: PupilsAPITests.api(officer)) { response in
                    #expect(response.status == .unprocessableContent)
                }
            }
        }
    }
}
