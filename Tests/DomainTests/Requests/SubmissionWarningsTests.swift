import Domain
import Testing

@Suite("what submission warns about without refusing")
struct SubmissionWarningsTests {
    let today = CalendarDate(iso: "2026-11-18")!

    @Test("an impact review more than four weeks overdue warns, naming the oldest; four weeks exactly, or none, does not")
    func overdueImpactReview() {
        #expect(SubmissionWarnings.overdueImpactReview(dueOn: [], today: today) == nil)
        #expect(SubmissionWarnings.overdueImpactReview(dueOn: [today.adding(days: -28), today.adding(days: 10)], today: today) == nil)
        let warning = SubmissionWarnings.overdueImpactReview(dueOn: [today.adding(days: -29), today.adding(days: -60)], today: today)
        #expect(warning?.hasPrefix("The school has an impact review overdue since Saturday 19 September 2026, more than four weeks") == true, "\(warning ?? "")")
    }
}
