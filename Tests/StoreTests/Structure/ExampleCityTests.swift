import Domain
import Foundation
import PQ
@testable import Store
import Testing
import TestSupport

@Suite("Example City, the demo council")
struct ExampleCityTests {
    @Test("seven clusters of eight to twelve schools, each school with figures for two censuses, and some schools regrouped between years")
    func structure() async throws {
        try await IdentityFixture.with { fixture in
            let owner = try Database(configuration: fixture.testDatabase.configuration(role: .owner), logger: TestEnvironment.logger)
            let bootstrap = Bootstrap(database: owner, hasher: try await PasswordHasher.make(cost: 4), clock: fixture.clock.clock)
            let accounts = try await bootstrap.loadExampleCity(password: IdentityFixture.password)
            // Loading twice changes nothing.
            _ = try await bootstrap.loadExampleCity(password: IdentityFixture.password)
            await owner.close()
            #expect(accounts.count == 14, "a SENCo and a headteacher at six clusters, and a second EP in two")
            let officer = try await fixture.signIn(.officer).session.actor
            let year = AcademicYear.holding(CalendarDate.today(at: fixture.clock.now)).startYear
            let sizes = try await fixture.asApp(user: officer.userID) { tx in
                try await tx.query(
                    "SELECT c.name, count(*) FROM cluster_memberships m JOIN clusters c ON c.id = m.cluster_id WHERE m.academic_year = \(year) GROUP BY c.name ORDER BY c.name"
                ).decode((String, Int).self)
            }
            #expect(sizes.count == 7)
            let leads = try await fixture.asApp(user: officer.userID) { tx in
                try await tx.one("SELECT count(*) FROM clusters WHERE locality_lead_user_id = \(officer.userID)").decode(Int.self, at: 0)
            }
            #expect(leads == 7, "the demo officer leads every cluster")
            // About 150 made-up pupils, at least ten at every school with a demo account, each UPN with a right check letter.
            let pupils = try await fixture.asOwner { tx in
                try await tx.query("SELECT upn, school_id FROM pupils ORDER BY upn").decode((String, ID<School>).self)
            }
            #expect((140...180).contains(pupils.count), "\(pupils.count) pupils")
            #expect(pupils.allSatisfy { UPN($0.0) != nil })
            #expect(Dictionary(grouping: pupils, by: \.1).values.filter { $0.count >= 10 }.count == 8, "Ashgrove, Brookfield and one school in each other cluster")
            // Consent for most, a few withdrawn, a third with EP involvement; a dozen referrals at every stage, some late.
            let consent = try await fixture.asOwner { tx in
                try await tx.one(
                    """
                    SELECT (SELECT count(*) FROM ehcp_referrals),
                           (SELECT count(*) FROM pupil_consent_states WHERE purpose = 'panel_sharing' AND in_force),
                           (SELECT count(*) FROM pupil_consent_states WHERE purpose = 'panel_sharing' AND NOT in_force),
                           (SELECT count(*) FROM pupil_consent_states WHERE purpose = 'ep_involvement' AND in_force)
                    """
                ).decode((Int, Int, Int, Int).self)
            }
            #expect(consent.0 == 12 && consent.1 * 10 >= pupils.count * 7 && consent.2 >= 2 && consent.3 >= 20, "\(consent)")
            let referrals = ReferralStore(database: fixture.database, clock: fixture.clock.clock)
            let timeliness = try await referrals.timeliness(officer, year: nil, standing: nil, page: 1, size: 100,
                                                            request: fixture.request())
            #expect((timeliness.counts[.missed] ?? 0) >= 3 && (timeliness.counts[.pending] ?? 0) >= 2 && (timeliness.counts[.met] ?? 0) >= 2,
                    "\(timeliness.counts)")
            // The current funding year's £1,400,000.00, shared by the default formula and confirmed, to the penny.
            let budget = try await BudgetStore(database: fixture.database).budget(officer, year: FundingYear.holding(CalendarDate.today(at: fixture.clock.now)))
            #expect(budget.isConfirmed && budget.balances.count == 7)
            #expect(budget.balances.values.reduce(Pence.zero) { $0 + $1.allocatedPence } == Pence(140_000_000))
            #expect(budget.balances.values.allSatisfy { $0.reservePence == budget.terms.reserve(of: $0.allocatedPence) && $0.reservePence > .zero })
            #expect(sizes.allSatisfy { (8...12).contains($0.1) }, "\(sizes)")
            #expect(sizes.map(\.1).reduce(0, +) == 71)
            let withoutFigures = try await fixture.asApp(user: officer.userID) { tx in
                try await tx.one(
                    """
                    SELECT count(*) FROM schools s WHERE (SELECT count(*) FROM school_census_figures f
                        WHERE f.school_id = s.id AND f.on_roll > 0 AND f.sen_support IS NOT NULL AND f.ehcp IS NOT NULL AND f.fsm IS NOT NULL) <> 2
                    """
                ).decode(Int.self, at: 0)
            }
            #expect(withoutFigures == 0)
            let moved = try await fixture.asApp(user: officer.userID) { tx in
                try await tx.query(
                    """
                    SELECT s.urn, m.academic_year - \(year), c.name FROM cluster_memberships m JOIN schools s ON s.id = m.school_id
                    JOIN clusters c ON c.id = m.cluster_id WHERE s.urn IN ('990071', '990051') ORDER BY s.urn, m.academic_year
                    """
                ).decode((String, Int, String).self)
            }
            #expect(moved.map(\.2) == ["West Locality", "West Locality", "East Locality", "Central Locality", "Riverside Locality", "Riverside Locality"])
            let names = try await fixture.asApp(user: officer.userID) { tx in
                try await tx.query("SELECT name FROM schools WHERE urn IN ('990001', '990009') ORDER BY urn").decode(String.self)
            }
            #expect(names == ["Ashgrove Primary School", "St Thérèse’s Catholic Primary School"])
            // This and next academic year's meetings: a planning and an allocation meeting a term for each of the seven
            // clusters, once however often the data is loaded, each on a working day of its term.
            let meetings = try await fixture.asApp(user: officer.userID) { tx in
                try await tx.query(
                    """
                    SELECT academic_year - \(year), count(*), count(DISTINCT cluster_id),
                           count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM term_dates t WHERE t.academic_year = mt.academic_year AND t.term = mt.term
                                                                AND mt.meets_on BETWEEN t.starts_on AND t.ends_on) OR extract(isodow FROM meets_on) > 5)
                    FROM meetings mt GROUP BY 1 ORDER BY 1
                    """
                ).decode((Int, Int, Int, Int).self)
            }
            #expect(meetings.map { "\($0.0): \($0.1) in \($0.2) clusters, \($0.3) astray" } == ["0: 42 in 7 clusters, 0 astray", "1: 42 in 7 clusters, 0 astray"])
        }
    }
}
