import Domain
import Foundation
import PQ
@testable import Store
import Testing
import TestSupport

@Suite("pupils, stored")
struct PupilStoreTests {
    static func upn(_ rest: String) -> String { String(UPN.checkLetter(for: rest) ?? "?") + rest }

    static func details(_ given: String = "Ada", upn: String = Self.upn("999000120001"), year: Int = 3) -> PupilDetails {
        PupilDetails(givenNames: given, familyName: "Applebank", dateOfBirth: CalendarDate(iso: "2018-10-15")!, upn: upn, yearGroup: year,
                     needs: [.slcn], senStatus: .senSupport, lookedAfter: false, homeLACode: nil, outOfCohortReason: nil)
    }

    static func school(_ fixture: IdentityFixture, _ name: String) async throws -> ID<School> {
        try await fixture.asOwner { tx in try await tx.one("SELECT id FROM schools WHERE name = \(name)").decode(ID<School>.self, at: 0) }
    }

    @Test("the SENCo adds and changes their school's pupil; the headteacher reads; officers read; another school's staff and EPs never")
    func access() async throws {
        try await IdentityFixture.with { fixture in
            let store = PupilStore(database: fixture.database, clock: fixture.clock.clock)
            let senco = try await fixture.signIn(.senco).session.actor
            let head = try await fixture.signIn(.headteacher).session.actor
            let officer = try await fixture.signIn(.officer).session.actor
            let other = try await fixture.signIn(.otherSenco).session.actor
            let ep = try await fixture.signIn(.psychologist).session.actor
            let ashgrove = try await Self.school(fixture, "Ashgrove Primary School")
            let id = try await store.create(senco, school: ashgrove, details: Self.details(), request: fixture.request())
            for reader in [senco, head, officer] {
                #expect(try await store.pupil(reader, id, view: "test", request: fixture.request()).givenNames == "Ada")
            }
            await #expect(throws: DomainError.notFound("There is no such pupil.")) { _ = try await store.pupil(other, id, view: "test", request: fixture.request()) }
            await #expect(throws: DomainError.self) { _ = try await store.pupil(ep, id, view: "test", request: fixture.request()) }
            #expect(try await store.list(other, filter: PupilFilter(), page: 1, view: "test", request: fixture.request()).total == 0)
            // Only the school's SENCo writes: not its headteacher, not an officer, not another school's SENCo.
            for actor in [head, officer, other] {
                await #expect(throws: DomainError.self) {
                    _ = try await store.create(actor, school: ashgrove, details: Self.details(upn: Self.upn("999000120002")), request: fixture.request())
                }
            }
            await #expect(throws: DomainError.self) { try await store.update(head, id, details: Self.details("Bea"), request: fixture.request()) }
            try await store.update(senco, id, details: Self.details("Bea"), request: fixture.request())
            #expect(try await store.pupil(officer, id, view: "test", request: fixture.request()).givenNames == "Bea")
            // Row-level security agrees, bypassing the service: another school's SENCo reads no pupils, no enrolments.
            let seen = try await fixture.asApp(user: other.userID) { tx in
                (try await tx.one("SELECT count(*) FROM pupils").decode(Int.self, at: 0),
                 try await tx.one("SELECT count(*) FROM pupil_enrolments").decode(Int.self, at: 0))
            }
            #expect(seen == (0, 0))
            let mine = try await fixture.asApp(user: senco.userID) { tx in try await tx.one("SELECT count(*) FROM pupils").decode(Int.self, at: 0) }
            #expect(mine == 1)
        }
    }

    @Test("every read is on the record, lists too, and a change keeps no name or date of birth in the trail")
    func audited() async throws {
        try await IdentityFixture.with { fixture in
            let store = PupilStore(database: fixture.database, clock: fixture.clock.clock)
            let senco = try await fixture.signIn(.senco).session.actor
            let officer = try await fixture.signIn(.officer).session.actor
            let ashgrove = try await Self.school(fixture, "Ashgrove Primary School")
            let id = try await store.create(senco, school: ashgrove, details: Self.details(), request: fixture.request())
            _ = try await store.pupil(senco, id, view: "page", request: fixture.request())
            let listed = try await store.list(senco, filter: PupilFilter(search: "apple"), page: 1, view: "page.list", request: fixture.request())
            #expect(listed.items.map(\.id) == [id])
            try await store.update(senco, id, details: Self.details("Bea", year: 3), request: fixture.request())
            let events = try await fixture.audit.list(officer, filter: AuditFilter(actor: senco.userID), page: 1).items
            let pupilEvents = events.filter { $0.action.hasPrefix("pupil") }
            #expect(pupilEvents.map(\.action) == ["pupil.changed", "pupils.listed", "pupil.viewed", "pupil.created"])
            #expect(pupilEvents.first { $0.action == "pupils.listed" }?.after?["pupilIds"] == id.description)
            #expect(pupilEvents.first { $0.action == "pupil.viewed" }?.after?["view"] == "page")
            let changed = try #require(pupilEvents.first)
            #expect(changed.before == ["givenNames": "previous"] && changed.after == ["givenNames": "changed"])
            // Officers find a pupil's events by the pupil's id (list reads included) or name, as they filter the trail by any record.
            let byID = try await fixture.audit.list(officer, filter: AuditFilter(record: id.description), page: 1).items.map(\.action)
            #expect(byID == ["pupil.changed", "pupils.listed", "pupil.viewed", "pupil.created"])
            let byName = try await fixture.audit.list(officer, filter: AuditFilter(record: "bea applebank"), page: 1).items.map(\.action)
            #expect(byName == ["pupil.changed", "pupil.viewed", "pupil.created"])
            let everything = pupilEvents.map { "\($0.before ?? [:]) \($0.after ?? [:])" }.joined()
            #expect(!everything.contains("Ada") && !everything.contains("Bea") && !everything.contains("Applebank") && !everything.contains("2018-10-15"))
        }
    }

    @Test("a UPN already recorded is refused with one message whatever the cause, audited, and ten refusals stop the user")
    func upnRecorded() async throws {
        try await IdentityFixture.with { fixture in
            let store = PupilStore(database: fixture.database, clock: fixture.clock.clock)
            let senco = try await fixture.signIn(.senco).session.actor
            let other = try await fixture.signIn(.otherSenco).session.actor
            let ashgrove = try await Self.school(fixture, "Ashgrove Primary School")
            let brookfield = try await Self.school(fixture, "Brookfield Primary School")
            _ = try await store.create(senco, school: ashgrove, details: Self.details(), request: fixture.request())
            for _ in 0..<10 {
                await #expect(throws: DomainError.conflict(PupilRules.upnRecorded)) {
                    _ = try await store.create(other, school: brookfield, details: Self.details(), request: fixture.request())
                }
            }
            await #expect(throws: DomainError.throttled(retryAfterSeconds: 900)) {
                _ = try await store.create(other, school: brookfield, details: Self.details(upn: Self.upn("999000120009")), request: fixture.request())
            }
            // The question is only a SENCo's to ask.
            let officer = try await fixture.signIn(.officer).session.actor
            await #expect(throws: PostgresError.self) {
                try await fixture.asApp(user: officer.userID) { tx in _ = try await tx.one("SELECT pupil_upn_recorded('A000000000000')") }
            }
        }
    }
}
