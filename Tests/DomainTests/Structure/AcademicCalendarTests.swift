import Domain
import Foundation
import Testing

func span(_ startsOn: String, _ endsOn: String) -> DateSpan { DateSpan(startsOn: day(startsOn), endsOn: day(endsOn)) }

/// 2026/27 as a council might set it: autumn from a Wednesday, each term ending before the holiday.
func termDates2026() throws -> TermDates {
    try TermDates(year: AcademicYear(2026), autumn: span("2026-09-02", "2026-12-18"), spring: span("2027-01-04", "2027-03-26"),
        summer: span("2027-04-12", "2027-07-21"))
}

@Suite("academic and funding years")
struct SchoolAndFundingYearTests {
    @Test("an academic year runs from 1 September to 31 August and is named by the year it starts")
    func academicYearBounds() {
        let year = AcademicYear(2026)
        #expect(year.name == "2026/27")
        #expect(year.firstDay == day("2026-09-01"))
        #expect(year.lastDay == day("2027-08-31"))
        #expect(AcademicYear(2027).lastDay == day("2028-08-31"))
        #expect(AcademicYear(2099).name == "2099/00")
        #expect(year.next == AcademicYear(2027) && year.previous == AcademicYear(2025))
    }

    @Test("31 August belongs to the year ending and 1 September to the year starting", arguments: [
        ("2027-08-31", 2026), ("2027-09-01", 2027), ("2026-12-31", 2026), ("2027-01-01", 2026), ("2028-02-29", 2027),
        ("2026-08-31", 2025),
    ])
    func academicYearHolding(iso: String, startYear: Int) {
        #expect(AcademicYear.holding(day(iso)) == AcademicYear(startYear))
        #expect(AcademicYear(startYear).contains(day(iso)))
        #expect(!AcademicYear(startYear + 1).contains(day(iso)))
        #expect(!AcademicYear(startYear - 1).contains(day(iso)))
    }

    @Test("a funding year runs from 1 April to 31 March and is named by the year it starts")
    func fundingYearBounds() {
        let year = FundingYear(2026)
        #expect(year.name == "2026-27")
        #expect(year.firstDay == day("2026-04-01"))
        #expect(year.lastDay == day("2027-03-31"))
        #expect(FundingYear(2027).lastDay == day("2028-03-31"))
    }

    @Test("31 March belongs to the funding year ending and 1 April to the one starting", arguments: [
        ("2027-03-31", 2026), ("2027-04-01", 2027), ("2026-12-31", 2026), ("2027-01-01", 2026), ("2028-02-29", 2027),
    ])
    func fundingYearHolding(iso: String, startYear: Int) {
        #expect(FundingYear.holding(day(iso)) == FundingYear(startYear))
        #expect(FundingYear(startYear).contains(day(iso)))
        #expect(!FundingYear(startYear + 1).contains(day(iso)))
    }
}

@Suite("term dates")
struct TermDatesTests {
    @Test("a date is in the term whose first or last day it is, and in no term during a holiday", arguments: [
        ("2026-09-01", nil), ("2026-09-02", Term.autumn), ("2026-12-18", .autumn), ("2026-12-19", nil), ("2027-01-03", nil),
        ("2027-01-04", .spring), ("2027-03-26", .spring), ("2027-03-27", nil), ("2027-04-12", .summer), ("2027-07-21", .summer),
        ("2027-07-22", nil), ("2027-08-31", nil), ("2027-09-02", nil),
    ] as [(String, Term?)])
    func termHolding(iso: String, term: Term?) throws {
        #expect(try termDates2026().term(holding: day(iso)) == term)
    }

    @Test("a holiday date belongs to its academic year even though it is in no term")
    func holidayBelongsToYear() throws {
        let christmas = day("2026-12-25")
        #expect(try termDates2026().term(holding: christmas) == nil)
        #expect(AcademicYear.holding(christmas) == AcademicYear(2026))
    }

    @Test("terms may start on 1 September and end on 31 August, the edges of the year")
    func edgesOfYear() throws {
        let dates = try TermDates(year: AcademicYear(2027), autumn: span("2027-09-01", "2027-12-17"),
            spring: span("2028-01-04", "2028-02-29"), summer: span("2028-03-01", "2028-08-31"))
        #expect(dates[.spring].endsOn == day("2028-02-29"))
        #expect(dates.term(holding: day("2028-08-31")) == .summer)
        #expect(dates.term(holding: day("2028-09-01")) == nil)
    }

