import Foundation

/// A date a person typed, read and checked for plausibility: a real calendar date inside the span the field allows.
/// Every typed date goes through here, so a role cannot start in the year 238 or 5537.
///
/// ```swift
/// let startsOn = try DateEntry.read(" 2026-09-01 ", field: "/startsOn", label: "start date", within: .roleDates, today: today)
/// ```
public enum DateEntry {
    /// How far from today a field's dates may lie.
    public struct Span: Sendable, Equatable {
        /// The earliest year accepted (from its 1 January).
        public var earliestYear: Int
        /// How many whole years after today the latest accepted date lies.
        public var yearsAhead: Int

        public init(earliestYear: Int, yearsAhead: Int) {
            self.earliestYear = earliestYear
            self.yearsAhead = yearsAhead
        }

        /// Roles: not before 2000, not more than ten years ahead.
        public static let roleDates = Span(earliestYear: 2000, yearsAhead: 10)

        public var earliest: CalendarDate { CalendarDate(firstOfJanuary: earliestYear) }

        /// The latest date accepted when it is `today` (29 February ahead falls back to the 28th).
        public func latest(today: CalendarDate) -> CalendarDate {
            CalendarDate(year: today.year + yearsAhead, month: today.month, day: today.day)
                ?? CalendarDate(year: today.year + yearsAhead, month: today.month, day: 28) ?? today
        }
    }

    /// Reads `text` as `YYYY-MM-DD` (spaces around it ignored).
    /// - Throws: `DomainError.validation` naming `field`, saying what to type.
    public static func read(_ text: String?, field: String, label: String, within span: Span, today: CalendarDate) throws(DomainError) -> CalendarDate {
        switch check(text, field: field, label: label, within: span, today: today) {
        case .success(let date): return date
        case .failure(let issue): throw .validation([issue])
        }
    }

    /// As `read`, but hands back the problem instead of throwing, for forms that collect every problem at once.
    public static func check(
        _ text: String?, field: String, label: String, within span: Span, today: CalendarDate
    ) -> Result<CalendarDate, DomainError.FieldIssue> {
        guard let date = CalendarDate(iso: (text ?? "").trimmingCharacters(in: .whitespaces)) else {
            return .failure(.init(pointer: field, detail: "Enter a real \(label), like \(today.iso)."))
        }
        let latest = span.latest(today: today)
        guard date >= span.earliest, date <= latest else {
            return .failure(.init(pointer: field, detail: "The \(label) must be between \(span.earliest.iso) and \(latest.iso)."))
        }
        return .success(date)
    }
}
