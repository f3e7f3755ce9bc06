import Domain
import Foundation
import Testing

@Suite("money and calendar dates")
struct MoneyAndDateTests {
    @Test("pence format as pounds with separators", arguments: [
        (Int64(0), "£0.00"), (5, "£0.05"), (600_000, "£6,000.00"), (123_456_789, "£1,234,567.89"), (-300, "-£3.00"),
    ])
    func formatting(pence: Int64, expected: String) {
        #expect(Pence(pence).formatted == expected)
    }

    @Test("pence add and subtract exactly")
    func arithmetic() {
        #expect(Pence(10) + Pence(20) - Pence(5) == Pence(25))
        #expect(Pence(1) < Pence(2))
    }

    @Test("only real calendar dates are accepted", arguments: [
        ("2026-02-29", false), ("2028-02-29", true), ("1900-02-29", false), ("2000-02-29", true),
        ("2026-04-31", false), ("2026-13-01", false), ("2026-1-01", false), ("2026-09-01", true), ("", false),
    ])
    func validation(text: String, valid: Bool) {
        #expect((CalendarDate(iso: text) != nil) == valid)
    }

    @Test("today is counted in London, not UTC")
    func todayInLondon() throws {
        // 23:30 UTC on 30 June 2026 is already 1 July in London (BST, UTC+1).
        let instant = try #require(ISO8601DateFormatter().date(from: "2026-06-30T23:30:00Z"))
        #expect(CalendarDate.today(at: instant).iso == "2026-07-01")
        // In winter London is on UTC.
        let winter = try #require(ISO8601DateFormatter().date(from: "2026-12-31T23:30:00Z"))
        #expect(CalendarDate.today(at: winter).iso == "2026-12-31")
    }

    @Test("dates and ids encode as the API writes them")
    func coding() throws {
        let date = try #require(CalendarDate(year: 2027, month: 3, day: 31))
        let json = String(decoding: try JSONEncoder().encode([date]), as: UTF8.self)
        #expect(json == #"["2027-03-31"]"#)
        #expect(try JSONDecoder().decode([CalendarDate].self, from: Data(json.utf8)) == [date])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CalendarDate].self, from: Data(#"["2027-02-30"]"#.utf8)) }
        struct School {}
        let id = ID<School>(UUID())
        #expect(ID<School>(id.description) == id)
        #expect(ID<School>("not-a-uuid") == nil)
    }
}
