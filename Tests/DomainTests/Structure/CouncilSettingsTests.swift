import Domain
import Testing

@Suite("the council's settings and the submission cut-off")
struct CouncilSettingsTests {
    static func day(_ iso: String) -> CalendarDate {
        guard let date = CalendarDate(iso: iso) else { fatalError("bad test date \(iso)") }
        return date
    }

    @Test("7 days before a Tuesday meeting is the Tuesday a week earlier, and that day still counts")
    func daysBefore() {
        #expect(SubmissionCutOff.standard.lastDay(forMeetingOn: Self.day("2026-11-17")) == Self.day("2026-11-10"))
        #expect(SubmissionCutOff.daysBefore(0).lastDay(forMeetingOn: Self.day("2026-11-17")) == Self.day("2026-11-17"))
    }

    @Test("days before cross a month and a year end", arguments: [
        ("2027-01-05", 7, "2026-12-29"), ("2026-03-02", 7, "2026-02-23"), ("2028-03-01", 1, "2028-02-29"),
    ])
    func daysAcrossBoundaries(meeting: String, days: Int, expected: String) {
        #expect(SubmissionCutOff.daysBefore(days).lastDay(forMeetingOn: Self.day(meeting)) == Self.day(expected))
    }

    @Test("the Wednesday of the week before is in the previous Monday-to-Sunday week, whatever day the meeting is", arguments: [
        // Meeting on Monday 16, Tuesday 17, Sunday 22 November 2026: the week before runs 9 to 15 November.
        ("2026-11-16", "2026-11-11"), ("2026-11-17", "2026-11-11"), ("2026-11-22", "2026-11-11"),
        // A Monday meeting on 4 January 2027: the week before starts Monday 28 December 2026.
        ("2027-01-04", "2026-12-30"),
    ])
    func weekdayOfWeekBefore(meeting: String, expected: String) {
        #expect(SubmissionCutOff.weekdayOfWeekBefore(.wednesday).lastDay(forMeetingOn: Self.day(meeting)) == Self.day(expected))
    }

    @Test("a Sunday cut-off of the week before is the day before a Monday meeting, and a Monday one a week before")
    func weekdayEdges() {
        let monday = Self.day("2026-11-16")
        #expect(SubmissionCutOff.weekdayOfWeekBefore(.sunday).lastDay(forMeetingOn: monday) == Self.day("2026-11-15"))
        #expect(SubmissionCutOff.weekdayOfWeekBefore(.monday).lastDay(forMeetingOn: monday) == Self.day("2026-11-09"))
    }

    @Test("the cut-off describes itself in words for the pages")
    func descriptions() {
        #expect(SubmissionCutOff.standard.description == "7 days before the meeting")
        #expect(SubmissionCutOff.daysBefore(1).description == "1 day before the meeting")
        #expect(SubmissionCutOff.weekdayOfWeekBefore(.wednesday).description == "the Wednesday of the week before the meeting")
    }

    @Test("the standard settings are the issue's defaults and pass every rule")
    func standard() throws {
        let standard = CouncilSettings.standard
        #expect(standard.submissionCutOff == .daysBefore(7))
        #expect(standard.requestCapPerSchoolPerMeeting == nil)
        #expect(standard.individualThreshold == Pence(600_000))
        #expect(standard.longestFundingTerms == 3)
        #expect(standard.defaultReservePercent == 10)
        #expect(standard.decisionNoticeWorkingDays == 7)
        try standard.validate()
    }

    @Test("every broken rule is reported at once, each at its field")
    func everyProblem() {
        var settings = CouncilSettings.standard
        settings.laCode = "93"
        settings.submissionCutOff = .daysBefore(61)
        settings.requestCapPerSchoolPerMeeting = 0
        settings.individualThreshold = Pence(0)
        settings.longestFundingTerms = 10
        settings.defaultReservePercent = 51
        settings.decisionNoticeWorkingDays = 0
        #expect {
            try settings.validate()
        } throws: { error in
            guard case DomainError.validation(let issues) = error else { return false }
            return issues.map(\.pointer) == [
                "/laCode", "/submissionCutOff/days", "/requestCapPerSchoolPerMeeting", "/individualThresholdPence",
                "/longestFundingTerms", "/defaultReservePercent", "/decisionNoticeWorkingDays",
            ]
        }
    }

    @Test("an LA code is exactly three ASCII digits", arguments: [("999", true), ("886", true), ("99", false), ("9999", false), ("9a9", false), ("٩٩٩", false)])
    func laCode(code: String, accepted: Bool) {
        var settings = CouncilSettings.standard
        settings.laCode = code
        #expect(((try? settings.validate()) != nil) == accepted)
    }

    @Test("the edges of each range are accepted")
    func edges() throws {
        var settings = CouncilSettings.standard
        settings.submissionCutOff = .daysBefore(60)
        settings.requestCapPerSchoolPerMeeting = 50
        settings.longestFundingTerms = 9
        settings.defaultReservePercent = 0
        settings.decisionNoticeWorkingDays = 60
        try settings.validate()
        settings.submissionCutOff = .daysBefore(0)
        settings.requestCapPerSchoolPerMeeting = 1
        settings.longestFundingTerms = 1
        settings.defaultReservePercent = 50
        settings.decisionNoticeWorkingDays = 1
        try settings.validate()
    }

    @Test("pounds typed on a page become pence exactly", arguments: [
        ("6000", 600_000), ("£6,000.00", 600_000), ("6000.5", 600_050), (" 12.34 ", 1234), ("0.07", 7),
    ])
    func pounds(text: String, pence: Int64) {
        #expect(Pence(poundsText: text) == Pence(pence))
    }

    @Test("anything that is not an amount of pounds is refused", arguments: ["", "six thousand", "6.001", "-5", "1e3", "6..0", ".5", "١٠"])
    func notPounds(text: String) {
        #expect(Pence(poundsText: text) == nil)
    }

    @Test("pence show again as plain pounds with two decimals")
    func plainPounds() {
        #expect(Pence(600_000).plainPounds == "6000.00")
        #expect(Pence(7).plainPounds == "0.07")
        #expect(Pence(-1234).plainPounds == "-12.34")
    }
}
