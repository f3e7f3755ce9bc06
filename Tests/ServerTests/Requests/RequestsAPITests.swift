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

@Suite("requests in the API")
struct RequestsAPITests {
    @Test("the lead SENCo starts and saves a draft; submission lists every problem; refusals name the allowed actions; each role as the rules say")
    func draftToRefusals() async throws {
        try await IdentityFixture.with { fixture in
            let senco = try await fixture.signIn(.senco)
            let head = try await fixture.signIn(.headteacher, address: "10.9.7.1")
            let other = try await fixture.signIn(.otherSenco, address: "10.9.7.2")
            let officer = try await fixture.signIn(.officer, address: "10.9.7.3")
            let ashgrove = try await fixture.asOwner { tx in
                try await tx.one("SELECT id FROM schools WHERE name = 'Ashgrove Primary School'").decode(ID<School>.self, at: 0)
            }
            let pupil = try await PupilRecordsTests.pupil(fixture)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                let start = #"{"type":"individual","leadSchoolId":"\#(ashgrove)","title":"Speech support"}"#
                try await client.execute(uri: "/api/v1/requests", method: .post, headers: PupilsAPITests.api(head), body: ByteBuffer(string: start)) { response in
                    #expect(response.status == .forbidden)
                }
                var id = ""
                try await client.execute(uri: "/api/v1/requests", method: .post, headers: PupilsAPITests.api(senco), body: ByteBuffer(string: start)) { response in
                    let json = try PupilRecordsTests.json(response)
                    id = json["id"] as? String ?? ""
                    #expect(response.status == .created && json["state"] as? String == "draft" && json["typeName"] as? String == "Individual")
                }
                let change = #"{"need":"Expressive language two years behind","lines":[{"category":"therapy","description":"Speech therapy","unitCostPence":8000,"quantity":30,"funder":"cluster"},{"category":"other","description":"x","unitCostPence":1,"quantity":1,"funder":"council"}]}"#
                try await client.execute(uri: "/api/v1/requests/\(id)", method: .patch, headers: PupilsAPITests.api(senco), body: ByteBuffer(string: change)) { response in
                    #expect(response.status == .unprocessableContent && text(response).contains(#"lines\/1\/funder"#))
                }
                let good = change.replacingOccurrences(of: #","funder":"council""#, with: #","funder":"school""#)
                    .replacingOccurrences(of: "}]}", with: #"}],"pupils":{"schoolId":"\#(ashgrove)","pupilIds":["\#(pupil)"]}}"#)
                try await client.execute(uri: "/api/v1/requests/\(id)", method: .patch, headers: PupilsAPITests.api(senco), body: ByteBuffer(string: good)) { response in
                    let json = try PupilRecordsTests.json(response)
                    #expect(response.status == .ok && json["askPence"] as? Int == 240_000 && (json["pupils"] as? [[String: Any]])?.first?["name"] as? String == "Ada Applebank")
                    #expect(json["hold"] as? String != nil)  // no consent to share with the panel yet
                }
                // Documents by reference: one with no title and an unreadable date is refused by field; a good one is kept.
                try await client.execute(uri: "/api/v1/requests/\(id)", method: .patch, headers: PupilsAPITests.api(senco),
                                         body: ByteBuffer(string: #"{"documents":[{"title":" ","datedOn":"2026-13-01","keptAt":"SEN file"}]}"#)) { response in
                    #expect(response.status == .unprocessableContent && text(response).contains(#"documents\/0\/datedOn"#) && text(response).contains(#"documents\/0\/title"#) == false)
                }
                try await client.execute(uri: "/api/v1/requests/\(id)", method: .patch, headers: PupilsAPITests.api(senco),
                                         body: ByteBuffer(string: #"{"documents":[{"title":" ","datedOn":"2026-10-01","keptAt":"SEN file"}]}"#)) { response in
                    #expect(response.status == .unprocessableContent && text(response).contains(#"documents\/0\/title"#))
                }
                try await client.execute(uri: "/api/v1/requests/\(id)", method: .patch, headers: PupilsAPITests.api(senco),
                                         body: ByteBuffer(string: #"{"documents":[{"title":"Therapy report","datedOn":"2026-10-01","keptAt":"SEN file"}]}"#)) { response in
                    let documents = try PupilRecordsTests.json(response)["documents"] as? [[String: Any]]
                    #expect(response.status == .ok && documents?.first?["keptAt"] as? String == "SEN file" && documents?.first?["datedOn"] as? String == "2026-10-01")
                }
                try await client.execute(uri: "/api/v1/requests/\(id)", method: .patch, headers: PupilsAPITests.api(senco),
                                         body: ByteBuffer(string: #"{"areasOfNeed":["cognition_and_learning","bogus"]}"#)) { response in
                    #expect(response.status == .unprocessableContent && text(response).contains("Choose areas of need from"))
                }
                try await client.execute(uri: "/api/v1/requests/\(id)", method: .patch, headers: PupilsAPITests.api(senco),
                                         body: ByteBuffer(string: #"{"areasOfNeed":["sensory_and_physical","communication_and_interaction"]}"#)) { response in
                    let areas = try PupilRecordsTests.json(response)["areasOfNeed"] as? [String]
                    #expect(areas == ["communication_and_interaction", "sensory_and_physical"])  // in the Code's order
                }
                // A partner that is no school the SENCo can see is refused by name, and nothing is saved.
                try await client.execute(uri: "/api/v1/requests/\(id)", method: .patch, headers: PupilsAPITests.api(senco),
                                         body: ByteBuffer(string: #"{"need":"lost","partnerSchoolIds":["00000000-0000-4000-8000-000000000001"]}"#)) { response in
                    #expect(response.status == .unprocessableContent && text(response).contains("Choose partner schools from your cluster."))
                }
                try await client.execute(uri: "/api/v1/requests/\(id)", method: .patch, headers: PupilsAPITests.api(head), body: ByteBuffer(string: #"{"need":"x"}"#)) { response in
                    #expect(response.status == .forbidden)
                }
                try await client.execute(uri: "/api/v1/requests/\(id)", method: .get, headers: PupilsAPITests.api(other)) { response in
                    #expect(response.status == .notFound)
                }
                try await client.execute(uri: "/api/v1/requests/\(id)/submit", method: .post, headers: PupilsAPITests.api(senco)) { response in
                    #expect(response.status == .conflict && text(response).contains("The request is held") && text(response).contains("You can withdraw it."))
                }
                try await client.execute(uri: "/api/v1/requests/\(id)/nominate", method: .post, headers: PupilsAPITests.api(officer)) { response in
                    #expect(response.status == .conflict && text(response).contains("Only the chair of the planning meeting nominates"))
                }
                try await client.execute(uri: "/api/v1/requests?state=draft", method: .get, headers: PupilsAPITests.api(senco)) { response in
                    let items = (try PupilRecordsTests.json(response))["items"] as? [[String: Any]] ?? []
                    #expect(items.map { $0["id"] as? String } == [id])
                }
                try await client.execute(uri: "/api/v1/requests", method: .get, headers: PupilsAPITests.api(other)) { response in
                    let total = try PupilRecordsTests.json(response)["total"] as? Int
                    #expect(total == 0)
                }
                try await client.execute(uri: "/api/v1/requests/\(id)/withdraw", method: .post, headers: PupilsAPITests.api(senco)) { response in
                    let state = try PupilRecordsTests.json(response)["state"] as? String
                    #expect(response.status == .ok && state == "withdrawn")
                }
            }
        }
    }

    @Test("the agenda: another school of the cluster sees the pupil only pseudonymised, never a name, UPN or date of birth; after withdrawal nobody but the pupil's school learns more than that")
    func agenda() async throws {
        try await IdentityFixture.with { fixture in
            let senco = try await fixture.signIn(.senco)
            let other = try await fixture.signIn(.otherSenco, address: "10.9.8.2")
            let officer = try await fixture.signIn(.officer, address: "10.9.8.3")
            let meetings = MeetingStore(database: fixture.database, clock: fixture.clock.clock)
            _ = try await meetings.generate(officer.session.actor, year: AcademicYear(2026),
                                            pattern: try SchedulePattern(planningWeek: 3, allocationWeek: 5, weekday: .tuesday, startsAt: #require(TimeOfDay(hour: 15, minute: 30))),
                                            place: "Civic Centre", onlineLink: nil, request: fixture.request())
            let ashgrove = try await fixture.asOwner { tx in
                try await tx.one("SELECT id FROM schools WHERE name = 'Ashgrove Primary School'").decode(ID<School>.self, at: 0)
            }
            let pupil = try await PupilRecordsTests.pupil(fixture)
            let pupils = PupilStore(database: fixture.database, clock: fixture.clock.clock)
            @Sendable func consent(_ kind: ConsentKind, _ on: String) -> ConsentEntry {
                ConsentEntry(purpose: .panelSharing, kind: kind, givenByName: "Zelda Quartermain", relationship: .parent, givenOn: CalendarDate(iso: on)!,
                             method: .signedForm, evidenceReference: "Form 7")
            }
            _ = try await pupils.recordConsent(senco.session.actor, pupil: pupil, entry: consent(.given, "2026-11-02"), request: fixture.request())
            let store = RequestStore(database: fixture.database, clock: fixture.clock.clock)
            let id = try await store.create(senco.session.actor, type: "discussion", leadSchool: ashgrove, title: "Transition worries", request: fixture.request())
            try await store.save(senco.session.actor, id, draft: RequestDraft(title: "Transition worries", need: "Anxious at changes of class"), request: fixture.request())
            try await store.setPupils(senco.session.actor, id, school: ashgrove, pupils: [pupil], request: fixture.request())
            let meeting = try #require(try await store.act(senco.session.actor, id, .submit, request: fixture.request()).meetingID)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                func body(_ who: SignedIn) async throws -> String {
                    var found = ""
                    try await client.execute(uri: "/api/v1/meetings/\(meeting)/agenda", method: .get, headers: PupilsAPITests.api(who)) { response in
                        #expect(response.status == .ok)
                        found = text(response)
                    }
                    return found
                }
                let upn = String(UPN.checkLetter(for: "999000120001") ?? "?") + "999000120001"
                let forOther = try await body(other)
                #expect(forOther.contains("Transition worries") && forOther.contains("AA, year 3, SLCN"))
                for secret in ["Ada", "Applebank", upn, "2018-10-15", pupil.description] { #expect(!forOther.contains(secret), "\(secret) leaked") }
                #expect(try await body(senco).contains("Ada Applebank"))
                #expect(try await body(officer).contains("Ada Applebank"))
                _ = try await pupils.recordConsent(senco.session.actor, pupil: pupil, entry: consent(.withdrawn, "2026-11-10"), request: fixture.request())
                for reader in [other, officer] {
                    let withheld = try await body(reader)
                    #expect(withheld.contains("consent_withdrawn") && !withheld.contains("Applebank") && !withheld.contains("AA, year 3"))
                }
                #expect(try await body(senco).contains("Ada Applebank"))
                // The printable page says the same, in words.
                try await client.execute(uri: "/meetings/\(meeting)/agenda", method: .get, headers: PupilPagesTests.page(other)) { response in
                    let html = text(response)
                    #expect(response.status == .ok && html.contains("Transition worries") && html.contains("Details withheld: consent withdrawn"))
                    #expect(!html.contains("Applebank") && !html.contains(upn))
                }
                let listed = try await fixture.audit.list(officer.session.actor, filter: AuditFilter(actor: officer.session.actor.userID, entityType: "pupil_list"), page: 1)
                #expect(listed.items.contains { $0.after?["view"] == "agenda" && $0.after?["pupilIds"] == pupil.description })
            }
        }
    }
}
