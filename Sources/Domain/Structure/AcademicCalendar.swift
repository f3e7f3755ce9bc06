import Foundation

/// A year that starts on the first of a fixed month and runs twelve months, named by the calendar year it starts in:
/// the academic year (September) and the funding year (April) share these answers.
public protocol AnnualPeriod: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The month of its first day.
    static var firstMonth: Int { get }
    /// The calendar year of its first day.
    var startYear: Int { get }
    /// The period starting in `startYear` (clamped to 1...9998, so it ends on a real date).
    init(_ startYear: Int)
}

extension AnnualPeriod {
    /// The period a date belongs to (for an academic year, holidays between terms included).
    public static func holding(_ date: CalendarDate) -> Self {
        Self(date.month >= firstMonth ? date.year : date.year - 1)
    }

    public var firstDay: CalendarDate { CalendarDate(year: startYear, month: Self.firstMonth, day: 1) ?? .latest }  // clamped: never nil
    /// The day before the next period's first day.
    public var lastDay: CalendarDate { next.firstDay.adding(days: -1) }

    public func contains(_ date: CalendarDate) -> Bool { firstDay <= date && date <= lastDay }

    public var next: Self { Self(startYear + 1) }
    public var previous: Self { Self(startYear - 1) }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.startYear < rhs.startYear }
}

/// A school year, 1 September to 31 August, named by the year it starts: `AcademicYear(2026)` is 2026/27.
///
/// ```swift
/// AcademicYear.holding(CalendarDate(year: 2027, month: 8, day: 31)!)   // 2026/27
/// AcademicYear(2026).firstDay                                          // 2026-09-01
/// ```
public struct AcademicYear: AnnualPeriod {
    public static let firstMonth = 9
    public let startYear: Int

    public init(_ startYear: Int) {
        self.startYear = min(max(startYear, 1), 9998)
    }

    /// "2026/27".
    public var name: String { String(format: "%d/%02d", startYear, (startYear + 1) % 100) }
    public var description: String { name }
}

/// The three terms of a school year, in order.
public enum Term: String, Sendable, CaseIterable, Comparable {
    case autumn, spring, summer

    public static func < (lhs: Term, rhs: Term) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// A first and last day, both included.
public struct DateSpan: Hashable, Sendable {
    public let startsOn: CalendarDate
    public let endsOn: CalendarDate

    public init(startsOn: CalendarDate, endsOn: CalendarDate) {
        self.startsOn = startsOn
        self.endsOn = endsOn
    }

    public func contains(_ date: CalendarDate) -> Bool { startsOn <= date && date <= endsOn }
}

/// The term dates of one academic year, as an officer sets them. Always valid: each term starts before it ends, the
/// terms lie inside the year in order (autumn, spring, summer) and do not overlap. The days between terms are holidays.
///
/// ```swift
/// let dates = try TermDates(year: AcademicYear(2026), autumn: autumn, spring: spring, summer: summer)
/// dates.term(holding: someDate)      // nil in the Christmas holiday: the date is in 2026/27 but in no term
/// let proposal = try dates.proposedNext()
/// ```
public struct TermDates: Hashable, Sendable {
    public let year: AcademicYear
    public let autumn: DateSpan
    public let spring: DateSpan
    public let summer: DateSpan

    /// - Throws: `DomainError.validation` with one issue per wrong date, pointing at `/autumn/startsOn`,
    ///   `/spring/endsOn` and the like.
    public init(year: AcademicYear, autumn: DateSpan, spring: DateSpan, summer: DateSpan) throws(DomainError) {
        var issues: [DomainError.FieldIssue] = []
        let spans: [(Term, DateSpan)] = [(.autumn, autumn), (.spring, spring), (.summer, summer)]
        for (term, span) in spans {
            let name = term.rawValue.capitalized
            if !year.contains(span.startsOn) {
                issues.append(.init(pointer: "/\(term.rawValue)/startsOn",
                    detail: "\(name) term must start within \(year.name), between \(year.firstDay) and \(year.lastDay)."))
            }
            if !year.contains(span.endsOn) {
                issues.append(.init(pointer: "/\(term.rawValue)/endsOn",
                    detail: "\(name) term must end within \(year.name), between \(year.firstDay) and \(year.lastDay)."))
            }
            if span.startsOn >= span.endsOn {
                issues.append(.init(pointer: "/\(term.rawValue)/endsOn", detail: "\(name) term must end after it starts."))
            }
        }
        for ((earlier, first), (later, second)) in zip(spans, spans.dropFirst()) where second.startsOn <= first.endsOn {
            issues.append(.init(pointer: "/\(later.rawValue)/startsOn",
                detail: "\(later.rawValue.capitalized) term must start after \(earlier.rawValue) term ends (\(first.endsOn))."))
        }
        guard issues.isEmpty else { throw .validation(issues) }
        self.year = year
        self.autumn = autumn
        self.spring = spring
        self.summer = summer
    }

    public subscript(term: Term) -> DateSpan {
        switch term {
        case .autumn: autumn
        case .spring: spring
        case .summer: summer
        }
    }

    /// The term holding `date`; nil outside the year and in the holidays between terms (such a date still belongs to
    /// its academic year, which `AcademicYear.holding(_:)` answers).
    public func term(holding date: CalendarDate) -> Term? {
        Term.allCases.first { self[$0].contains(date) }
    }

    /// The next year's term dates as a starting point for the officer: every date moves to the same day and month a
    /// year later (29 February becomes 28 February); a first day that lands on a Saturday or Sunday moves on to the
    /// Monday, and a last day that lands on a weekend moves back to the Friday, so every term starts and ends on a
    /// weekday. The officer then edits them as usual.
    /// - Throws: `DomainError.validation` only if the shifted dates break a rule (terms of a few days, or a summer term
    ///   starting at the very end of August), for the officer to enter the dates by hand.
    public func proposedNext() throws(DomainError) -> TermDates {
        let nextYear = year.next
        func shifted(_ span: DateSpan) -> DateSpan {
            var startsOn = span.startsOn.moved(toYear: span.startsOn.year + 1)
            while startsOn.isWeekend { startsOn = startsOn.adding(days: 1) }
            var endsOn = span.endsOn.moved(toYear: span.endsOn.year + 1)
            while endsOn.isWeekend { endsOn = endsOn.adding(days: -1) }
            return DateSpan(startsOn: startsOn, endsOn: endsOn)
        }
        return try TermDates(year: nextYear, autumn: shifted(autumn), spring: shifted(spring), summer: shifted(summer))
    }
}

/// A funding (financial) year, 1 April to 31 March, named by the year it starts: `FundingYear(2026)` is 2026-27.
/// The high-needs block is set by funding year, so budgets hang off this, not the academic year.
///
/// ```swift
/// FundingYear.holding(CalendarDate(year: 2027, month: 3, day: 31)!)   // 2026-27
/// ```
public struct FundingYear: AnnualPeriod {
    public static let firstMonth = 4
    public let startYear: Int

    public init(_ startYear: Int) {
        self.startYear = min(max(startYear, 1), 9998)
    }

    /// "2026-27", as financial years are written.
    public var name: String { String(format: "%d-%02d", startYear, (startYear + 1) % 100) }
    public var description: String { name }

    /// The census a year's budget formula reads: the latest before 1 April, the January census of the same year.
    public var censusYear: Int { startYear }

    /// The academic year whose cluster memberships are in force on 1 April, the funding year's first day.
    public var membershipYear: AcademicYear { AcademicYear.holding(firstDay) }
}
