import Domain
import Foundation
import PQ
@testable import Store
import Testing
import TestSupport

@Suite("consent and its effects, stored")
struct ConsentStoreTests {
    static func entry(_ purpose: ConsentPurpose, _ kind: ConsentKind = .given, on: String = "2026-11-02") -> ConsentEntry {
        ConsentEntry(purpose: purpose, kind: kind, givenByName: "Zelda Quartermain", relationship: .parent, givenOn: CalendarDate(iso: on)!,
                     method: .signedForm, evidenceReference: "Form 7")
    }

    /// A new pupil at Ashgrove (North Locality), added by its SENCo, with no consent recorded.
    static func pupil(_ fixture: IdentityFixture, _ store: PupilStore, upn: String = "999000120001") async throws -> ID<Pupil> {
        let senco = try await fixture.signIn(.senco).session.actor
        let ashgrove = try await PupilStoreTests.school(fixture, "Ashgrove Primary School")
        return try await store.create(senco, school: ashgrove, details: PupilStoreTests.details(upn: PupilStoreTests.upn(upn)), request: fixture.request())
    }

    @Test("an EP of the pupil's cluster reaches the pupil only while EP involvement is consented to; the read is audited; never the consent history")
    func epInvolvement() async throws {
        try await IdentityFixture.with { fixture in
            let store = PupilStore(database: fixture.database, clock: fixture.clock.clock)
            let senco = try await fixture.signIn(.senco).session.actor
            let ep = try await fixture.signIn(.psychologist).session.actor
            let officer = try await fixture.signIn(.officer).session.actor
            let id = try await Self.pupil(fixture, store)
            await #expect(throws: DomainError.notFound("There is no such pupil.")) { _ = try await store.pupil(ep, id, view: "test", request: fixture.request()) }
            _ = try await store.recordConsent(senco, pupil: id, entry: Self.entry(.panelSharing), request: fixture.request())
            await #expect(throws: DomainError.notFound("There is no such pupil.")) { _ = try await store.pupil(ep, id, view: "test", request: fixture.request()) }

            _ = try await store.recordConsent(senco, pupil: id, entry: Self.entry(.epInvolvement), request: fixture.request())
            let seen = try await store.pupil(ep, id, view: "test.ep", request: fixture.request())
            #expect(seen.givenNames == "Ada" && seen.consentInForce == [.panelSharing, .epInvolvement])
            #expect(seen.consents.isEmpty)  // the names of those who consented stay with the school and the council
            #expect(try await store.pupil(senco, id, view: "test", request: fixture.request()).consents.count == 2)
            let read = try await fixture.audit.list(officer, filter: AuditFilter(actor: ep.userID, record: id.description), page: 1).items
            #expect(read.map(\.action) == ["pupil.viewed"] && read.first?.after?["view"] == "test.ep")

            _ = try await store.recordConsent(senco, pupil: id, entry: Self.entry(.epInvolvement, .withdrawn, on: "2026-11-03"), request: fixture.request())
            await #expect(throws: DomainError.notFound("There is no such pupil.")) { _ = try await store.pupil(ep, id, view: "test", request: fixture.request()) }
            #expect(try await store.list(ep, filter: PupilFilter(), page: 1, view: "test", request: fixture.request()).items.contains { $0.id == id } == false)
            // Consent given again lifts the effect; the history keeps all three records.
            _ = try await store.recordConsent(senco, pupil: id, entry: Self.entry(.epInvolvement, on: "2026-11-04"), request: fixture.request())
            #expect(try await store.pupil(ep, id, view: "test", request: fixture.request()).id == id)
            let history = try await store.pupil(officer, id, view: "test", request: fixture.request()).consents
            #expect(history.filter { $0.entry.purpose == .epInvolvement }.map(\.entry.kind) == [.given, .withdrawn, .given])
        }
    }

