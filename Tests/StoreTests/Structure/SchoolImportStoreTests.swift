import Domain
import Foundation
import PQ
@testable import Store
import Testing
import TestSupport

@Suite("importing schools from GIAS and the SEN statistics")
struct SchoolImportStoreTests {
    static let header = "URN,LA (code),EstablishmentName,TypeOfEstablishment (name),EstablishmentStatus (name),"
        + "PhaseOfEducation (name),StatutoryLowAge,StatutoryHighAge,NumberOfPupils,FSM,Trusts (code),Trusts (name),OfstedRating (name)\r\n"

    static func row(_ urn: String, _ name: String, status: String = "Open", roll: String = "200", fsm: String = "40", la: String = "999",
                    trust: (String, String)? = nil) -> String {
        "\(urn),\(la),\"\(name)\",Academy converter,\(status),Primary,4,11,\(roll),\(fsm),\(trust?.0 ?? ""),\(trust?.1 ?? ""),Good\r\n"
    }

    static func file(_ bytes: [UInt8], kind: SchoolFileKind = .gias) -> SchoolFile {
        var reader = SchoolFileReader(kind: kind, laCode: "999")
        reader.consume(bytes)
        return reader.finish()
    }

    static func setUp(_ fixture: IdentityFixture) async throws -> Actor {
        let officer = try await fixture.signIn(.officer).session.actor
        _ = try await CouncilSettingsStore(database: fixture.database).update(officer, request: fixture.request()) { current in
            var next = current
            next.laCode = "999"
            return next
        }
        return officer
    }

    static func schoolCount(_ fixture: IdentityFixture, _ officer: Actor) async throws -> Int {
        try await fixture.asApp(user: officer.userID) { tx in try await tx.one("SELECT count(*) FROM schools").decode(Int.self, at: 0) }
    }

