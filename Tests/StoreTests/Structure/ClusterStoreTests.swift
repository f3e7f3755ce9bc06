import Domain
import Foundation
import PQ
@testable import Store
import Testing
import TestSupport

@Suite("clusters year by year")
struct ClusterStoreTests {
    static func setUp(_ fixture: IdentityFixture) async throws -> (Actor, ClusterStore, [ClusterOverview]) {
        let officer = try await fixture.signIn(.officer).session.actor
        let store = ClusterStore(database: fixture.database, clock: fixture.clock.clock)
        return (officer, store, try await store.list(officer, year: AcademicYear(2026)))
    }

    @Test("putting a school in another cluster for a year moves it: one cluster per school per year, the move audited")
    func move() async throws {
        try await IdentityFixture.with { fixture in
            let (officer, store, clusters) = try await Self.setUp(fixture)
            guard let north = clusters.first(where: { $0.name == "North Locality" }), let south = clusters.first(where: { $0.name == "South Locality" }) else {
                Issue.record("the demo clusters are missing")
                return
            }
            #expect(north.makeUp.schools == 6 && south.makeUp.schools == 6)
            let school = try #require(try await store.cluster(officer, north.id, year: AcademicYear(2026)).members.first)
            try await store.assign(officer, school: school.schoolID, to: south.id, year: AcademicYear(2026), request: fixture.request())
            let after = try await store.list(officer, year: AcademicYear(2026))
            #expect(after.first { $0.id == north.id }?.makeUp.schools == 5)
            #expect(after.first { $0.id == south.id }?.makeUp.schools == 7)
            let events = try await fixture.audit.list(officer, filter: AuditFilter(entityType: "school", entityID: school.schoolID.description), page: 1).items
            #expect(events.map(\.action) == ["cluster.member_moved"])
            #expect(events.first?.before?["cluster"] == north.id.description)
        }
    }

    @Test("a year that has ended keeps its clusters: adding, removing and copying into it are refused")
    func pastYears() async throws {
        try await IdentityFixture.with { fixture in
            let (officer, store, clusters) = try await Self.setUp(fixture)
            let north = try #require(clusters.first)
            let school = try #require(try await store.cluster(officer, north.id, year: AcademicYear(2026)).members.first)
            let past = AcademicYear(2025)
            for attempt in [
                { try await store.assign(officer, school: school.schoolID, to: north.id, year: past, request: fixture.request()) },
                { try await store.remove(officer, school: school.schoolID, from: north.id, year: past, request: fixture.request()) },
                { _ = try await store.copyYear(officer, from: AcademicYear(2026), to: past, request: fixture.request()) },
            ] as [@Sendable () async throws -> Void] {
                let error = await #expect(throws: DomainError.self) { try await attempt() }
                #expect(error.map { if case .validation(let issues) = $0 { issues.map(\.pointer) == ["/academicYear"] } else { false } } == true)
            }
        }
    }

    @Test("a year's grouping copies into an empty year once; copying again is refused")
    func copyYear() async throws {
        try await IdentityFixture.with { fixture in
            let (officer, store, _) = try await Self.setUp(fixture)
            let copied = try await store.copyYear(officer, from: AcademicYear(2026), to: AcademicYear(2027), request: fixture.request())
            #expect(copied == 12)
            let next = try await store.list(officer, year: AcademicYear(2027))
            #expect(next.map(\.makeUp.schools) == [6, 6])
            await #expect(throws: DomainError.self) {
                _ = try await store.copyYear(officer, from: AcademicYear(2026), to: AcademicYear(2027), request: fixture.request())
            }
        }
    }

    @Test("a locality lead is an officer; a cluster's name is unique")
    func leadsAndNames() async throws {
        try await IdentityFixture.with { fixture in
            let (officer, store, clusters) = try await Self.setUp(fixture)
            let senco = try await fixture.signIn(.senco).session.actor
            let north = try #require(clusters.first)
            await #expect(throws: DomainError.self) {
                try await store.update(officer, north.id, name: north.name, lead: senco.userID, request: fixture.request())
            }
            try await store.update(officer, north.id, name: north.name, lead: officer.userID, request: fixture.request())
            #expect(try await store.cluster(officer, north.id, year: AcademicYear(2026)).overview.leadName == "Olu Officer")
            await #expect(throws: DomainError.conflict("A cluster called south locality already exists.")) {
                _ = try await store.create(officer, name: "south locality", lead: nil, request: fixture.request())
            }
            let id = try await store.create(officer, name: "East Locality", lead: officer.userID, request: fixture.request())
            #expect(try await store.cluster(officer, id, year: AcademicYear(2026)).members.isEmpty)
        }
    }

    @Test("only officers group schools, in the service and in the database")
    func officersOnly() async throws {
        try await IdentityFixture.with { fixture in
            let (_, store, clusters) = try await Self.setUp(fixture)
            let senco = try await fixture.signIn(.senco).session.actor
            let south = try #require(clusters.last)
            let ownSchool = try #require(senco.schools().first)
            await #expect(throws: DomainError.self) {
                try await store.assign(senco, school: ownSchool, to: south.id, year: AcademicYear(2026), request: fixture.request())
            }
            let moved = try await fixture.asApp(user: senco.userID) { tx in
                try await tx.execute("UPDATE cluster_memberships SET cluster_id = \(south.id) WHERE school_id = \(ownSchool)")
            }
            #expect(moved == 0)
            let seen = try await store.list(senco, year: AcademicYear(2026))
            #expect(seen.map(\.name) == ["North Locality"], "a SENCo sees the clusters they work in")
        }
    }
}
