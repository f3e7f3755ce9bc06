import Domain
import Foundation
import PQ
@testable import Store
import Testing
import TestSupport

@Suite("the meeting schedule, stored")
struct MeetingStoreTests {
    struct Setting {
        var officer: Actor
        var store: MeetingStore
        var north: ID<Cluster>
        var south: ID<Cluster>
    }

    /// The demo council (North and South Localities, six schools each in 2026/27) with 2026/27's meetings generated:
    /// planning in week 3 and allocation in week 5, Tuesdays 15:30.
    static func setUp(_ fixture: IdentityFixture) async throws -> Setting {
        let officer = try await fixture.signIn(.officer).session.actor
        let store = MeetingStore(database: fixture.database, clock: fixture.clock.clock)
        let clusters = try await ClusterStore(database: fixture.database, clock: fixture.clock.clock).list(officer, year: AcademicYear(2026))
        let north = try #require(clusters.first { $0.name == "North Locality" }?.id)
        let south = try #require(clusters.first { $0.name == "South Locality" }?.id)
        let result = try await store.generate(officer, year: AcademicYear(2026), pattern: try pattern(), place: "Civic Centre", onlineLink: nil,
                                              request: fixture.request())
        #expect(result == ScheduleResult(created: 12, kept: 0))
        return Setting(officer: officer, store: store, north: north, south: south)
    }

    static func pattern() throws -> SchedulePattern {
        try SchedulePattern(planningWeek: 3, allocationWeek: 5, weekday: .tuesday, startsAt: #require(TimeOfDay(hour: 15, minute: 30)))
    }

    static func meetings(_ store: MeetingStore, _ actor: Actor, _ filter: MeetingFilter) async throws -> [MeetingRecord] {
        try await store.list(actor, filter: filter, page: 1, size: 200).items
    }

    @Test("generating a year gives each cluster a planning and an allocation meeting a term, cut-offs by the council's rule; again, only gaps")
    func generate() async throws {
        try await IdentityFixture.with { fixture in
            let setting = try await Self.setUp(fixture)
            let north = try await Self.meetings(setting.store, setting.officer, MeetingFilter(academicYear: AcademicYear(2026), clusterID: setting.north))
            #expect(north.map(\.meetsOn.iso) == ["2026-09-15", "2026-09-29", "2027-01-19", "2027-02-02", "2027-04-27", "2027-05-11"])
            #expect(north.allSatisfy { $0.cutOffOn == $0.meetsOn.adding(days: -7) && !$0.cutOffOverridden && $0.startsAt.description == "15:30" })
            #expect(north.allSatisfy { $0.chairName == nil && $0.chairID == nil }, "the locality lead chairs, and North has none yet")
            try await ClusterStore(database: fixture.database, clock: fixture.clock.clock)
                .update(setting.officer, setting.north, name: "North Locality", lead: setting.officer.userID, request: fixture.request())
            #expect(try await setting.store.meeting(setting.officer, try #require(north.first).id).chairName == "Olu Officer", "now its lead chairs")
            // The total comes with a page's rows, and on its own for a page past the end.
            let second = try await setting.store.list(setting.officer, filter: MeetingFilter(academicYear: AcademicYear(2026)), page: 2, size: 5)
            let beyond = try await setting.store.list(setting.officer, filter: MeetingFilter(academicYear: AcademicYear(2026)), page: 9, size: 5)
            #expect(second.items.count == 5 && second.total == 12 && beyond.items.isEmpty && beyond.total == 12)
            let again = try await setting.store.generate(setting.officer, year: AcademicYear(2026), pattern: try Self.pattern(), place: "Elsewhere",
                                                         onlineLink: nil, request: fixture.request())
            #expect(again == ScheduleResult(created: 0, kept: 12))
            // A cancelled meeting's slot is filled by generating again.
            let first = try #require(north.first)
            try await setting.store.cancel(setting.officer, first.id, reason: "Venue flooded", request: fixture.request())
            let refill = try await setting.store.generate(setting.officer, year: AcademicYear(2026), pattern: try Self.pattern(), place: "Library",
                                                          onlineLink: nil, request: fixture.request())
            #expect(refill == ScheduleResult(created: 1, kept: 11))
            let events = try await fixture.audit.list(setting.officer, filter: AuditFilter(entityType: "meetings"), page: 1).items
            #expect(events.map(\.action) == ["meetings.generated", "meetings.generated", "meetings.generated"])
            #expect(events.first?.after?["created"] == "1")
        }
    }

    @Test("a year without term dates, or one that has ended, cannot be generated")
    func generateRefused() async throws {
        try await IdentityFixture.with { fixture in
            let setting = try await Self.setUp(fixture)
            for year in [2025, 2030] {
                let error = await #expect(throws: DomainError.self) {
                    _ = try await setting.store.generate(setting.officer, year: AcademicYear(year), pattern: try Self.pattern(), place: "Civic Centre",
                                                         onlineLink: nil, request: fixture.request())
                }
                #expect(error.map { if case .validation(let issues) = $0 { issues.map(\.pointer) == ["/academicYear"] } else { false } } == true, "\(year)")
            }
        }
    }

