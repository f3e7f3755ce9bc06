import Domain
import Foundation
import PQ

/// The council's calendar: each academic year's term dates and the closure days. Everyone signed in reads it (cut-offs
/// and deadlines are counted on it); officers change it, each change audited.
public struct CalendarStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock = .system) {
        self.database = database
        self.clock = clock
    }

    public func today() -> CalendarDate { CalendarDate.today(at: clock.now()) }

    public func authorize(_ actor: Actor) throws(DomainError) {
        try Policy.require(actor, .configureCouncil, on: .council)
    }

    /// The year's term dates, or nil when no officer has set them yet.
    public func termDates(_ actor: Actor, year: AcademicYear) async throws -> TermDates? {
        try await database.transaction(actingAs: actor.userID) { tx in try await Self.termDates(year: year, in: tx) }
    }

    /// What to offer an officer for a year with no dates: the previous year's dates moved on a year, if it has any.
    public func proposal(_ actor: Actor, year: AcademicYear) async throws -> TermDates? {
        guard let previous = try await termDates(actor, year: year.previous) else { return nil }
        return try? previous.proposedNext()
    }

    /// The academic years that have term dates, newest first.
    public func yearsWithTermDates(_ actor: Actor) async throws -> [AcademicYear] {
        try await database.transaction(actingAs: actor.userID) { tx in
            try await tx.query("SELECT DISTINCT academic_year FROM term_dates ORDER BY academic_year DESC LIMIT 100")
                .decode((Int).self).map(AcademicYear.init)
        }
    }

    /// Sets (or replaces) a year's term dates; one audit event with the dates before and after.
    public func setTermDates(_ actor: Actor, _ dates: TermDates, request: RequestInfo) async throws {
        try authorize(actor)
        try await database.transaction(actingAs: actor.userID) { tx in
            let before = try await Self.termDates(year: dates.year, in: tx, locking: true)
            guard before != dates else { return }
            for term in Term.allCases {
                let span = dates[term]
                try await tx.execute(
                    """
                    INSERT INTO term_dates (academic_year, term, starts_on, ends_on) VALUES (\(dates.year.startYear), \(term.rawValue), \(span.startsOn), \(span.endsOn))
                    ON CONFLICT (academic_year, term) DO UPDATE SET starts_on = EXCLUDED.starts_on, ends_on = EXCLUDED.ends_on, updated_at = now()
                    """
                )
            }
            try await AuditLog.append(
                .init(actor: actor.userID, action: before == nil ? "term_dates.set" : "term_dates.changed", entityType: "term_dates",
                      entityID: String(dates.year.startYear), before: before.map(Self.audited), after: Self.audited(dates)),
                request: request, in: tx
            )
        }
    }

    /// Closure days of one academic year, in date order (a year has a handful, so the list is whole).
    public func closureDays(_ actor: Actor, year: AcademicYear) async throws -> [ClosureDay] {
        try await database.transaction(actingAs: actor.userID) { tx in
            try await tx.query(
                "SELECT day, reason FROM closure_days WHERE day BETWEEN \(year.firstDay) AND \(year.lastDay) ORDER BY day LIMIT 366"
            ).decode((CalendarDate, String).self).map { ClosureDay(day: $0.0, reason: $0.1) }
        }
    }

    /// Adds a closure day. - Throws: `validation` for a weekend, a bank holiday or a missing reason; `conflict` if the
    /// day is already a closure day.
    public func addClosureDay(_ actor: Actor, _ day: ClosureDay, request: RequestInfo) async throws {
        try authorize(actor)
        var issues: [DomainError.FieldIssue] = []
        let reason = day.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if day.day.isWeekend || BankHolidays.isBankHoliday(day.day) {
            issues.append(.init(pointer: "/day", detail: "\(day.day) is a weekend or bank holiday already: choose a school day."))
        }
        if reason.isEmpty || reason.count > 200 {
            issues.append(.init(pointer: "/reason", detail: "Enter why schools are closed, in at most 200 characters."))
        }
        guard issues.isEmpty else { throw DomainError.validation(issues) }
        try await database.transaction(actingAs: actor.userID) { tx in
            let added = try await tx.first(
                "INSERT INTO closure_days (day, reason) VALUES (\(day.day), \(reason)) ON CONFLICT (day) DO NOTHING RETURNING day"
            )
            guard added != nil else { throw DomainError.conflict("\(day.day) is already a closure day.") }
            try await AuditLog.append(
                .init(actor: actor.userID, action: "closure_day.added", entityType: "closure_day", entityID: day.day.iso,
                      after: ["day": day.day.iso, "reason": reason]),
                request: request, in: tx
            )
        }
    }

    public func removeClosureDay(_ actor: Actor, day: CalendarDate, request: RequestInfo) async throws {
        try authorize(actor)
        try await database.transaction(actingAs: actor.userID) { tx in
            guard let reason = try await tx.first("DELETE FROM closure_days WHERE day = \(day) RETURNING reason")?.decode(String.self, at: 0) else {
                throw DomainError.notFound("\(day) is not a closure day.")
            }
            try await AuditLog.append(
                .init(actor: actor.userID, action: "closure_day.removed", entityType: "closure_day", entityID: day.iso,
                      before: ["day": day.iso, "reason": reason]),
                request: request, in: tx
            )
        }
    }

    /// Working-day arithmetic with the council's closure days, for deadlines counted in working days.
    public func workingDays(_ actor: Actor) async throws -> WorkingDays {
        try await database.transaction(actingAs: actor.userID) { tx in
            let days = try await tx.query("SELECT day FROM closure_days ORDER BY day LIMIT 5000").decode((CalendarDate).self)
            return WorkingDays(closures: Set(days))
        }
    }

    static func termDates(year: AcademicYear, in tx: Transaction, locking: Bool = false) async throws -> TermDates? {
        let lock: SQL = locking ? "FOR UPDATE" : ""
        let rows = try await tx.query(
            "SELECT term, starts_on, ends_on FROM term_dates WHERE academic_year = \(year.startYear) \(lock)"
        ).decode((String, CalendarDate, CalendarDate).self)
        var spans: [Term: DateSpan] = [:]
        for (term, startsOn, endsOn) in rows {
            if let term = Term(rawValue: term) { spans[term] = DateSpan(startsOn: startsOn, endsOn: endsOn) }
        }
        guard let autumn = spans[.autumn], let spring = spans[.spring], let summer = spans[.summer] else { return nil }
        return try TermDates(year: year, autumn: autumn, spring: spring, summer: summer)
    }

    static func audited(_ dates: TermDates) -> [String: String] {
        var fields: [String: String] = [:]
        for term in Term.allCases {
            fields["\(term.rawValue)StartsOn"] = dates[term].startsOn.iso
            fields["\(term.rawValue)EndsOn"] = dates[term].endsOn.iso
        }
        return fields
    }
}
