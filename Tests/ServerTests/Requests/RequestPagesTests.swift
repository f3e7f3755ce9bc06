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

@Suite("requests on pages")
struct RequestPagesTests {
    static func form(_ pairs: [(String, String)]) -> ByteBuffer {
        ByteBuffer(string: pairs.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            .joined(separator: "&"))
    }

    struct Setting {
        var store: RequestStore
        var pupils: PupilStore
        var senco: Actor
        var officer: Actor
        var ashgrove: ID<School>
        var pupil: ID<Pupil>
    }

    static func consent(_ purpose: ConsentPurpose, _ kind: ConsentKind = .given, on: String = "2026-11-02") -> ConsentEntry {
        ConsentEntry(purpose: purpose, kind: kind, givenByName: "Zelda Quartermain", relationship: .parent, givenOn: CalendarDate(iso: on)!,
                     method: .signedForm, evidenceReference: "Form 7")
    }

    /// 2026/27's meetings, and Ada Applebank at Ashgrove with no consent yet.
    static func setUp(_ fixture: IdentityFixture) async throws -> Setting {
        let officer = try await fixture.signIn(.officer, address: "10.9.9.9").session.actor
        _ = try await MeetingStore(database: fixture.database, clock: fixture.clock.clock).generate(
            officer, year: AcademicYear(2026),
            pattern: try SchedulePattern(planningWeek: 3, allocationWeek: 5, weekday: .tuesday, startsAt: #require(TimeOfDay(hour: 15, minute: 30))),
            place: "Civic Centre", onlineLink: nil, request: fixture.request())
        let ashgrove = try await fixture.asOwner { tx in
            try await tx.one("SELECT id FROM schools WHERE name = 'Ashgrove Primary School'").decode(ID<School>.self, at: 0)
        }
        return Setting(store: RequestStore(database: fixture.database, clock: fixture.clock.clock),
                       pupils: PupilStore(database: fixture.database, clock: fixture.clock.clock),
                       senco: try await fixture.signIn(.senco, address: "10.9.9.8").session.actor, officer: officer, ashgrove: ashgrove,
                       pupil: try await PupilRecordsTests.pupil(fixture))
    }

    @Test("the SENCo writes a request a step at a time (bad input comes back kept), checks the answers and submits; the headteacher endorses it from the queue; others are refused")
    func editor() async throws {
        try await IdentityFixture.with { fixture in
            let s = try await Self.setUp(fixture)
            let senco = try await fixture.signIn(.senco)
            let head = try await fixture.signIn(.headteacher, address: "10.9.9.1")
            let other = try await fixture.signIn(.otherSenco, address: "10.9.9.2")
            let pupil = s.pupil
            _ = try await s.pupils.recordConsent(senco.session.actor, pupil: pupil, entry: Self.consent(.panelSharing), request: fixture.request())
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                func post(_ uri: String, _ who: SignedIn, _ pairs: [(String, String)], _ check: @escaping @Sendable (TestResponse) throws -> Void) async throws {
                    try await client.execute(uri: uri, method: .post, headers: PupilPagesTests.page(who), body: Self.form(pairs)) { try check($0) }
                }
                func get(_ uri: String, _ who: SignedIn) async throws -> (HTTPResponse.Status, String) {
                    var found: (HTTPResponse.Status, String) = (.ok, "")
                    try await client.execute(uri: uri, method: .get, headers: PupilPagesTests.page(who)) { found = ($0.status, text($0)) }
                    return found
                }
                #expect(try await get("/requests/new", head).0 == .forbidden)
                try await post("/requests", senco, [("type", ""), ("title", "Speech support")]) { response in
                    #expect(response.status == .unprocessableContent && text(response).contains("Choose a type of request") && text(response).contains("Speech support"), "\(response.status) \(text(response).prefix(3000))")
                }
                var location = ""
                try await client.execute(uri: "/requests", method: .post, headers: PupilPagesTests.page(senco),
                                         body: Self.form([("type", "individual"), ("title", "Speech support")])) { location = $0.headers[.location] ?? "" }
                #expect(location.hasSuffix("/edit/about"))
                let id = String(location.dropFirst("/requests/".count).prefix(36))
                try await post("/requests/\(id)/edit/about", senco, [("title", "Speech support"), ("need", "Two years behind in expressive language"),
                                                                     ("tried", "A term of small-group work, reviewed with the family"), ("termsAsked", "2")]) {
                    #expect($0.headers[.location] == "/requests/\(id)/edit/schools")
                }
                try await post("/requests/\(id)/edit/schools", senco, []) { #expect($0.headers[.location] == "/requests/\(id)/edit/pupils") }
                #expect(try await get("/requests/\(id)/edit/pupils", senco).1.contains("Applebank, Ada"))
                try await post("/requests/\(id)/edit/pupils", senco, [("pupilIds", pupil.description)]) { #expect($0.headers[.location] == "/requests/\(id)/edit/outcomes") }
                try await post("/requests/\(id)/edit/outcomes", senco, [("outcomes/0/outcome", "Speaks in sentences"), ("outcomes/0/measure", "Language screen"),
                                                                        ("outcomes/0/baseline", "Two words"), ("outcomes/0/target", "Five words")]) { _ in }
                // A cost that is not money and a negative quantity: refused by field, everything typed kept, nothing saved.
                let bad = [("lines/0/category", "therapy"), ("lines/0/description", "Speech therapy"), ("lines/0/staffRole", ""), ("lines/0/unitCost", "lots"),
                           ("lines/0/quantity", "-3"), ("lines/0/funder", "cluster")]
                try await post("/requests/\(id)/edit/costs", senco, bad) { response in
                    let html = text(response)
                    #expect(response.status == .unprocessableContent && html.contains("Line 1: enter the unit cost in pounds") && html.contains(#"value="lots""#))
                    #expect(html.contains(##"href="#lines/0/unitCost""##) && html.contains(#"value="-3""#))
                }
                try await post("/requests/\(id)/edit/costs", senco, [("lines/0/category", "therapy"), ("lines/0/description", "Speech therapy"), ("lines/0/unitCost", "80"),
                                                                     ("lines/0/quantity", "30"), ("lines/0/funder", "cluster")]) {
                    #expect($0.headers[.location] == "/requests/\(id)/edit/documents")
                }
                // A document's date that is no date is refused by field; the reference itself is kept.
                try await post("/requests/\(id)/edit/documents", senco, [("documents/0/title", "Therapy report"), ("documents/0/datedOn", "32/13/2026"),
                                                                         ("documents/0/keptAt", "SEN file, drawer 2")]) { response in
                    #expect(response.status == .unprocessableContent && text(response).contains("SEN file, drawer 2") && text(response).contains("documents/0/datedOn-error"))
                }
                try await post("/requests/\(id)/edit/documents", senco, [("documents/0/title", "Therapy report"), ("documents/0/datedOn", "01/10/2026"),
                                                                         ("documents/0/keptAt", "SEN file, drawer 2")]) {
                    #expect($0.headers[.location] == "/requests/\(id)")
                }
                let check = try await get("/requests/\(id)", senco).1
                #expect(check.contains("£2,400.00") && check.contains("Ada Applebank") && check.contains("Submit the request") && check.contains("/edit/costs"))
                #expect(check.contains("Therapy report") && check.contains("1 October 2026, kept at SEN file, drawer 2"))
                // Submission lists every problem, each linking to the step that puts it right: here the school's own provision.
                try await post("/requests/\(id)/actions/submit", senco, []) { response in
                    let html = text(response)
                    #expect(response.status == .unprocessableContent && html.contains("the council expects £6,000.00") && html.contains("href=\"/requests/\(id)/edit/costs#lines\""))
                }
                try await post("/requests/\(id)/edit/costs", senco, [("lines/0/category", "therapy"), ("lines/0/description", "Speech therapy"), ("lines/0/unitCost", "80"),
                                                                     ("lines/0/quantity", "30"), ("lines/0/funder", "cluster"), ("lines/1/category", "staffing"),
                                                                     ("lines/1/description", "Teaching assistant"), ("lines/1/staffRole", "Teaching assistant"),
                                                                     ("lines/1/unitCost", "6,000"), ("lines/1/quantity", "1"), ("lines/1/funder", "school")]) { _ in }
                try await post("/requests/\(id)/actions/submit", senco, []) { #expect($0.headers[.location] == "/requests/\(id)") }
                #expect(try await get("/requests/\(id)/edit/about", senco).0 == .conflict)
                // The headteacher's queue holds it; endorsing schedules it on the next planning meeting.
                let queue = try await get("/requests?waiting=1", head).1
                #expect(queue.contains("Speech support") && queue.contains("Waiting for you: 1"))
                #expect(!(try await get("/requests?waiting=1", senco).1.contains("/requests/\(id)\"")))
                #expect(try await get("/requests/\(id)", head).1.contains("Endorse your school&#39;s part"))
                try await post("/requests/\(id)/actions/endorse", head, []) { #expect($0.headers[.location] == "/requests/\(id)") }
                let scheduled = try await get("/requests/\(id)", senco).1
                #expect(scheduled.contains("Individual · Scheduled") && scheduled.contains("The meeting's agenda"))
                // Another school, not a partner: nothing to see or do.
                #expect(try await get("/requests/\(id)", other).0 == .notFound)
                try await post("/requests/\(id)/actions/withdraw", other, []) { #expect($0.status == .notFound) }
                #expect(try await get("/requests/\(id)/edit/about", head).0 == .forbidden)
                // Withdrawing cannot be undone, so the page asks for a tick first; without it nothing changes.
                try await post("/requests/\(id)/actions/withdraw", senco, []) { response in
                    #expect(response.status == .unprocessableContent && text(response).contains(##"href="#confirm""##) && text(response).contains("Scheduled"))
                }
                try await post("/requests/\(id)/actions/withdraw", senco, [("confirm", "yes")]) { #expect($0.headers[.location] == "/requests/\(id)") }
                #expect(try await get("/requests/\(id)", senco).1.contains("Individual · Withdrawn"))
            }
        }
    }

    @Test("the chair returns a request only with questions (kept when missing); the school sees them; a held request says why, in HTML and JSON")
    func chairAndHold() async throws {
        try await IdentityFixture.with { fixture in
            let s = try await Self.setUp(fixture)
            let senco = try await fixture.signIn(.senco, address: "10.9.9.3")
            let officer = try await fixture.signIn(.officer, address: "10.9.9.4")
            try await fixture.asOwner { tx in try await tx.execute("UPDATE clusters SET locality_lead_user_id = \(s.officer.userID) WHERE name = 'North Locality'") }
            _ = try await s.pupils.recordConsent(s.senco, pupil: s.pupil, entry: Self.consent(.panelSharing), request: fixture.request())
            let id = try await s.store.create(s.senco, type: "discussion", leadSchool: s.ashgrove, title: "Transition worries", request: fixture.request())
            try await s.store.save(s.senco, id, draft: RequestDraft(title: "Transition worries", need: "Anxious at changes"), request: fixture.request())
            try await s.store.setPupils(s.senco, id, school: s.ashgrove, pupils: [s.pupil], request: fixture.request())
            _ = try await s.store.act(s.senco, id, .submit, request: fixture.request())
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/requests/\(id)", method: .get, headers: PupilPagesTests.page(officer)) { response in
                    #expect(text(response).contains("Nominate for the allocation meeting") && text(response).contains("Return to the school with questions"))
                }
                try await client.execute(uri: "/requests/\(id)/actions/return", method: .post, headers: PupilPagesTests.page(officer),
                                         body: Self.form([("questions", "  ")])) { response in
                    #expect(response.status == .unprocessableContent && text(response).contains(##"href="#questions""##))
                }
                try await client.execute(uri: "/requests/\(id)/actions/return", method: .post, headers: PupilPagesTests.page(officer),
                                         body: Self.form([("questions", String(repeating: "Why? ", count: 1001))])) { response in
                    #expect(response.status == .unprocessableContent && text(response).contains("at most 5,000 characters"))
                }
                try await client.execute(uri: "/requests/\(id)/actions/return", method: .post, headers: PupilPagesTests.page(officer),
                                         body: Self.form([("questions", "Which transitions worry her most?")])) { response in
                    #expect(response.status == .seeOther)
                }
                try await client.execute(uri: "/requests/\(id)", method: .get, headers: PupilPagesTests.page(senco)) { response in
                    #expect(text(response).contains("The panel asked:") && text(response).contains("Which transitions worry her most?"))
                }
                _ = try await s.store.act(s.senco, id, .submit, request: fixture.request())
                _ = try await s.pupils.recordConsent(s.senco, pupil: s.pupil, entry: Self.consent(.panelSharing, .withdrawn, on: "2026-11-10"),
                                                     request: fixture.request())
                try await client.execute(uri: "/requests/\(id)", method: .get, headers: PupilPagesTests.page(officer)) { response in
                    let html = text(response)
                    #expect(html.contains("Held:") && html.contains("no consent in force to share") && !html.contains("Nominate for the allocation meeting"))
                }
                try await client.execute(uri: "/api/v1/requests/\(id)", method: .get, headers: PupilsAPITests.api(officer)) { response in
                    let hold = try PupilRecordsTests.json(response)["hold"] as? String
                    #expect(hold == "a pupil named on it has no consent in force to share their details with the panel")
                }
                try await client.execute(uri: "/requests?held=1", method: .get, headers: PupilPagesTests.page(senco)) { response in
                    #expect(text(response).contains("Transition worries") && text(response).contains("Held: 1"))
                }
                try await client.execute(uri: "/api/v1/requests?held=true", method: .get, headers: PupilsAPITests.api(senco)) { response in
                    let total = try PupilRecordsTests.json(response)["total"] as? Int
                    #expect(total == 1)
                }
                try await client.execute(uri: "/api/v1/requests?held=maybe", method: .get, headers: PupilsAPITests.api(senco)) { response in
                    #expect(response.status == .unprocessableContent && text(response).contains("held is true or false."))
                }
                // The officers' emergency queue: an emergency submitted, and nothing else.
                let emergency = try await s.store.create(s.senco, type: "emergency", leadSchool: s.ashgrove, title: "After an exclusion", request: fixture.request())
                var urgent = RequestDraft(title: "After an exclusion", need: "Placement broke down", tried: "Reduced timetable, reviewed weekly", termsAsked: 1,
                                          outcomes: [IntendedOutcome(outcome: "Attends full time", measure: "Attendance", baseline: "40%", target: "90%")],
                                          lines: [ProvisionLine(category: .staffing, description: "Cover", staffRole: "Teaching assistant", unitCost: Pence(1_800),
                                                                quantity: 100, funder: .cluster)])
                urgent.cohort = nil
                try await s.store.save(s.senco, emergency, draft: urgent, request: fixture.request())
                _ = try await s.pupils.recordConsent(s.senco, pupil: s.pupil, entry: Self.consent(.panelSharing, on: "2026-11-12"), request: fixture.request())
                try await s.store.setPupils(s.senco, emergency, school: s.ashgrove, pupils: [s.pupil], request: fixture.request())
                #expect(try await s.store.act(s.senco, emergency, .submit, request: fixture.request()).state == .submitted)
                try await client.execute(uri: "/requests?emergency=1&state=submitted", method: .get, headers: PupilPagesTests.page(officer)) { response in
                    let html = text(response)
                    #expect(html.contains("After an exclusion") && !html.contains("Transition worries") && html.contains("Emergencies awaiting a decision: 1"))
                }
            }
        }
    }

    @Test("an EP logs advice on a request from its page (refusals keep the input) and finds it on the caseload; others cannot")
    func advice() async throws {
        try await IdentityFixture.with { fixture in
            let s = try await Self.setUp(fixture)
            let ep = try await fixture.signIn(.psychologist, address: "10.9.9.5")
            let senco = try await fixture.signIn(.senco, address: "10.9.9.6")
            let id = try await s.store.create(s.senco, type: "project", leadSchool: s.ashgrove, title: "Cluster training", request: fixture.request())
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/requests/\(id)/advice", method: .post, headers: PupilPagesTests.page(ep),
                                         body: Self.form([("givenOn", "31/02/2026"), ("kind", "observation"), ("summary", "Watched two lessons")])) { response in
                    #expect(response.status == .unprocessableContent && text(response).contains("Enter the date as day, month and year") && text(response).contains("Watched two lessons"))
                }
                try await client.execute(uri: "/requests/\(id)/advice", method: .post, headers: PupilPagesTests.page(ep),
                                         body: Self.form([("givenOn", "16/11/2026"), ("kind", "observation"), ("summary", "Watched two lessons"), ("followUpOn", "30/11/2026")])) { response in
                    #expect(response.status == .seeOther && response.headers[.location] == "/requests/\(id)")
                }
                try await client.execute(uri: "/requests/\(id)", method: .get, headers: PupilPagesTests.page(senco)) { response in
                    #expect(text(response).contains("Watched two lessons") && text(response).contains("Observation"))
                }
                try await client.execute(uri: "/advice", method: .get, headers: PupilPagesTests.page(ep)) { response in
                    #expect(text(response).contains("Cluster training") && text(response).contains("North Locality") && text(response).contains("30 November 2026"))
                }
                try await client.execute(uri: "/requests/\(id)/advice", method: .post, headers: PupilPagesTests.page(senco),
                                         body: Self.form([("givenOn", "16/11/2026"), ("kind", "observation"), ("summary", "Not mine to give")])) { response in
                    #expect(response.status == .forbidden)
                }
                try await client.execute(uri: "/api/v1/requests/\(id)/advice", method: .post, headers: PupilsAPITests.api(ep),
                                         body: ByteBuffer(string: #"{"givenOn":"2026-11-17","kind":"meeting_advice","summary":"At the planning meeting"}"#)) { response in
                    let kind = try PupilRecordsTests.json(response)["kind"] as? String
                    #expect(response.status == .created && kind == "meeting_advice")
                }
                // On a pupil: refused (not found) without consent to EP involvement, then shown on the pupil's page to their school.
                let onPupil = Self.form([("givenOn", "16/11/2026"), ("kind", "assessment"), ("summary", "Cognitive assessment completed")])
                try await client.execute(uri: "/pupils/\(s.pupil)/advice", method: .post, headers: PupilPagesTests.page(ep), body: onPupil) { response in
                    #expect(response.status == .notFound)
                }
                _ = try await s.pupils.recordConsent(s.senco, pupil: s.pupil, entry: Self.consent(.epInvolvement), request: fixture.request())
                try await client.execute(uri: "/pupils/\(s.pupil)/advice", method: .post, headers: PupilPagesTests.page(ep), body: onPupil) { response in
                    #expect(response.status == .seeOther && response.headers[.location] == "/pupils/\(s.pupil)")
                }
                try await client.execute(uri: "/pupils/\(s.pupil)", method: .get, headers: PupilPagesTests.page(senco)) { response in
                    #expect(text(response).contains("Cognitive assessment completed") && !text(response).contains("Log advice on this pupil"))
                }
                try await client.execute(uri: "/api/v1/advice/follow-ups", method: .get, headers: PupilsAPITests.api(ep)) { response in
                    // The newer advice answers the follow-up.
                    let total = try PupilRecordsTests.json(response)["total"] as? Int
                    #expect(total == 0)
                }
            }
        }
    }
}