    @Test("a SENCo sees a cluster's meetings only for the years their school was in it; an EP only their clusters'")
    func yearScope() async throws {
        try await IdentityFixture.with { fixture in
            let setting = try await Self.setUp(fixture)
            let senco = try await fixture.signIn(.senco).session.actor
            let psychologist = try await fixture.signIn(.psychologist).session.actor
            let school = try #require(senco.schools().first)
            // Last year (2025/26) the SENCo's school was in South Locality, which held its meetings then; this year it is
            // in North. Ended years are set up as the owner, as they were recorded at the time.
            try await fixture.asOwner { tx in
                try await tx.execute("INSERT INTO cluster_memberships (school_id, cluster_id, academic_year) VALUES (\(school), \(setting.south), 2025)")
                guard let terms = try await CalendarStore.termDates(year: AcademicYear(2025), in: tx) else { throw DomainError.notFound("2025 terms") }
                _ = try await MeetingStore.schedule(try Self.pattern().slots(for: terms, workingDays: WorkingDays()), cluster: setting.south,
                                                    year: AcademicYear(2025), startsAt: try #require(TimeOfDay(hour: 16, minute: 0)),
                                                    place: "Old hall", onlineLink: nil, rule: .standard, in: tx)
            }
            let seen = try await Self.meetings(setting.store, senco, MeetingFilter())
            #expect(Set(seen.map { "\($0.clusterID == setting.north ? "north" : "south") \($0.year.startYear)" }) == ["north 2026", "south 2025"])
            #expect(seen.count == 12)
            let southThisYear = try #require(try await Self.meetings(setting.store, setting.officer,
                                                                     MeetingFilter(academicYear: AcademicYear(2026), clusterID: setting.south)).first)
            await #expect(throws: DomainError.notFound("There is no such meeting.")) {
                _ = try await setting.store.meeting(senco, southThisYear.id)
            }
            // The database itself, as the server's role, whatever the service asks.
            let counts = try await fixture.asApp(user: senco.userID) { tx in
                try await tx.query("SELECT academic_year, count(*) FROM meetings WHERE cluster_id = \(setting.south) GROUP BY 1 ORDER BY 1").decode((Int, Int).self)
            }
            #expect(counts.map { "\($0.0):\($0.1)" } == ["2025:6"])
            let epSeen = try await fixture.asApp(user: psychologist.userID) { tx in
                try await tx.query("SELECT DISTINCT cluster_id FROM meetings").decode(ID<Cluster>.self)
            }
            #expect(epSeen == [setting.north])
            #expect(try await Self.meetings(setting.store, psychologist, MeetingFilter(clusterID: setting.south)).isEmpty)
        }
    }

    @Test("moving a meeting recomputes its cut-off and writes one notification per SENCo, headteacher and EP of the cluster")
    func moveNotifies() async throws {
        try await IdentityFixture.with { fixture in
            let setting = try await Self.setUp(fixture)
            let meeting = try #require(try await Self.meetings(setting.store, setting.officer, MeetingFilter(clusterID: setting.north)).first)
            var change = meeting.change
            change.meetsOn = CalendarDate(iso: "2026-09-17") ?? meeting.meetsOn
            let notified = try await setting.store.update(setting.officer, meeting.id, change: change, chair: nil, request: fixture.request())
            let moved = try await setting.store.meeting(setting.officer, meeting.id)
            #expect(moved.meetsOn.iso == "2026-09-17" && moved.cutOffOn.iso == "2026-09-10")
            let outbox = try await fixture.asOwner { tx in
                try await tx.query("SELECT kind, recipient, payload ->> 'meetsOn', payload ->> 'previousMeetsOn' FROM outbox WHERE kind LIKE 'meeting%' ORDER BY recipient")
                    .decode((String, String, String, String?).self)
            }
            #expect(notified == 5)
            #expect(outbox.map(\.1) == ["ep.north@example-city.test", "head.ashgrove@example-city.test", "head.brookfield@example-city.test",
                                        "senco.ashgrove@example-city.test", "senco.brookfield@example-city.test"])
            #expect(outbox.allSatisfy { $0.0 == "meeting_changed" && $0.2 == "2026-09-17" && $0.3 == "2026-09-15" })
            try await setting.store.cancel(setting.officer, meeting.id, reason: "Clashes with training day", request: fixture.request())
            let cancelled = try await fixture.asOwner { tx in
                try await tx.one("SELECT count(*), count(DISTINCT recipient) FROM outbox WHERE kind = 'meeting_cancelled'").decode((Int, Int).self)
            }
            #expect(cancelled.0 == 5 && cancelled.1 == 5)
            let after = try await setting.store.meeting(setting.officer, meeting.id)
            #expect(after.status == .cancelled && after.cancelledReason == "Clashes with training day")
            await #expect(throws: DomainError.invalidTransition("This meeting is already cancelled.")) {
                try await setting.store.cancel(setting.officer, meeting.id, reason: "Again", request: fixture.request())
            }
            await #expect(throws: DomainError.self) {
                try await setting.store.update(setting.officer, meeting.id, change: change, chair: nil, request: fixture.request())
            }
            let events = try await fixture.audit.list(setting.officer, filter: AuditFilter(entityType: "meeting", entityID: meeting.id.description), page: 1).items
            #expect(Set(events.map(\.action)) == ["meeting.changed", "meeting.cancelled"])
        }
    }

    @Test("an officer's cut-off stands until cleared; a published cut-off does not shift when the council's rule changes")
    func cutOffs() async throws {
        try await IdentityFixture.with { fixture in
            let setting = try await Self.setUp(fixture)
            let meeting = try #require(try await Self.meetings(setting.store, setting.officer, MeetingFilter(clusterID: setting.south)).last)
            var change = meeting.change
            change.cutOffOverride = meeting.meetsOn.adding(days: -2)
            let notified = try await setting.store.update(setting.officer, meeting.id, change: change, chair: nil, request: fixture.request())
            #expect(notified == 0, "a new cut-off alone tells nobody")
            var stored = try await setting.store.meeting(setting.officer, meeting.id)
            #expect(stored.cutOffOverridden && stored.cutOffOn == meeting.meetsOn.adding(days: -2))
            // The council moves to a 14-day rule; the meeting's published cut-off stays until the meeting moves.
            _ = try await fixture.asOwner { tx in try await tx.execute("UPDATE council_settings SET cut_off_days_before = 14") }
            change.cutOffOverride = nil
            try await setting.store.update(setting.officer, meeting.id, change: change, chair: nil, request: fixture.request())
            stored = try await setting.store.meeting(setting.officer, meeting.id)
            #expect(!stored.cutOffOverridden && stored.cutOffOn == meeting.meetsOn.adding(days: -14), "cleared: the council's rule again")
            let other = try #require(try await Self.meetings(setting.store, setting.officer, MeetingFilter(clusterID: setting.north)).first)
            var place = other.change
            place.place = "Town Hall"
            try await setting.store.update(setting.officer, other.id, change: place, chair: nil, request: fixture.request())
            #expect(try await setting.store.meeting(setting.officer, other.id).cutOffOn == other.cutOffOn, "not moved: the cut-off stays")
        }
    }

    @Test("a change is refused whole: a day outside the term, a chair who is no officer; only officers change meetings")
    func refused() async throws {
        try await IdentityFixture.with { fixture in
            let setting = try await Self.setUp(fixture)
            let senco = try await fixture.signIn(.senco).session.actor
            let meeting = try #require(try await Self.meetings(setting.store, setting.officer, MeetingFilter(clusterID: setting.north)).first)
            var change = meeting.change
            change.meetsOn = CalendarDate(iso: "2027-01-19") ?? meeting.meetsOn
            let error = await #expect(throws: DomainError.self) {
                try await setting.store.update(setting.officer, meeting.id, change: change, chair: senco.userID, request: fixture.request())
            }
            #expect(error.map { if case .validation(let issues) = $0 { issues.map(\.pointer) == ["/meetsOn", "/chairUserId"] } else { false } } == true)
            #expect(try await setting.store.meeting(setting.officer, meeting.id).meetsOn == meeting.meetsOn, "nothing changed")
            await #expect(throws: DomainError.forbidden("Only council officers schedule meetings.")) {
                try await setting.store.cancel(senco, meeting.id, reason: "No", request: fixture.request())
            }
            let written = try await fixture.asApp(user: senco.userID) { tx in
                try await tx.execute("UPDATE meetings SET place = 'Mine' WHERE cluster_id = \(setting.north)")
            }
            #expect(written == 0, "row-level security lets only officers write meetings")
            try await setting.store.update(setting.officer, meeting.id, change: meeting.change, chair: setting.officer.userID, request: fixture.request())
            #expect(try await setting.store.meeting(senco, meeting.id).chairName == "Olu Officer")
        }
    }
}
