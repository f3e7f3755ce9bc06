import Domain
import Foundation
import Testing

@Suite("the meeting schedule")
struct MeetingsTests {
    /// 2026/27 as the demo council has it: autumn Thu 3 Sep to Fri 18 Dec, spring Tue 5 Jan to Fri 26 Mar (Good
    /// Friday), summer Tue 13 Apr to Wed 21 Jul.
    static func terms() throws -> TermDates {
        try TermDates(year: AcademicYear(2026),
                      autumn: DateSpan(startsOn: day("2026-09-03"), endsOn: day("2026-12-18")),
                      spring: DateSpan(startsOn: day("2027-01-05"), endsOn: day("2027-03-26")),
                      summer: DateSpan(startsOn: day("2027-04-13"), endsOn: day("2027-07-21")))
    }

    static func pattern(_ planning: Int, _ allocation: Int, _ weekday: Weekday) throws -> SchedulePattern {
        try SchedulePattern(planningWeek: planning, allocationWeek: allocation, weekday: weekday, startsAt: #require(TimeOfDay(hour: 15, minute: 30)))
    }

    static func dates(_ slots: [SchedulePattern.Slot]) -> [String] { slots.map(\.date.iso) }

    @Test("planning in week 3 and allocation in week 5, Tuesdays: week 1 is the week holding the term's first day")
    func weeks() throws {
        let slots = try Self.pattern(3, 5, .tuesday).slots(for: Self.terms(), workingDays: WorkingDays())
        #expect(Self.dates(slots) == ["2026-09-15", "2026-09-29", "2027-01-19", "2027-02-02", "2027-04-27", "2027-05-11"])
        #expect(slots.map(\.kind) == [.planning, .allocation, .planning, .allocation, .planning, .allocation])
        #expect(slots.map(\.term) == [.autumn, .autumn, .spring, .spring, .summer, .summer])
    }

    @Test("a meeting that would fall on a bank holiday moves to the next working day: Monday 3 May 2027 to Tuesday 4 May")
    func bankHoliday() throws {
        let slots = try Self.pattern(4, 6, .monday).slots(for: Self.terms(), workingDays: WorkingDays())
        #expect(slots[4].date.iso == "2027-05-04")
        #expect(slots[5].date.iso == "2027-05-17")
        let holidays = Set(BankHolidays.englandAndWales(in: 2026).map(\.date) + BankHolidays.englandAndWales(in: 2027).map(\.date))
        #expect(slots.allSatisfy { !holidays.contains($0.date) && !$0.date.isWeekend })
    }

    @Test("a council closure day moves the meeting to the next working day")
    func closureDay() throws {
        let slots = try Self.pattern(3, 5, .tuesday).slots(for: Self.terms(), workingDays: WorkingDays(closures: [day("2026-09-15")]))
        #expect(slots[0].date.iso == "2026-09-16")
    }

    @Test("week 1 before the term starts gives the term's first working day (Monday 31 August 2026 is also a bank holiday)")
    func beforeTermStarts() throws {
        let slots = try Self.pattern(1, 2, .monday).slots(for: Self.terms(), workingDays: WorkingDays())
        #expect(slots[0].date.iso == "2026-09-03")
        #expect(slots[1].date.iso == "2026-09-07")
    }

    @Test("weeks past the term's end give its last working days, planning the day before allocation, around Good Friday")
    func pastTermEnd() throws {
        let slots = try Self.pattern(13, 14, .friday).slots(for: Self.terms(), workingDays: WorkingDays())
        #expect(Self.dates(slots) == ["2026-11-27", "2026-12-04", "2027-03-24", "2027-03-25", "2027-07-09", "2027-07-16"])
        for term in Term.allCases {
            let span = try Self.terms()[term]
            #expect(slots.filter { $0.term == term }.allSatisfy { span.contains($0.date) })
        }
    }

    @Test("a pattern is refused with every reason: weeks outside 1-14, allocation not after planning, a weekend day")
    func patternRefused() throws {
        let time = try #require(TimeOfDay(hour: 9, minute: 0))
        #expect(throws: DomainError.validation([
            .init(pointer: "/planningWeek", detail: "Enter the planning meeting's week of term, from 1 to 14."),
            .init(pointer: "/allocationWeek", detail: "Enter the allocation meeting's week of term, from 1 to 14."),
            .init(pointer: "/weekday", detail: "Choose a weekday from Monday to Friday."),
        ])) { try SchedulePattern(planningWeek: 0, allocationWeek: 15, weekday: .saturday, startsAt: time) }
        #expect(throws: DomainError.validation([
            .init(pointer: "/allocationWeek", detail: "The allocation meeting must come in a later week than the planning meeting."),
        ])) { try SchedulePattern(planningWeek: 5, allocationWeek: 5, weekday: .tuesday, startsAt: time) }
    }

    @Test("a time of day reads hours and minutes, and PostgreSQL's seconds when they are zero", arguments: [
        ("15:30", "15:30"), ("9:05", "09:05"), (" 08:00 ", "08:00"), ("15:30:00", "15:30"), ("00:00", "00:00"), ("23:59", "23:59"),
    ])
    func timeRead(text: String, expected: String) {
        #expect(TimeOfDay(text: text)?.description == expected)
    }

    @Test("a time of day refuses what is not one", arguments: ["24:00", "15:60", "15:30:01", "15", "abc", "", "1530", "15:3a", "-1:30", "١٥:٣٠"])
    func timeRefused(text: String) {
        #expect(TimeOfDay(text: text) == nil)
    }

    static func change(_ date: String, place: String = "Civic Centre", link: String? = nil, cutOff: String? = nil) -> MeetingChange {
        MeetingChange(meetsOn: day(date), startsAt: TimeOfDay.midnight, place: place, onlineLink: link, cutOffOverride: cutOff.map(day))
    }

    @Test("a changed meeting must stay in its term on a working day, with a place or an https link, its cut-off before it")
    func changeChecked() throws {
        let span = try Self.terms()[.summer]
        let days = WorkingDays(closures: [day("2027-05-05")])
        #expect(try Self.change("2027-05-06", place: "  Civic Centre  ").checked(term: .summer, span: span, workingDays: days).place == "Civic Centre")
        let online = try Self.change("2027-05-06", place: "", link: "https://meet.example.test/abc").checked(term: .summer, span: span, workingDays: days)
        #expect(online.onlineLink == "https://meet.example.test/abc")
        func pointers(_ change: MeetingChange) -> [String] {
            do {
                _ = try change.checked(term: .summer, span: span, workingDays: days)
                return []
            } catch {
                if case .validation(let issues) = error { return issues.map(\.pointer) }
                return ["not a validation error"]
            }
        }
        #expect(pointers(Self.change("2027-03-30")) == ["/meetsOn"], "outside the term")
        #expect(pointers(Self.change("2027-05-03")) == ["/meetsOn"], "a bank holiday")
        #expect(pointers(Self.change("2027-05-05")) == ["/meetsOn"], "a closure day")
        #expect(pointers(Self.change("2027-05-08")) == ["/meetsOn"], "a Saturday")
        #expect(pointers(Self.change("2027-05-06", place: "", link: nil)) == ["/place"])
        #expect(pointers(Self.change("2027-05-06", link: "http://meet.example.test/abc")) == ["/onlineLink"])
        #expect(pointers(Self.change("2027-05-06", link: "https://")) == ["/onlineLink"])
        #expect(pointers(Self.change("2027-05-06", place: String(repeating: "x", count: 301))) == ["/place"])
        #expect(pointers(Self.change("2027-05-06", cutOff: "2027-05-07")) == ["/cutOffOn"], "a cut-off after the meeting")
        #expect(pointers(Self.change("2027-05-06", cutOff: "2027-03-01")) == ["/cutOffOn"], "a cut-off more than 60 days before")
        #expect(pointers(Self.change("2027-05-08", place: "", link: "ftp://x", cutOff: "2027-06-01")) == ["/meetsOn", "/onlineLink", "/cutOffOn"])
    }

    @Test("a meeting's cut-off is the officer's date when set, else the council's rule")
    func cutOff() {
        #expect(Self.change("2027-05-06").cutOff(under: .daysBefore(7)).iso == "2027-04-29")
        #expect(Self.change("2027-05-06").cutOff(under: .weekdayOfWeekBefore(.wednesday)).iso == "2027-04-28")
        #expect(Self.change("2027-05-06", cutOff: "2027-05-01").cutOff(under: .daysBefore(7)).iso == "2027-05-01")
    }

    @Test("a changed meeting keeps its published cut-off unless it moves, its officer's date is cleared, or a date is set")
    func cutOffAfterChange() {
        let published = day("2027-04-30")
        let rule = SubmissionCutOff.daysBefore(14)
        #expect(Self.change("2027-05-06").cutOff(movedFrom: day("2027-05-06"), publishedCutOff: published, wasOverridden: false, under: rule) == published)
        #expect(Self.change("2027-05-07").cutOff(movedFrom: day("2027-05-06"), publishedCutOff: published, wasOverridden: false, under: rule).iso == "2027-04-23")
        #expect(Self.change("2027-05-06").cutOff(movedFrom: day("2027-05-06"), publishedCutOff: published, wasOverridden: true, under: rule).iso == "2027-04-22")
        #expect(Self.change("2027-05-06", cutOff: "2027-05-03").cutOff(movedFrom: day("2027-05-06"), publishedCutOff: published, wasOverridden: false, under: rule).iso == "2027-05-03")
    }
}
