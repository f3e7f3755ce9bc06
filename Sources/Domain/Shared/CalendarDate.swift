import Foundation

/// A calendar date with no time of day, as the council's year is counted: in Europe/London.
///
/// ```swift
/// let start = CalendarDate(year: 2026, month: 9, day: 1)
/// CalendarDate(iso: "2027-03-31")
/// CalendarDate.today(at: Date())      // the date in London now
/// ```
public struct CalendarDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A valid date; nil for 31 February and the like.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
            day <= Self.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// 1 January of `year` (clamped to 1...9999).
    public init(firstOfJanuary year: Int) {
        self.init(unchecked: min(max(year, 1), 9999), 1, 1)
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Reads a date as people in England type it, `15/10/2018` (day, month, year; dots or spaces also separate), or
    /// as `2018-10-15`. A two-digit year is refused: it could be either century.
    public init?(typed text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        if let iso = CalendarDate(iso: text) {
            self = iso
            return
        }
        let parts = text.split(whereSeparator: { "/. ".contains($0) })
        guard parts.count == 3, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count), parts[2].count == 4,
            let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The council's time zone: every "today" and every deadline is counted in it.
    public static let councilTimeZone = TimeZone(identifier: "Europe/London") ?? .gmt

    /// The Gregorian calendar in London, made once: every request asks what day it is.
    private static let londonCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = councilTimeZone
        return calendar
    }()

    /// The date in London at the instant `now`.
    public static func today(at now: Date) -> CalendarDate {
        let parts = londonCalendar.dateComponents([.year, .month, .day], from: now)
        // A Gregorian calendar always yields a valid year, month and day for an instant.
        return CalendarDate(unchecked: parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }

    /// `YYYY-MM-DD`, written by hand: it is in every JSON answer and statement, and `String(format:)` is slow.
    public var iso: String {
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2)
    }

    public var description: String { iso }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CalendarDate(iso: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a date as YYYY-MM-DD")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }

    fileprivate init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    fileprivate static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// A day of the week, Monday first as English calendars print it.
public enum Weekday: Int, Sendable, CaseIterable, Comparable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }

    public var isWeekendDay: Bool { self >= .saturday }

    /// "Monday" ... "Sunday".
    public var name: String { String(describing: self).capitalized }
}

extension CalendarDate {
    /// The first and last dates a `CalendarDate` can hold; arithmetic stops at them.
    public static let earliest = CalendarDate(unchecked: 1, 1, 1)
    public static let latest = CalendarDate(unchecked: 9999, 12, 31)

    /// Days since 1 January 1970 (negative before it): the count that date arithmetic works on.
    public var dayNumber: Int {
        // Howard Hinnant's days_from_civil: years counted from 1 March, so the leap day ends a year.
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `dayNumber` days after 1 January 1970, clamped to `earliest...latest`.
    public init(dayNumber: Int) {
        let z = min(max(dayNumber, Self.earliest.dayNumber), Self.latest.dayNumber) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        self.init(unchecked: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The date `days` later (earlier when negative): `2027-02-28` adding 1 is `2027-03-01`.
    public func adding(days: Int) -> CalendarDate {
        CalendarDate(dayNumber: dayNumber + days)
    }

    /// How many days from this date to `other`: 1 from a date to the next, negative backwards.
    /// "Monday 18 January 2027", as letters and pages write a date.
    public var long: String {
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return "\(weekday.name) \(day) \(months[max(0, min(11, month - 1))]) \(year)"
    }

    public func days(until other: CalendarDate) -> Int {
        other.dayNumber - dayNumber
    }

    public var weekday: Weekday {
        // 1 January 1970 was a Thursday.
        Weekday(rawValue: ((dayNumber + 3) % 7 + 7) % 7 + 1) ?? .monday
    }

    public var isWeekend: Bool { weekday >= .saturday }

    /// The same day and month in `year`; 29 February becomes 28 February in a common year.
    public func moved(toYear year: Int) -> CalendarDate {
        let year = min(max(year, 1), 9999)
        return CalendarDate(unchecked: year, month, min(day, Self.daysIn(month: month, year: year)))
    }
}
