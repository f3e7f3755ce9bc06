import Domain
import Foundation
import Testing

@Suite("England and Wales bank holidays")
struct BankHolidaysTests {
    @Test("Easter Sunday by the anonymous Gregorian algorithm matches known dates", arguments: [
        "1943-04-25", "1961-04-02", "2000-04-23", "2008-03-23", "2011-04-24", "2019-04-21", "2024-03-31", "2025-04-20",
        "2026-04-05", "2027-03-28", "2028-04-16", "2029-04-01", "2030-04-21", "2031-04-13", "2032-03-28", "2038-04-25",
        "2285-03-22",
    ])
    func easter(iso: String) {
        #expect(BankHolidays.easterSunday(in: day(iso).year) == day(iso))
    }

    @Test("the published table holds the eight holidays of every year from 2024 to 2032, as the rules give them")
    func tableMatchesRules() {
        for year in BankHolidays.publishedYears {
            let published = BankHolidays.englandAndWales(in: year)
            #expect(published.count == 8)
            #expect(published == BankHolidays.regular(in: year), "\(year)")
            #expect(published.allSatisfy { !$0.date.isWeekend && $0.date.year == year })
        }
    }

    @Test("2026's holidays are the published dates, Boxing Day on a Saturday moved to Monday 28 December")
    func dates2026() {
        #expect(BankHolidays.englandAndWales(in: 2026).map(\.date.iso) == [
            "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28",
        ])
    }

    @Test("Christmas on a Saturday gives Monday 27 and Tuesday 28 December, in 2027 and in 2032", arguments: [2027, 2032])
    func christmasSubstitutes(year: Int) {
        let holidays = BankHolidays.englandAndWales(in: year)
        #expect(holidays.first { $0.occasion == .christmas }?.date == CalendarDate(year: year, month: 12, day: 27))
        #expect(holidays.first { $0.occasion == .boxingDay }?.date == CalendarDate(year: year, month: 12, day: 28))
        #expect(!BankHolidays.isBankHoliday(day("\(year)-12-24")))
        #expect(!BankHolidays.isBankHoliday(day("\(year)-12-29")))
    }

    @Test("Christmas on a Sunday gives Boxing Day on Monday and the Christmas substitute on Tuesday")
    func christmasOnSunday() {
        // 2033 lies beyond the table, so the rules answer.
        let holidays = BankHolidays.englandAndWales(in: 2033)
        #expect(holidays.first { $0.occasion == .boxingDay }?.date == day("2033-12-26"))
        #expect(holidays.first { $0.occasion == .christmas }?.date == day("2033-12-27"))
        #expect(holidays.first { $0.occasion == .goodFriday }?.date == day("2033-04-15"))
    }

    @Test("New Year's Day on a Saturday is taken on Monday 3 January 2028")
    func newYearSubstitute() {
        #expect(BankHolidays.isBankHoliday(day("2028-01-03")))
        #expect(!BankHolidays.isBankHoliday(day("2028-01-01")))
        #expect(!BankHolidays.isBankHoliday(day("2028-01-04")))
    }
}

@Suite("working days")
struct WorkingDaysTests {
    let days = WorkingDays()

    @Test("the count is of the days after the first date up to and including the last")
    func countConvention() {
        #expect(days.count(after: day("2026-09-14"), through: day("2026-09-14")) == 0)   // a day to itself
        #expect(days.count(after: day("2026-09-14"), through: day("2026-09-15")) == 1)   // Monday to Tuesday
        #expect(days.count(after: day("2026-09-18"), through: day("2026-09-21")) == 1)   // Friday to Monday
        #expect(days.count(after: day("2026-09-19"), through: day("2026-09-20")) == 0)   // Saturday to Sunday
        #expect(days.count(after: day("2026-09-14"), through: day("2026-09-28")) == 10)  // two weeks
        #expect(days.count(after: day("2026-09-15"), through: day("2026-09-14")) == 0)   // backwards
    }

    @Test("a decision notice due 7 working days after a Tuesday meeting is due on the Thursday of the next week")
    func sevenWorkingDays() {
        #expect(days.adding(workingDays: 7, to: day("2026-09-15")) == day("2026-09-24"))
        #expect(days.count(after: day("2026-09-15"), through: day("2026-09-24")) == 7)
        #expect(days.count(after: day("2026-09-15"), through: day("2026-09-25")) == 8)
    }

    @Test("a bank holiday Monday is not a working day, at the edge of the academic year")
    func bankHolidayMonday() {
        #expect(!days.isWorkingDay(day("2026-08-31")))
        #expect(days.isWorkingDay(day("2026-09-01")))
        #expect(days.count(after: day("2026-08-28"), through: day("2026-09-01")) == 1)
        #expect(days.adding(workingDays: 1, to: day("2026-08-28")) == day("2026-09-01"))
        #expect(days.adding(workingDays: -1, to: day("2026-09-01")) == day("2026-08-28"))
    }

    @Test("Easter 2027 takes Good Friday and Easter Monday out, across the end of March")
    func easter2027() {
        #expect(days.adding(workingDays: 7, to: day("2027-03-25")) == day("2027-04-07"))
        #expect(days.count(after: day("2027-03-25"), through: day("2027-03-31")) == 2)
    }

    @Test("the Christmas substitutes of 2027 and 2032 are skipped", arguments: [2027, 2032])
    func christmasWorkingDays(year: Int) {
        #expect(days.adding(workingDays: 1, to: day("\(year)-12-24")) == day("\(year)-12-29"))
        #expect(days.count(after: day("\(year)-12-24"), through: day("\(year)-12-28")) == 0)
    }

    @Test("the council's closure days are not working days")
    func closures() {
        let council = WorkingDays(closures: [day("2026-12-29"), day("2026-12-30"), day("2026-12-31")])
        #expect(days.adding(workingDays: 1, to: day("2026-12-24")) == day("2026-12-29"))
        #expect(council.adding(workingDays: 1, to: day("2026-12-24")) == day("2027-01-04"))
        #expect(council.count(after: day("2026-12-24"), through: day("2027-01-04")) == 1)
        #expect(!council.isWorkingDay(day("2026-12-30")) && days.isWorkingDay(day("2026-12-30")))
    }

    @Test("counting crosses 29 February in a leap year")
    func leapYear() {
        #expect(days.count(after: day("2028-02-28"), through: day("2028-03-01")) == 2)
        #expect(days.adding(workingDays: 1, to: day("2028-02-28")) == day("2028-02-29"))
        #expect(days.count(after: day("2027-02-26"), through: day("2027-03-01")) == 1)
    }

    @Test("adding zero working days gives the date itself, even on a weekend")
    func addingZero() {
        #expect(days.adding(workingDays: 0, to: day("2026-09-19")) == day("2026-09-19"))
    }

    @Test("adding n working days and counting back to it give n again, for every start date 2024 to 2033")
    func roundTrip() {
        let closures = WorkingDays(closures: [day("2026-12-29"), day("2030-07-01")])
        var start = day("2024-01-01")
        while start < day("2033-12-31") {
            for n in [0, 1, 7, 20] {
                let end = closures.adding(workingDays: n, to: start)
                #expect(closures.count(after: start, through: end) == n)
                #expect(n == 0 || closures.isWorkingDay(end))
                let back = closures.adding(workingDays: -n, to: start)
                #expect(closures.count(after: back, through: start) == (closures.isWorkingDay(start) || n == 0 ? n : n - 1))
            }
            start = start.adding(days: 5)
        }
    }
}
