import Foundation

/// England and Wales bank holidays: published dates for 2024-2032 kept as data, and the regular rules for other years.
///
/// ```swift
/// BankHolidays.englandAndWales(in: 2027).map(\.date)   // ..., 2027-12-27 and 2027-12-28 (Christmas falls on a Saturday)
/// BankHolidays.isBankHoliday(CalendarDate(year: 2026, month: 8, day: 31)!)   // true: the summer bank holiday
/// ```
public enum BankHolidays {
    /// Which holiday a date is; a one-off (a coronation, a state funeral) is `.special`.
    public enum Occasion: String, Sendable, CaseIterable {
        case newYear, goodFriday, easterMonday, earlyMay, spring, summer, christmas, boxingDay, special
    }

    /// One bank holiday: the day it is taken, substitute days included.
    public struct Holiday: Hashable, Sendable {
        public let occasion: Occasion
        public let date: CalendarDate
    }

    /// The years whose dates come from `published` rather than the rules.
    public static let publishedYears = 2024...2032

    /// The dates as GOV.UK publishes them, substitute days applied. No one-off holiday has been announced after 2023
    /// (the last were the Queen's funeral in 2022 and the coronation in 2023); add one here with `.special` when it is.
    static let published: [Int: [(Occasion, Int, Int)]] = [
        2024: [(.newYear, 1, 1), (.goodFriday, 3, 29), (.easterMonday, 4, 1), (.earlyMay, 5, 6), (.spring, 5, 27), (.summer, 8, 26),
               (.christmas, 12, 25), (.boxingDay, 12, 26)],
        2025: [(.newYear, 1, 1), (.goodFriday, 4, 18), (.easterMonday, 4, 21), (.earlyMay, 5, 5), (.spring, 5, 26), (.summer, 8, 25),
               (.christmas, 12, 25), (.boxingDay, 12, 26)],
        2026: [(.newYear, 1, 1), (.goodFriday, 4, 3), (.easterMonday, 4, 6), (.earlyMay, 5, 4), (.spring, 5, 25), (.summer, 8, 31),
               (.christmas, 12, 25), (.boxingDay, 12, 28)],
        2027: [(.newYear, 1, 1), (.goodFriday, 3, 26), (.easterMonday, 3, 29), (.earlyMay, 5, 3), (.spring, 5, 31), (.summer, 8, 30),
               (.christmas, 12, 27), (.boxingDay, 12, 28)],
        2028: [(.newYear, 1, 3), (.goodFriday, 4, 14), (.easterMonday, 4, 17), (.earlyMay, 5, 1), (.spring, 5, 29), (.summer, 8, 28),
               (.christmas, 12, 25), (.boxingDay, 12, 26)],
        2029: [(.newYear, 1, 1), (.goodFriday, 3, 30), (.easterMonday, 4, 2), (.earlyMay, 5, 7), (.spring, 5, 28), (.summer, 8, 27),
               (.christmas, 12, 25), (.boxingDay, 12, 26)],
        2030: [(.newYear, 1, 1), (.goodFriday, 4, 19), (.easterMonday, 4, 22), (.earlyMay, 5, 6), (.spring, 5, 27), (.summer, 8, 26),
               (.christmas, 12, 25), (.boxingDay, 12, 26)],
        2031: [(.newYear, 1, 1), (.goodFriday, 4, 11), (.easterMonday, 4, 14), (.earlyMay, 5, 5), (.spring, 5, 26), (.summer, 8, 25),
               (.christmas, 12, 25), (.boxingDay, 12, 26)],
        2032: [(.newYear, 1, 1), (.goodFriday, 3, 26), (.easterMonday, 3, 29), (.earlyMay, 5, 3), (.spring, 5, 31), (.summer, 8, 30),
               (.christmas, 12, 27), (.boxingDay, 12, 28)],
    ]

    /// The bank holidays of `year` in date order: the published table inside `publishedYears`, the regular rules outside
    /// it (which cannot know a one-off holiday not yet announced).
    public static func englandAndWales(in year: Int) -> [Holiday] {
        guard let rows = published[year] else { return regular(in: year) }
        return rows.compactMap { occasion, month, day in
            CalendarDate(year: year, month: month, day: day).map { Holiday(occasion: occasion, date: $0) }
        }
    }

    public static func isBankHoliday(_ date: CalendarDate) -> Bool {
        englandAndWales(in: date.year).contains { $0.date == date }
    }

    /// The holidays the rules give for `year`: New Year's Day, Good Friday, Easter Monday, the first and last Mondays of
    /// May, the last Monday of August, Christmas Day and Boxing Day. A holiday on a Saturday or Sunday is taken on the
    /// next weekday that is not already a holiday (so Christmas on a Saturday gives Monday 27 and Tuesday 28 December,
    /// and on a Sunday, Boxing Day on Monday 26 and the Christmas substitute on Tuesday 27).
    public static func regular(in year: Int) -> [Holiday] {
        guard (1...9999).contains(year), let newYear = CalendarDate(year: year, month: 1, day: 1),
            let mayFirst = CalendarDate(year: year, month: 5, day: 1), let mayLast = CalendarDate(year: year, month: 5, day: 31),
            let augustLast = CalendarDate(year: year, month: 8, day: 31), let christmas = CalendarDate(year: year, month: 12, day: 25)
        else { return [] }
        let easter = easterSunday(in: year)
        var holidays = [
            Holiday(occasion: .newYear, date: nextWeekday(from: newYear, avoiding: [])),
            Holiday(occasion: .goodFriday, date: easter.adding(days: -2)),
            Holiday(occasion: .easterMonday, date: easter.adding(days: 1)),
            Holiday(occasion: .earlyMay, date: nextWeekday(.monday, onOrAfter: mayFirst)),
            Holiday(occasion: .spring, date: nextWeekday(.monday, onOrAfter: mayLast.adding(days: -6))),
            Holiday(occasion: .summer, date: nextWeekday(.monday, onOrAfter: augustLast.adding(days: -6))),
        ]
        // A holiday on a weekday keeps its day; only the weekend ones move, so with Christmas on a Sunday, Boxing Day
        // stays on Monday 26 and Christmas is taken on Tuesday 27 (as GOV.UK lists it).
        let boxing = christmas.adding(days: 1)
        var taken = Set([christmas, boxing].filter { !$0.isWeekend })
        let christmasDay = nextWeekday(from: christmas, avoiding: christmas.isWeekend ? taken : [])
        taken.insert(christmasDay)
        let boxingDay = nextWeekday(from: boxing, avoiding: boxing.isWeekend ? taken : [])
        holidays.append(Holiday(occasion: .christmas, date: christmasDay))
        holidays.append(Holiday(occasion: .boxingDay, date: boxingDay))
        return holidays.sorted { $0.date < $1.date }
    }

    /// Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    public static func easterSunday(in year: Int) -> CalendarDate {
        let a = year % 19, b = year / 100, c = year % 100
        let d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return CalendarDate(year: year, month: month, day: day) ?? CalendarDate(firstOfJanuary: year)
    }

    private static func nextWeekday(_ weekday: Weekday, onOrAfter date: CalendarDate) -> CalendarDate {
        date.adding(days: (weekday.rawValue - date.weekday.rawValue + 7) % 7)
    }

    private static func nextWeekday(from date: CalendarDate, avoiding taken: Set<CalendarDate>) -> CalendarDate {
        var day = date
        while day.isWeekend || taken.contains(day) { day = day.adding(days: 1) }
        return day
    }
}
