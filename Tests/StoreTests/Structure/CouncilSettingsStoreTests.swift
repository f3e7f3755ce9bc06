import Domain
import Foundation
import PQ
@testable import Store
import Testing
import TestSupport

@Suite("the council's settings and calendar, stored")
struct CouncilSettingsStoreTests {
    static func day(_ iso: String) -> CalendarDate {
        guard let date = CalendarDate(iso: iso) else { fatalError("bad test date \(iso)") }
        return date
    }

    static func isForbidden(_ error: DomainError) -> Bool {
        if case .forbidden = error { return true }
        return false
    }

    @Test("an officer's change is saved and audited with only the changed fields, before and after")
    func auditedChange() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer).session.actor
            let store = CouncilSettingsStore(database: fixture.database)
            let before = try await store.current(officer).settings
            let saved = try await store.update(officer, request: fixture.request()) { current in
                var next = current
                next.submissionCutOff = .weekdayOfWeekBefore(.wednesday)
                next.requestCapPerSchoolPerMeeting = 2
                return next
            }
            #expect(saved.settings.submissionCutOff == .weekdayOfWeekBefore(.wednesday))
            #expect(try await store.current(officer).settings.requestCapPerSchoolPerMeeting == 2)
            let events = try await fixture.audit.list(officer, filter: AuditFilter(entityType: "council_settings"), page: 1).items
            #expect(events.map(\.action) == ["council_settings.changed"])
            #expect(events.first?.before == [
                "submissionCutOff": before.submissionCutOff.description, "requestCapPerSchoolPerMeeting": "none",
            ])
            #expect(events.first?.after == [
                "submissionCutOff": "the Wednesday of the week before the meeting", "requestCapPerSchoolPerMeeting": "2",
            ])
        }
    }

    @Test("saving the same settings again writes no audit event")
    func noChangeNoEvent() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer).session.actor
            let store = CouncilSettingsStore(database: fixture.database)
            _ = try await store.update(officer, request: fixture.request()) { $0 }
            let events = try await fixture.audit.list(officer, filter: AuditFilter(entityType: "council_settings"), page: 1).items
            #expect(events.isEmpty)
        }
    }

    @Test("a broken rule changes nothing", arguments: [
        { (settings: inout CouncilSettings) in settings.laCode = "12" },
        { (settings: inout CouncilSettings) in settings.defaultReservePercent = 90 },
    ] as [@Sendable (inout CouncilSettings) -> Void])
    func refusedChange(breaking: @Sendable (inout CouncilSettings) -> Void) async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer).session.actor
            let store = CouncilSettingsStore(database: fixture.database)
            let before = try await store.current(officer)
            await #expect(throws: DomainError.self) {
                _ = try await store.update(officer, request: fixture.request()) { current in
                    var next = current
                    next.longestFundingTerms = 4
                    breaking(&next)
                    return next
                }
            }
            let after = try await store.current(officer)
            #expect(after.settings == before.settings)
            #expect(after.updatedAt == before.updatedAt)
        }
    }

    @Test("everyone signed in reads the settings; only officers change them, in the service and in the database", arguments: [
        IdentityFixture.Person.senco, .headteacher, .psychologist,
    ])
    func onlyOfficersChange(person: IdentityFixture.Person) async throws {
        try await IdentityFixture.with { fixture in
            let actor = try await fixture.signIn(person).session.actor
            let store = CouncilSettingsStore(database: fixture.database)
            #expect(try await store.current(actor).settings.individualThreshold == Pence(600_000))
            let refused = await #expect(throws: DomainError.self) {
                _ = try await store.update(actor, request: fixture.request()) { current in
                    var next = current
                    next.decisionNoticeWorkingDays = 20
                    return next
                }
            }
            #expect(refused.map(Self.isForbidden) == true)
            let changed = try await fixture.asApp(user: actor.userID) { tx in
                try await tx.execute("UPDATE council_settings SET decision_notice_working_days = 20")
            }
            #expect(changed == 0, "row-level security lets only officers update the settings row")
            let officer = try await fixture.signIn(.officer).session.actor
            #expect(try await store.current(officer).settings.decisionNoticeWorkingDays == 7)
        }
    }

    @Test("term dates are set, proposed for the next year from the last, and changed with the old dates audited")
    func termDates() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer).session.actor
            let calendar = CalendarStore(database: fixture.database, clock: fixture.clock.clock)
            let year = AcademicYear(2030)
            let dates = try TermDates(
                year: year, autumn: DateSpan(startsOn: Self.day("2030-09-03"), endsOn: Self.day("2030-12-20")),
                spring: DateSpan(startsOn: Self.day("2031-01-06"), endsOn: Self.day("2031-03-28")),
                summer: DateSpan(startsOn: Self.day("2031-04-14"), endsOn: Self.day("2031-07-22")))
            try await calendar.setTermDates(officer, dates, request: fixture.request())
            #expect(try await calendar.termDates(officer, year: year) == dates)
            let proposal = try await calendar.proposal(officer, year: year.next)
            #expect(proposal?.autumn.startsOn == Self.day("2031-09-03"))
            let changed = try TermDates(
                year: year, autumn: dates.autumn, spring: dates.spring,
                summer: DateSpan(startsOn: Self.day("2031-04-15"), endsOn: Self.day("2031-07-22")))
            try await calendar.setTermDates(officer, changed, request: fixture.request())
            let events = try await fixture.audit.list(officer, filter: AuditFilter(entityType: "term_dates"), page: 1).items
            #expect(events.map(\.action) == ["term_dates.changed", "term_dates.set"])
            #expect(events.first?.before?["summerStartsOn"] == "2031-04-14")
            #expect(events.first?.after?["summerStartsOn"] == "2031-04-15")
            let senco = try await fixture.signIn(.senco).session.actor
            #expect(try await calendar.termDates(senco, year: year) == changed, "everyone reads the calendar")
            let refused = await #expect(throws: DomainError.self) { try await calendar.setTermDates(senco, dates, request: fixture.request()) }
            #expect(refused.map(Self.isForbidden) == true)
        }
    }

    @Test("closure days: a school day is added once, a weekend or bank holiday is refused, and working days skip it")
    func closureDays() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer).session.actor
            let calendar = CalendarStore(database: fixture.database, clock: fixture.clock.clock)
            let inset = ClosureDay(day: Self.day("2026-11-27"), reason: "Staff training day")
            try await calendar.addClosureDay(officer, inset, request: fixture.request())
            await #expect(throws: DomainError.conflict("2026-11-27 is already a closure day.")) {
                try await calendar.addClosureDay(officer, inset, request: fixture.request())
            }
            for refused in ["2026-11-28", "2026-12-25"] {
                await #expect(throws: DomainError.self) {
                    try await calendar.addClosureDay(officer, ClosureDay(day: Self.day(refused), reason: "Closed"), request: fixture.request())
                }
            }
            #expect(try await calendar.closureDays(officer, year: AcademicYear(2026)) == [inset])
            let workingDays = try await calendar.workingDays(officer)
            #expect(!workingDays.isWorkingDay(Self.day("2026-11-27")))
            try await calendar.removeClosureDay(officer, day: inset.day, request: fixture.request())
            #expect(try await calendar.closureDays(officer, year: AcademicYear(2026)).isEmpty)
            let events = try await fixture.audit.list(officer, filter: AuditFilter(entityType: "closure_day"), page: 1).items
            #expect(events.map(\.action) == ["closure_day.removed", "closure_day.added"])
        }
    }

    @Test("a SENCo cannot write term dates or closure days even bypassing the service")
    func calendarRowLevelSecurity() async throws {
        try await IdentityFixture.with { fixture in
            let senco = try await fixture.signIn(.senco).session.actor
            let error = await #expect(throws: PostgresError.self) {
                try await fixture.asApp(user: senco.userID) { tx in
                    try await tx.execute("INSERT INTO closure_days (day, reason) VALUES ('2026-11-26', 'sneaky')")
                }
            }
            #expect(error?.sqlState == .insufficientPrivilege)
            await #expect(throws: PostgresError.self) {
                try await fixture.asApp(user: senco.userID) { tx in
                    try await tx.execute("INSERT INTO term_dates (academic_year, term, starts_on, ends_on) VALUES (2030, 'autumn', '2030-09-02', '2030-12-20')")
                }
            }
        }
    }
}
