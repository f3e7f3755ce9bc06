import Domain
import Foundation
import PQ
@testable import Store
import Testing
import TestSupport

@Suite("EP advice, stored")
struct AdviceStoreTests {
    static func entry(_ on: String = "2026-11-16", followUp: String? = "2026-11-30") -> AdviceEntry {
        AdviceEntry(givenOn: CalendarDate(iso: on)!, kind: .consultation, summary: "Seen in class with the SENCo.", recommendations: "Visual timetable.",
                    followUpOn: followUp.flatMap(CalendarDate.init(iso:)))
    }

    @Test("advice on a request naming a pupil needs consent to EP involvement; the lead school and officers read it, the agenda shows it; nobody changes it")
    func onRequest() async throws {
        try await IdentityFixture.with { fixture in
            let s = try await RequestStoreTests.setUp(fixture)
            let ep = try await fixture.signIn(.psychologist).session.actor
            let advice = AdviceStore(database: fixture.database, clock: fixture.clock.clock)
            _ = try await s.pupils.recordConsent(s.senco, pupil: s.pupil, entry: ConsentStoreTests.entry(.panelSharing), request: fixture.request())
            let id = try await s.store.create(s.senco, type: "discussion", leadSchool: s.ashgrove, title: "Transition worries", request: fixture.request())
            try await s.store.save(s.senco, id, draft: RequestDraft(title: "Transition worries", need: "Anxious at changes"), request: fixture.request())
            try await s.store.setPupils(s.senco, id, school: s.ashgrove, pupils: [s.pupil], request: fixture.request())
            await #expect(throws: DomainError.forbidden("Only an educational psychologist assigned to the cluster logs advice.")) {
                _ = try await advice.record(s.senco, on: .request(id), entry: Self.entry(), request: fixture.request())
            }
            // Without consent to EP involvement the request's pupil cannot be advised on, through the store or around it.
            await #expect(throws: DomainError.self) { _ = try await advice.record(ep, on: .request(id), entry: Self.entry(), request: fixture.request()) }
            let cluster = try await fixture.asOwner { tx in try await tx.one("SELECT id FROM clusters WHERE name = 'North Locality'").decode(ID<Cluster>.self, at: 0) }
            let refused = await #expect(throws: PostgresError.self) {
                try await fixture.asApp(user: ep.userID) { tx in
                    try await tx.execute(
                        """
                        INSERT INTO ep_advice (request_id, cluster_id, author_user_id, author_name, given_on, kind, summary)
                        VALUES (\(id), \(cluster), \(ep.userID), 'Eve', '2026-11-16', 'consultation', 'Around the store')
                        """)
                }
            }
            #expect(refused?.sqlState == .insufficientPrivilege)  // the row-level security policy, not a typing slip
            _ = try await s.pupils.recordConsent(s.senco, pupil: s.pupil, entry: ConsentStoreTests.entry(.epInvolvement), request: fixture.request())
            let made = try await advice.record(ep, on: .request(id), entry: Self.entry(), request: fixture.request())
            #expect(try await s.store.request(s.senco, id, request: fixture.request()).advice.map(\.id) == [made])
            #expect(try await s.store.request(s.head, id, request: fixture.request()).advice.first?.entry.summary == "Seen in class with the SENCo.")
            #expect(try await advice.advice(s.officer, on: .request(id)).map(\.id) == [made])
            #expect(try await advice.advice(s.other, on: .request(id)).isEmpty)
            let meeting = try #require(try await s.store.act(s.senco, id, .submit, request: fixture.request()).meetingID)
            let agenda = try await s.store.agenda(s.other, meeting: meeting, request: fixture.request())
            #expect(agenda.first?.advice.first?.summary == "Seen in class with the SENCo." && agenda.first?.advice.first?.author == ep.displayName)
            let unchanged = await #expect(throws: PostgresError.self) {
                try await fixture.asOwner { tx in try await tx.execute("UPDATE ep_advice SET summary = 'changed'") }
            }
            #expect(unchanged?.message.contains("never changed or removed") == true)
            let audited = try await fixture.audit.list(s.officer, filter: AuditFilter(entityType: "ep_advice"), page: 1)
            #expect(audited.items.contains { $0.entityId == made.description && $0.action == "advice.recorded" })
        }
    }

    @Test("advice on a pupil: only with consent to EP involvement, and the EP stops reading it when consent is withdrawn; follow-ups stay until newer advice")
    func onPupil() async throws {
        try await IdentityFixture.with { fixture in
            let s = try await RequestStoreTests.setUp(fixture)
            let ep = try await fixture.signIn(.psychologist).session.actor
            let advice = AdviceStore(database: fixture.database, clock: fixture.clock.clock)
            await #expect(throws: DomainError.notFound("There is no such pupil.")) {
                _ = try await advice.record(ep, on: .pupil(s.pupil), entry: Self.entry(), request: fixture.request())
            }
            _ = try await s.pupils.recordConsent(s.senco, pupil: s.pupil, entry: ConsentStoreTests.entry(.epInvolvement), request: fixture.request())
            await #expect(throws: DomainError.validation([.init(pointer: "/followUpOn", detail:
                "A follow-up falls on or after the day of the advice, and within a year from today.")])) {
                _ = try await advice.record(ep, on: .pupil(s.pupil), entry: Self.entry(followUp: "2026-11-01"), request: fixture.request())
            }
            let first = try await advice.record(ep, on: .pupil(s.pupil), entry: Self.entry(), request: fixture.request())
            #expect(try await advice.followUps(ep, page: 1).items.map(\.adviceID) == [first])
            #expect(try await advice.followUps(ep, page: 1).items.first?.subject == "A pupil")
            let second = try await advice.record(ep, on: .pupil(s.pupil), entry: Self.entry("2026-11-17", followUp: nil), request: fixture.request())
            #expect(try await advice.followUps(ep, page: 1).items.isEmpty)
            #expect(Set(try await advice.advice(s.head, on: .pupil(s.pupil)).map(\.id)) == [first, second])
            #expect(try await advice.advice(s.other, on: .pupil(s.pupil)).isEmpty)
            _ = try await s.pupils.recordConsent(s.senco, pupil: s.pupil, entry: ConsentStoreTests.entry(.epInvolvement, .withdrawn, on: "2026-11-17"),
                                                 request: fixture.request())
            #expect(try await advice.advice(ep, on: .pupil(s.pupil)).isEmpty)
            #expect(try await advice.advice(s.senco, on: .pupil(s.pupil)).count == 2)
            await #expect(throws: DomainError.forbidden("Follow-ups are for educational psychologists and officers.")) {
                _ = try await advice.followUps(s.senco, page: 1)
            }
        }
    }

    @Test("the caseload holds the requests of the EP's clusters, not withdrawn, with how much advice each has")
    func caseload() async throws {
        try await IdentityFixture.with { fixture in
            let s = try await RequestStoreTests.setUp(fixture)
            let ep = try await fixture.signIn(.psychologist).session.actor
            let advice = AdviceStore(database: fixture.database, clock: fixture.clock.clock)
            let kept = try await s.store.create(s.senco, type: "project", leadSchool: s.ashgrove, title: "Cluster training", request: fixture.request())
            let gone = try await s.store.create(s.other, type: "project", leadSchool: s.brookfield, title: "Playground zones", request: fixture.request())
            try await s.store.act(s.other, gone, .withdraw, request: fixture.request())
            _ = try await advice.record(ep, on: .request(kept), entry: Self.entry(), request: fixture.request())
            let page = try await advice.caseload(ep, page: 1)
            #expect(page.items.map(\.requestID) == [kept] && page.items.first?.adviceCount == 1 && page.items.first?.cluster == "North Locality")
            await #expect(throws: DomainError.self) { _ = try await advice.caseload(s.officer, page: 1) }
        }
    }
}
