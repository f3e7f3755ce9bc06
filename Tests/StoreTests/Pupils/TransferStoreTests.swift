import Domain
import Foundation
import PQ
@testable import Store
import Testing
import TestSupport

@Suite("a pupil moving school, stored")
struct TransferStoreTests {
    @Test("a match by UPN and date of birth moves nothing until the old school's SENCo confirms; then the pupil keeps its history")
    func move() async throws {
        try await IdentityFixture.with { fixture in
            let store = PupilStore(database: fixture.database, clock: fixture.clock.clock)
            let referrals = ReferralStore(database: fixture.database, clock: fixture.clock.clock)
            let senco = try await fixture.signIn(.senco).session.actor
            let head = try await fixture.signIn(.headteacher).session.actor
            let other = try await fixture.signIn(.otherSenco).session.actor
            let officer = try await fixture.signIn(.officer).session.actor
            let brookfield = try await PupilStoreTests.school(fixture, "Brookfield Primary School")
            let id = try await ConsentStoreTests.pupil(fixture, store)
            let upn = PupilStoreTests.upn("999000120001")
            _ = try await store.recordConsent(senco, pupil: id, entry: ConsentStoreTests.entry(.panelSharing), request: fixture.request())
            _ = try await referrals.create(senco, pupil: id, entry: ReferralStoreTests.request(), request: fixture.request())

            // A wrong date of birth is refused with the same words as any other miss, and moves nothing.
            await #expect(throws: DomainError.conflict(PupilRules.upnRecorded)) {
                _ = try await store.requestTransfer(other, upn: upn, dateOfBirth: CalendarDate(iso: "2018-10-16")!, to: brookfield, request: fixture.request())
            }
            await #expect(throws: DomainError.self) {  // only the joining school's SENCo asks
                _ = try await store.requestTransfer(senco, upn: upn, dateOfBirth: CalendarDate(iso: "2018-10-15")!, to: brookfield, request: fixture.request())
            }
            let transfer = try await store.requestTransfer(other, upn: upn, dateOfBirth: CalendarDate(iso: "2018-10-15")!, to: brookfield, request: fixture.request())
            await #expect(throws: DomainError.conflict(PupilRules.upnRecorded)) {  // one move at a time
                _ = try await store.requestTransfer(other, upn: upn, dateOfBirth: CalendarDate(iso: "2018-10-15")!, to: brookfield, request: fixture.request())
            }
            await #expect(throws: DomainError.notFound("There is no such pupil.")) { _ = try await store.pupil(other, id, view: "test", request: fixture.request()) }
            let asked = try await store.transfers(other, status: .pending, page: 1, request: fixture.request()).items
            #expect(asked.map(\.id) == [transfer] && asked.first?.pupilName == nil)
            #expect(try await store.transfers(senco, status: nil, page: 1, request: fixture.request()).items.first?.pupilName == "Ada Applebank")
            for actor in [other, head] {
                await #expect(throws: DomainError.self) { try await store.decideTransfer(actor, transfer, confirm: true, request: fixture.request()) }
            }
            #expect(try await store.pupil(senco, id, view: "test", request: fixture.request()).schoolName == "Ashgrove Primary School")

            try await store.decideTransfer(senco, transfer, confirm: true, request: fixture.request())
            await #expect(throws: DomainError.conflict("This move was already confirmed or refused.")) {
                try await store.decideTransfer(officer, transfer, confirm: false, request: fixture.request())
            }
            let moved = try await store.pupil(other, id, view: "test", request: fixture.request())
            #expect(moved.schoolName == "Brookfield Primary School" && moved.consents.count == 1 && moved.referrals.count == 1)
            #expect(moved.enrolments.map(\.schoolName) == ["Ashgrove Primary School", "Brookfield Primary School"])
            #expect(moved.enrolments.first?.toOn != nil && moved.enrolments.last?.toOn == nil)
            // The old school no longer reaches the pupil, but keeps the consent it recorded and the referral it made.
            await #expect(throws: DomainError.notFound("There is no such pupil.")) { _ = try await store.pupil(senco, id, view: "test", request: fixture.request()) }
            let kept = try await fixture.asApp(user: senco.userID) { tx in
                [try await tx.one("SELECT count(*) FROM pupil_consents WHERE pupil_id = \(id)").decode(Int.self, at: 0),
                 try await tx.one("SELECT count(*) FROM ehcp_referrals WHERE pupil_id = \(id)").decode(Int.self, at: 0),
                 try await tx.one("SELECT count(*) FROM pupils WHERE id = \(id)").decode(Int.self, at: 0)]
            }
            #expect(kept == [1, 1, 0])
            let trail = try await fixture.audit.list(officer, filter: AuditFilter(record: id.description), page: 1).items.map(\.action)
            #expect(trail.contains("pupil.transfer_requested") && trail.contains("pupil.transfer_confirmed"))
            let refused = try await fixture.audit.list(officer, filter: AuditFilter(actor: other.userID, entityType: "school"), page: 1).items
            #expect(refused.contains { $0.action == "pupil.add_refused" && $0.after?["reason"] == "transfer_no_match" })
        }
    }

    @Test("a refused move leaves the pupil where they were; an officer may decide")
    func refused() async throws {
        try await IdentityFixture.with { fixture in
            let store = PupilStore(database: fixture.database, clock: fixture.clock.clock)
            let other = try await fixture.signIn(.otherSenco).session.actor
            let officer = try await fixture.signIn(.officer).session.actor
            let brookfield = try await PupilStoreTests.school(fixture, "Brookfield Primary School")
            let id = try await ConsentStoreTests.pupil(fixture, store)
            let transfer = try await store.requestTransfer(other, upn: PupilStoreTests.upn("999000120001"), dateOfBirth: CalendarDate(iso: "2018-10-15")!,
                                                           to: brookfield, request: fixture.request())
            try await store.decideTransfer(officer, transfer, confirm: false, request: fixture.request())
            #expect(try await store.pupil(officer, id, view: "test", request: fixture.request()).schoolName == "Ashgrove Primary School")
            #expect(try await store.transfers(other, status: nil, page: 1, request: fixture.request()).items.first?.status == .refused)
            await #expect(throws: DomainError.notFound("There is no such pupil.")) { _ = try await store.pupil(other, id, view: "test", request: fixture.request()) }
        }
    }
}