    @Test("a term outside its year is refused, naming the field")
    func outsideYear() throws {
        #expect(throws: DomainError.validation([
            .init(pointer: "/autumn/startsOn", detail: "Autumn term must start within 2026/27, between 2026-09-01 and 2027-08-31.")
        ])) {
            try TermDates(year: AcademicYear(2026), autumn: span("2026-08-31", "2026-12-18"), spring: span("2027-01-04", "2027-03-26"),
                summer: span("2027-04-12", "2027-07-21"))
        }
        #expect(throws: DomainError.validation([
            .init(pointer: "/summer/endsOn", detail: "Summer term must end within 2026/27, between 2026-09-01 and 2027-08-31.")
        ])) {
            try TermDates(year: AcademicYear(2026), autumn: span("2026-09-02", "2026-12-18"), spring: span("2027-01-04", "2027-03-26"),
                summer: span("2027-04-12", "2027-09-01"))
        }
    }

    @Test("a term must end after it starts: a one-day or reversed term is refused")
    func endAfterStart() throws {
        for spring in [span("2027-01-04", "2027-01-04"), span("2027-03-26", "2027-01-04")] {
            #expect(throws: DomainError.validation([.init(pointer: "/spring/endsOn", detail: "Spring term must end after it starts.")])) {
                try TermDates(year: AcademicYear(2026), autumn: span("2026-09-02", "2026-12-18"), spring: spring,
                    summer: span("2027-04-12", "2027-07-21"))
            }
        }
    }

    @Test("terms out of order or overlapping are refused, even by a single shared day")
    func overlapping() throws {
        #expect(throws: DomainError.validation([
            .init(pointer: "/spring/startsOn", detail: "Spring term must start after autumn term ends (2026-12-18).")
        ])) {
            try TermDates(year: AcademicYear(2026), autumn: span("2026-09-02", "2026-12-18"), spring: span("2026-12-18", "2027-03-26"),
                summer: span("2027-04-12", "2027-07-21"))
        }
        #expect(throws: DomainError.validation([
            .init(pointer: "/spring/startsOn", detail: "Spring term must start after autumn term ends (2027-04-01)."),
            .init(pointer: "/summer/startsOn", detail: "Summer term must start after spring term ends (2027-03-26)."),
        ])) {
            try TermDates(year: AcademicYear(2026), autumn: span("2027-01-04", "2027-04-01"), spring: span("2026-09-02", "2027-03-26"),
                summer: span("2026-10-01", "2027-07-21"))
        }
    }

    @Test("every problem is reported at once")
    func allIssuesAtOnce() throws {
        do {
            _ = try TermDates(year: AcademicYear(2026), autumn: span("2026-08-01", "2026-12-18"), spring: span("2026-12-10", "2026-12-09"),
                summer: span("2027-04-12", "2027-09-30"))
            Issue.record("expected a validation error")
        } catch {
            guard case .validation(let issues) = error else { Issue.record("expected validation, got \(error)"); return }
            #expect(issues.map(\.pointer) == ["/autumn/startsOn", "/spring/endsOn", "/summer/endsOn", "/spring/startsOn"])
        }
    }

    @Test("next year is proposed a year on, with weekend starts moved to Monday and weekend ends to Friday")
    func proposal() throws {
        let next = try termDates2026().proposedNext()
        #expect(next.year == AcademicYear(2027))
        #expect(next.autumn == span("2027-09-02", "2027-12-17"))   // 18 December 2027 is a Saturday
        #expect(next.spring == span("2028-01-04", "2028-03-24"))   // 26 March 2028 is a Sunday
        #expect(next.summer == span("2028-04-12", "2028-07-21"))
        for term in Term.allCases {
            #expect(!next[term].startsOn.isWeekend && !next[term].endsOn.isWeekend)
        }
        let saturdayStart = try TermDates(year: AcademicYear(2026), autumn: span("2026-09-04", "2026-12-18"),
            spring: span("2027-01-04", "2027-03-26"), summer: span("2027-04-12", "2027-07-21")).proposedNext()
        #expect(saturdayStart.autumn.startsOn == day("2027-09-06"))   // 4 September 2027 is a Saturday
    }

    @Test("a proposal from a leap year moves 29 February to 28 February")
    func proposalFromLeapYear() throws {
        let dates = try TermDates(year: AcademicYear(2027), autumn: span("2027-09-01", "2027-12-17"),
            spring: span("2028-01-04", "2028-02-29"), summer: span("2028-03-06", "2028-07-21"))
        #expect(try dates.proposedNext().spring.endsOn == day("2029-02-28"))
    }

    @Test("a proposal that would break a rule is refused for the officer to enter by hand")
    func impossibleProposal() throws {
        // A two-day summer term, Thursday to Friday, lands on Saturday to Sunday a year on.
        let dates = try TermDates(year: AcademicYear(2026), autumn: span("2026-09-02", "2026-12-18"),
            spring: span("2027-01-04", "2027-03-26"), summer: span("2027-07-22", "2027-07-23"))
        #expect(throws: DomainError.validation([.init(pointer: "/summer/endsOn", detail: "Summer term must end after it starts.")])) {
            try dates.proposedNext()
        }
    }
}
