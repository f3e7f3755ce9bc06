import Domain
import Foundation
import PQ
@testable import Store
import Testing
import TestSupport

@Suite("EHC needs-assessment referrals, stored")
struct ReferralStoreTests {
    static func request(_ by: ReferralRequester = .school, received: String = "2026-10-01") -> ReferralEntry {
        ReferralEntry(requestedBy: by, timeline: ReferralTimeline(receivedOn: CalendarDate(iso: received)!))
    }

    @Test("the SENCo records the school's request with no cluster request; officers decide; the school, officers and consented EPs read it")
    func lifecycle() async throws {
        try await IdentityFixture.with { fixture in
            let pupils = PupilStore(database: fixture.database, clock: fixture.clock.clock)
            let store = ReferralStore(database: fixture.database, clock: fixture.clock.clock)
            let senco = try await fixture.signIn(.senco).session.actor
            let head = try await fixture.signIn(.headteacher).session.actor
            let officer = try await fixture.signIn(.officer).session.actor
            let other = try await fixture.signIn(.otherSenco).session.actor
            let ep = try await fixture.signIn(.psychologist).session.actor
            let pupil = try await ConsentStoreTests.pupil(fixture, pupils)
            // A school records only what it asked for, and never the council's decisions.
            await #expect(throws: DomainError.self) { _ = try await store.create(senco, pupil: pupil, entry: Self.request(.parent), request: fixture.request()) }
            await #expect(throws: DomainError.self) { _ = try await store.create(head, pupil: pupil, entry: Self.request(), request: fixture.request()) }
            await #expect(throws: DomainError.notFound("There is no such pupil.")) {
                _ = try await store.create(other, pupil: pupil, entry: Self.request(), request: fixture.request())
            }
            let id = try await store.create(senco, pupil: pupil, entry: Self.request(), request: fixture.request())
            var decided = Self.request()
            decided.timeline.decision = .assess
            decided.timeline.decidedOn = CalendarDate(iso: "2026-11-13")  // day 43: one day late
            await #expect(throws: DomainError.self) { try await store.update(senco, pupil: pupil, id, entry: decided, request: fixture.request()) }
            try await store.update(officer, pupil: pupil, id, entry: decided, request: fixture.request())
            let read = try await store.referral(head, pupil: pupil, id, view: "test", request: fixture.request())
            #expect(read.entry == decided)
            #expect(read.entry.timeline.decisionDeadline(today: store.today()).standing == .missed)
            await #expect(throws: DomainError.notFound("There is no such referral.")) {
                _ = try await store.referral(other, pupil: pupil, id, view: "test", request: fixture.request())
            }
            await #expect(throws: DomainError.notFound("There is no such referral.")) {
                _ = try await store.referral(ep, pupil: pupil, id, view: "test", request: fixture.request())
            }
            _ = try await pupils.recordConsent(senco, pupil: pupil, entry: ConsentStoreTests.entry(.epInvolvement), request: fixture.request())
            #expect(try await store.referral(ep, pupil: pupil, id, view: "test", request: fixture.request()).id == id)
            // Every step is on the record against the pupil, dates and codes only.
            let events = try await fixture.audit.list(officer, filter: AuditFilter(entityType: "pupil", entityID: pupil.description), page: 1).items
            #expect(events.filter { $0.action.hasPrefix("referral.") }.map(\.action)
                    == ["referral.viewed", "referral.viewed", "referral.changed", "referral.recorded"])
            let changed = try #require(events.first { $0.action == "referral.changed" })
            #expect(changed.after?["decision"] == "assess" && changed.after?["decidedOn"] == "2026-11-13" && changed.before?["decision"] == "")
        }
    }

    @Test("the officers' timeliness list: the year's referrals with their standing, filtered and counted, the pupils shown on the record; no one else")
    func timeliness() async throws {
        try await IdentityFixture.with { fixture in
            let pupils = PupilStore(database: fixture.database, clock: fixture.clock.clock)
            let store = ReferralStore(database: fixture.database, clock: fixture.clock.clock)
            let senco = try await fixture.signIn(.senco).session.actor
            let officer = try await fixture.signIn(.officer).session.actor
            let pupil = try await ConsentStoreTests.pupil(fixture, pupils)
            let late = try await store.create(senco, pupil: pupil, entry: Self.request(received: "2026-09-01"), request: fixture.request())
            let year = AcademicYear.holding(store.today())
            let all = try await store.timeliness(officer, year: year, standing: nil, page: 1, request: fixture.request())
            #expect(all.page.items.contains { $0.referral.id == late && $0.standing == .missed })
            let missed = try await store.timeliness(officer, year: year, standing: .missed, page: 1, request: fixture.request())
            #expect(missed.page.items.allSatisfy { $0.standing == .missed } && missed.page.total == all.counts[.missed])
            let pending = try await store.timeliness(officer, year: year, standing: .pending, page: 1, request: fixture.request())
            #expect(!pending.page.items.contains { $0.referral.id == late })
            let listed = try await fixture.audit.list(officer, filter: AuditFilter(actor: officer.userID, entityType: "pupil_list"), page: 1).items
            #expect(listed.contains { $0.after?["view"] == "page.referrals" && ($0.after?["pupilIds"] ?? "").contains(pupil.description) })
            await #expect(throws: DomainError.self) { _ = try await store.timeliness(senco, year: year, standing: nil, page: 1, request: fixture.request()) }
        }
    }
}