    @Test("a file with errors on lines 3 and 7 reports both and imports nothing")
    func refusedWhole() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await Self.setUp(fixture)
            let store = SchoolImportStore(database: fixture.database)
            var text = Self.header
            for line in 2...8 {
                let row = switch line {
                case 3: Self.row("990203", "Bad Roll", roll: "many")
                case 7: Self.row("990207", "", status: "Open")
                default: Self.row(String(990_200 + line), "School \(line)")
                }
                text += row
            }
            let before = try await Self.schoolCount(fixture, officer)
            let error = await #expect(throws: DomainError.self) {
                _ = try await store.apply(officer, Self.file(Array(text.utf8)), census: 2026, dryRun: false, request: fixture.request())
            }
            guard case .validation(let issues)? = error else {
                Issue.record("expected a validation error, got \(String(describing: error))")
                return
            }
            #expect(issues.map(\.pointer) == ["/line/3/NumberOfPupils", "/line/7/EstablishmentName"])
            #expect(try await Self.schoolCount(fixture, officer) == before)
        }
    }

    @Test("a Windows-1252 file imports St Thérèse’s exactly; the same file again changes nothing")
    func windows1252AndReimport() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await Self.setUp(fixture)
            let store = SchoolImportStore(database: fixture.database)
            // "St Thérèse’s" in Windows-1252: é E9, è E8, ’ 92.
            let name: [UInt8] = Array("St Th".utf8) + [0xE9] + Array("r".utf8) + [0xE8] + Array("se".utf8) + [0x92] + Array("s Catholic Primary".utf8)
            let bytes = Array(Self.header.utf8) + Array("990301,999,".utf8) + name
                + Array(",Academy converter,Open,Primary,4,11,210,35,16342,Saints Trust,Good\r\n".utf8)
                + Array(Self.row("990302", "Other LA School", la: "888").utf8)
            let first = try await store.apply(officer, Self.file(bytes), census: 2026, dryRun: false, request: fixture.request())
            #expect(first.created == 1 && first.skippedOtherAuthority == 1 && first.trustsCreated == 1)
            let stored = try await fixture.asApp(user: officer.userID) { tx in
                try await tx.one("SELECT name, trust_code FROM schools WHERE urn = '990301'").decode((String, String?).self)
            }
            #expect(stored.0 == "St Thérèse’s Catholic Primary")
            #expect(stored.1 == "16342")
            let again = try await store.apply(officer, Self.file(bytes), census: 2026, dryRun: false, request: fixture.request())
            #expect(again.created == 0 && again.updated == 0 && again.unchanged == 1 && again.trustsCreated == 0)
            let events = try await fixture.audit.list(officer, filter: AuditFilter(entityType: "school_import"), page: 1).items
            #expect(events.count == 2)
            #expect(events.first?.after?["unchanged"] == "1")
            let figures = try await fixture.asApp(user: officer.userID) { tx in
                try await tx.one(
                    "SELECT on_roll, fsm, f.updated_at FROM school_census_figures f JOIN schools s ON s.id = f.school_id WHERE s.urn = '990301' AND census_year = 2026"
                ).decode((Int, Int, Date).self)
            }
            #expect(figures.0 == 210 && figures.1 == 35)
        }
    }

    @Test("a dry run reports what would change and changes nothing")
    func dryRun() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await Self.setUp(fixture)
            let store = SchoolImportStore(database: fixture.database)
            let text = Self.header + Self.row("990401", "New School") + Self.row("990001", "Ashgrove Primary School (renamed)")
            let before = try await Self.schoolCount(fixture, officer)
            let report = try await store.apply(officer, Self.file(Array(text.utf8)), census: 2026, dryRun: true, request: fixture.request())
            #expect(report.dryRun && report.created == 1 && report.updated == 1)
            #expect(try await Self.schoolCount(fixture, officer) == before)
            let name = try await fixture.asApp(user: officer.userID) { tx in
                try await tx.one("SELECT name FROM schools WHERE urn = '990001'").decode(String.self, at: 0)
            }
            #expect(name == "Ashgrove Primary School")
            #expect(try await fixture.audit.list(officer, filter: AuditFilter(entityType: "school_import"), page: 1).items.isEmpty)
        }
    }

    @Test("a closed establishment is skipped unless the school is recorded, which is then marked closed")
    func closedSchools() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await Self.setUp(fixture)
            let store = SchoolImportStore(database: fixture.database)
            let text = Self.header + Self.row("990002", "Brookfield Primary School", status: "Closed") + Self.row("990499", "Long Gone", status: "Closed")
            let report = try await store.apply(officer, Self.file(Array(text.utf8)), census: 2026, dryRun: false, request: fixture.request())
            #expect(report.closed == 1 && report.skippedClosed == 1 && report.created == 0)
            let statuses = try await fixture.asApp(user: officer.userID) { tx in
                try await tx.query("SELECT urn, status FROM schools WHERE urn IN ('990002', '990499')").decode((String, String).self)
            }
            #expect(statuses.map(\.0) == ["990002"] && statuses.map(\.1) == ["closed"])
        }
    }

    @Test("an SEN statistics file sets the figures of the census it names, and only those")
    func senFigures() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await Self.setUp(fixture)
            let store = SchoolImportStore(database: fixture.database)
            let gias = Self.header + Self.row("990001", "Ashgrove Primary School", roll: "300", fsm: "60")
            _ = try await store.apply(officer, Self.file(Array(gias.utf8)), census: 2025, dryRun: false, request: fixture.request())
            let sen = "URN,SEN support,EHC plan\n990001,41,9\n990002,c,3\n123456,10,1\n"
            let report = try await store.apply(officer, Self.file(Array(sen.utf8), kind: .sen), census: 2026, dryRun: false, request: fixture.request())
            #expect(report.updated == 2 && report.skippedUnknown == 1)
            let rows = try await fixture.asApp(user: officer.userID) { tx in
                try await tx.query(
                    """
                    SELECT s.urn, f.census_year, f.on_roll, f.sen_support, f.ehcp FROM school_census_figures f JOIN schools s ON s.id = f.school_id
                    WHERE s.urn IN ('990001', '990002') ORDER BY s.urn, f.census_year
                    """
                ).decode((String, Int, Int?, Int?, Int?).self)
            }
            #expect(rows.count == 3)
            #expect(rows[0] == ("990001", 2025, 300, nil, nil), "the 2025 census is left as it was")
            #expect(rows[1] == ("990001", 2026, nil, 41, 9))
            #expect(rows[2] == ("990002", 2026, nil, nil, 3))
        }
    }

    @Test("only officers import, and a SENCo cannot write figures even bypassing the service")
    func officersOnly() async throws {
        try await IdentityFixture.with { fixture in
            _ = try await Self.setUp(fixture)
            let senco = try await fixture.signIn(.senco).session.actor
            let store = SchoolImportStore(database: fixture.database)
            await #expect(throws: DomainError.self) {
                _ = try await store.apply(senco, Self.file(Array((Self.header + Self.row("990501", "X")).utf8)), census: 2026, dryRun: false, request: fixture.request())
            }
            let error = await #expect(throws: PostgresError.self) {
                try await fixture.asApp(user: senco.userID) { tx in
                    try await tx.execute(
                        "INSERT INTO school_census_figures (school_id, census_year, on_roll) SELECT id, 2026, 1 FROM schools WHERE urn = '990001'"
                    )
                }
            }
            #expect(error?.sqlState == .insufficientPrivilege)
        }
    }
}
