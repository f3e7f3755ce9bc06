import Domain
import Foundation
import Testing

/// A date from `YYYY-MM-DD`; tests only write real dates.
func day(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }

@Suite("calendar dates: weekdays and day arithmetic")
struct CalendarDateArithmeticTests {
    @Test("a date as people in England type it: day, month, year, or ISO; never a two-digit year or an impossible day")
    func typed() {
        #expect(CalendarDate(typed: "15/10/2018") == day("2018-10-15"))
        #expect(CalendarDate(typed: " 5.3.2019 ") == day("2019-03-05"))
        #expect(CalendarDate(typed: "2018-10-15") == day("2018-10-15"))
        #expect(CalendarDate(typed: "31/02/2018") == nil)
        #expect(CalendarDate(typed: "15/10/18") == nil)
        #expect(CalendarDate(typed: "10/15/2018") == nil, "month 15")
    }

    @Test("day numbers count from 1 January 1970 and round-trip for every day from 1999 to 2034")
    func dayNumbers() {
        #expect(day("1970-01-01").dayNumber == 0)
        #expect(day("1969-12-31").dayNumber == -1)
        #expect(day("2000-03-01").dayNumber == 11_017)
        var date = day("1999-01-01")
        var number = date.dayNumber
        while date < day("2034-12-31") {
            let next = date.adding(days: 1)
            #expect(next.dayNumber == number + 1)
            #expect(CalendarDate(dayNumber: next.dayNumber) == next)
            date = next
            number += 1
        }
    }

    @Test("adding days crosses month, year and leap-day boundaries")
    func adding() {
        #expect(day("2028-02-28").adding(days: 1) == day("2028-02-29"))
        #expect(day("2028-02-29").adding(days: 1) == day("2028-03-01"))
        #expect(day("2027-02-28").adding(days: 1) == day("2027-03-01"))
        #expect(day("2026-12-31").adding(days: 1) == day("2027-01-01"))
        #expect(day("2027-09-01").adding(days: -1) == day("2027-08-31"))
        #expect(day("2026-09-01").days(until: day("2027-09-01")) == 365)
        #expect(day("2027-09-01").days(until: day("2028-09-01")) == 366)
        #expect(day("9999-12-30").adding(days: 5) == .latest)
        #expect(day("0001-01-02").adding(days: -5) == .earliest)
    }

    @Test("weekdays match the printed calendar", arguments: [
        ("1970-01-01", Weekday.thursday), ("2026-09-01", .tuesday), ("2027-12-25", .saturday), ("2032-12-25", .saturday),
        ("2028-02-29", .tuesday), ("2026-12-27", .sunday), ("2000-01-03", .monday), ("1969-12-31", .wednesday),
    ])
    func weekdays(iso: String, weekday: Weekday) {
        #expect(day(iso).weekday == weekday)
        #expect(day(iso).isWeekend == (weekday == .saturday || weekday == .sunday))
    }

    @Test("moving to another year keeps day and month, and 29 February becomes 28 February")
    func movingYear() {
        #expect(day("2028-02-29").moved(toYear: 2029) == day("2029-02-28"))
        #expect(day("2027-02-28").moved(toYear: 2028) == day("2028-02-28"))
        #expect(day("2026-09-01").moved(toYear: 2027) == day("2027-09-01"))
    }
}