    @Test("row-level security: another school's SENCo, and an EP, read none of a pupil's consent records or referrals, bypassing the service")
    func rowLevelSecurity() async throws {
        try await IdentityFixture.with { fixture in
            let store = PupilStore(database: fixture.database, clock: fixture.clock.clock)
            let referrals = ReferralStore(database: fixture.database, clock: fixture.clock.clock)
            let senco = try await fixture.signIn(.senco).session.actor
            let other = try await fixture.signIn(.otherSenco).session.actor
            let ep = try await fixture.signIn(.psychologist).session.actor
            let id = try await Self.pupil(fixture, store)
            _ = try await store.recordConsent(senco, pupil: id, entry: Self.entry(.panelSharing), request: fixture.request())
            _ = try await referrals.create(senco, pupil: id, entry: ReferralEntry(requestedBy: .school, timeline: ReferralTimeline(receivedOn: CalendarDate(iso: "2026-11-02")!)),
                                           request: fixture.request())
            func counts(_ user: ID<User>) async throws -> [Int] {
                try await fixture.asApp(user: user) { tx in
                    [try await tx.one("SELECT count(*) FROM pupil_consents WHERE pupil_id = \(id)").decode(Int.self, at: 0),
                     try await tx.one("SELECT count(*) FROM pupil_consent_states WHERE pupil_id = \(id)").decode(Int.self, at: 0),
                     try await tx.one("SELECT count(*) FROM ehcp_referrals WHERE pupil_id = \(id)").decode(Int.self, at: 0)]
                }
            }
            #expect(try await counts(other.userID) == [0, 0, 0])
            #expect(try await counts(ep.userID) == [0, 0, 0])
            #expect(try await counts(senco.userID) == [1, 1, 1])
            // Nor can another school's SENCo write one, even straight to the table.
            await #expect(throws: PostgresError.self) {
                try await fixture.asApp(user: other.userID) { tx in
                    let school = try await PupilStoreTests.school(fixture, "Brookfield Primary School")
                    try await tx.execute(
                        """
                        INSERT INTO pupil_consents (pupil_id, purpose, kind, given_by_name, relationship, given_on, method, evidence_reference, school_id, recorded_by)
                        VALUES (\(id), 'panel_sharing', 'withdrawn', 'X', 'parent', '2026-11-02', 'email', 'x', \(school), \(other.userID))
                        """)
                }
            }
        }
    }

    @Test("consent records are never changed or removed, by the service's role or the owner")
    func immutable() async throws {
        try await IdentityFixture.with { fixture in
            let store = PupilStore(database: fixture.database, clock: fixture.clock.clock)
            let senco = try await fixture.signIn(.senco).session.actor
            let id = try await Self.pupil(fixture, store)
            _ = try await store.recordConsent(senco, pupil: id, entry: Self.entry(.panelSharing), request: fixture.request())
            for statement: SQL in ["UPDATE pupil_consents SET given_by_name = 'X'", "DELETE FROM pupil_consents", "DELETE FROM pupil_consents WHERE false"] {
                await #expect(throws: PostgresError.self) { try await fixture.asApp(user: senco.userID) { tx in try await tx.execute(statement) } }
                await #expect(throws: PostgresError.self) { try await fixture.asOwner { tx in try await tx.execute(statement) } }
            }
            await #expect(throws: PostgresError.self) { try await fixture.asOwner { tx in try await tx.execute("TRUNCATE pupil_consents CASCADE") } }
        }
    }

    @Test("an officer records a withdrawal, never consent given; a correction replaces a record and the state follows it")
    func officerAndCorrections() async throws {
        try await IdentityFixture.with { fixture in
            let store = PupilStore(database: fixture.database, clock: fixture.clock.clock)
            let senco = try await fixture.signIn(.senco).session.actor
            let head = try await fixture.signIn(.headteacher).session.actor
            let officer = try await fixture.signIn(.officer).session.actor
            let id = try await Self.pupil(fixture, store)
            let given = try await store.recordConsent(senco, pupil: id, entry: Self.entry(.panelSharing), request: fixture.request())
            await #expect(throws: DomainError.self) { _ = try await store.recordConsent(officer, pupil: id, entry: Self.entry(.panelSharing), request: fixture.request()) }
            await #expect(throws: DomainError.self) { _ = try await store.recordConsent(head, pupil: id, entry: Self.entry(.panelSharing, .withdrawn), request: fixture.request()) }
            let withdrawal = try await store.recordConsent(officer, pupil: id, entry: Self.entry(.panelSharing, .withdrawn, on: "2026-11-05"), request: fixture.request())
            #expect(try await store.pupil(senco, id, view: "test", request: fixture.request()).consentInForce.isEmpty)
            // The withdrawal was typed against the wrong pupil: the SENCo corrects it? No: a correction keeps the kind, so
            // the officer's record is corrected by a new withdrawal record; here the SENCo corrects the date of the consent.
            var fixed = Self.entry(.panelSharing, on: "2026-11-01")
            fixed.replaces = given
            fixed.correctionReason = "The form is dated the 1st."
            _ = try await store.recordConsent(senco, pupil: id, entry: fixed, request: fixture.request())
            let record = try await store.pupil(officer, id, view: "test", request: fixture.request())
            #expect(record.consents.first { $0.id == given }?.replacedBy != nil)
            #expect(ConsentRules.inForce(record.consents, purpose: .panelSharing)?.id == withdrawal)
            #expect(record.consentInForce.contains(.panelSharing) == false)
            // A second correction of the same record is refused (correct the newer one instead).
            await #expect(throws: DomainError.self) { _ = try await store.recordConsent(senco, pupil: id, entry: fixed, request: fixture.request()) }
            // The trail names the purpose and kind, never the person who gave consent.
            let events = try await fixture.audit.list(officer, filter: AuditFilter(record: id.description), page: 1).items
            #expect(Set(events.map(\.action)).isSuperset(of: ["consent.given", "consent.withdrawn", "consent.corrected"]))
            #expect(!events.contains { ($0.after ?? [:]).values.contains("Zelda Quartermain") })
        }
    }

    @Test("the pseudonymised view gives the cluster's other schools initials, year group and needs only, and only while panel sharing is consented to")
    func pseudonyms() async throws {
        try await IdentityFixture.with { fixture in
            let store = PupilStore(database: fixture.database, clock: fixture.clock.clock)
            let senco = try await fixture.signIn(.senco).session.actor
            let other = try await fixture.signIn(.otherSenco).session.actor
            let id = try await Self.pupil(fixture, store)
            func view(_ user: ID<User>) async throws -> (columns: [String], values: [String?]) {
                try await fixture.asApp(user: user) { tx in
                    let columns = try await tx.query("SELECT * FROM pupil_pseudonyms(ARRAY[\(id)]::uuid[])").columns.map(\.name)
                    let rows = try await tx.query(
                        "SELECT pupil_id::text, withheld, initials, year_group::text, primary_need, secondary_need FROM pupil_pseudonyms(ARRAY[\(id)]::uuid[])")
                    let row = try #require(rows.first)
                    return (columns, try (0..<6).map { try row.decode(String?.self, at: $0) })
                }
            }
            let before = try await view(other.userID)
            #expect(before.columns == ["pupil_id", "withheld", "initials", "year_group", "primary_need", "secondary_need"])
            #expect(before.values == [id.description, "no_consent", nil, nil, nil, nil])
            _ = try await store.recordConsent(senco, pupil: id, entry: Self.entry(.panelSharing), request: fixture.request())
            let shown = try await view(other.userID)
            #expect(shown.values == [id.description, nil, "AA", "3", "SLCN", nil])
            for forbidden in ["Ada", "Applebank", "2018-10-15", PupilStoreTests.upn("999000120001")] {
                #expect(!shown.values.contains { $0?.contains(forbidden) ?? false })
            }
            _ = try await store.recordConsent(senco, pupil: id, entry: Self.entry(.panelSharing, .withdrawn, on: "2026-11-03"), request: fixture.request())
            #expect(try await view(other.userID).values == [id.description, "consent_withdrawn", nil, nil, nil, nil])
            // Someone outside the pupil's cluster gets no row at all.
            let officer = try await fixture.signIn(.officer).session.actor
            let southCluster = try await fixture.asOwner { tx in
                try await tx.one("SELECT id FROM clusters WHERE name <> 'North Locality' ORDER BY name LIMIT 1").decode(ID<Cluster>.self, at: 0)
            }
            let south = try await fixture.users.create(officer, email: "ep.elsewhere@example-city.test", displayName: "Elsewhere EP", request: fixture.request())
            _ = try await fixture.users.assignRole(officer, userID: south, role: .educationalPsychologist, scope: .cluster(southCluster),
                                                   startsOn: CalendarDate.today(at: fixture.clock.now), request: fixture.request())
            let none = try await fixture.asApp(user: south) { tx in
                try await tx.query("SELECT * FROM pupil_pseudonyms(ARRAY[\(id)]::uuid[])").count
            }
            #expect(none == 0)
        }
    }
}
