import Domain
import Foundation
import Testing

@Suite("an EHC needs assessment referral's deadlines")
struct ReferralTimelineTests {
    static let received = CalendarDate(iso: "2026-01-05")!
    static func day(_ offset: Int) -> CalendarDate { received.adding(days: offset) }

    @Test("the decision is due 6 weeks after the request: met on day 42, missed on day 43, pending until then")
    func decision() {
        let due = Self.day(42)
        #expect(ReferralTimeline(receivedOn: Self.received).decisionDeadline(today: Self.day(10)) == .init(due: due, standing: .pending))
        #expect(ReferralTimeline(receivedOn: Self.received).decisionDeadline(today: Self.day(42)).standing == .pending)
        #expect(ReferralTimeline(receivedOn: Self.received).decisionDeadline(today: Self.day(43)).standing == .missed)
        #expect(ReferralTimeline(receivedOn: Self.received, decision: .assess, decidedOn: Self.day(42)).decisionDeadline(today: Self.day(300)).standing == .met)
        #expect(ReferralTimeline(receivedOn: Self.received, decision: .assess, decidedOn: Self.day(43)).decisionDeadline(today: Self.day(300)).standing == .missed)
    }

    @Test("the final plan is due 20 weeks after the request (day 140), only once the council decides to assess")
    func finalPlan() {
        let assessed = ReferralTimeline(receivedOn: Self.received, decision: .assess, decidedOn: Self.day(30))
        #expect(assessed.finalPlanDeadline(today: Self.day(140)) == .init(due: Self.day(140), standing: .pending))
        #expect(assessed.finalPlanDeadline(today: Self.day(141)).standing == .missed)
        var issued = assessed
        issued.finalPlanOn = Self.day(140)
        #expect(issued.finalPlanDeadline(today: Self.day(400)).standing == .met)
        issued.finalPlanOn = Self.day(141)
        #expect(issued.finalPlanDeadline(today: Self.day(400)).standing == .missed)
        let declined = ReferralTimeline(receivedOn: Self.received, decision: .notAssess, decidedOn: Self.day(30))
        #expect(declined.finalPlanDeadline(today: Self.day(400)).standing == .notApplicable)
        #expect(ReferralTimeline(receivedOn: Self.received).finalPlanDeadline(today: Self.day(400)).standing == .notApplicable)
    }

    @Test("a notice of no plan is due 16 weeks after the request (day 112), when the council assessed and issues none")
    func noPlanNotice() {
        var timeline = ReferralTimeline(receivedOn: Self.received, decision: .assess, decidedOn: Self.day(30), outcome: .planNotIssued, outcomeOn: Self.day(112))
        timeline.noPlanNoticeOn = Self.day(112)
        #expect(timeline.noPlanNoticeDeadline(today: Self.day(200)) == .init(due: Self.day(112), standing: .met))
        timeline.noPlanNoticeOn = Self.day(113)
        #expect(timeline.noPlanNoticeDeadline(today: Self.day(200)).standing == .missed)
        #expect(timeline.finalPlanDeadline(today: Self.day(200)).standing == .notApplicable)
    }

    @Test("a request withdrawn ends the deadlines still open on its day; one already missed stays missed")
    func withdrawn() {
        let early = ReferralTimeline(receivedOn: Self.received, outcome: .withdrawn, outcomeOn: Self.day(20))
        #expect(early.decisionDeadline(today: Self.day(300)).standing == .notApplicable)
        let late = ReferralTimeline(receivedOn: Self.received, outcome: .withdrawn, outcomeOn: Self.day(50))
        #expect(late.decisionDeadline(today: Self.day(300)).standing == .missed)
    }

    @Test("dates out of order, in the future, or disagreeing with the outcome are refused, every one at once")
    func validation() {
        let bad = ReferralTimeline(receivedOn: Self.received, decision: .notAssess, decidedOn: Self.day(-1), finalPlanOn: Self.day(500), outcome: .planIssued)
        let error = #expect(throws: DomainError.self) { try bad.validated(today: Self.day(400)) }
        guard case .validation(let issues) = error else { Issue.record("expected a validation error"); return }
        #expect(issues.map(\.pointer) == ["/decidedOn", "/finalPlanOn", "/decision", "/outcomeOn"])
        #expect((try? ReferralTimeline(receivedOn: Self.received, decision: .assess, decidedOn: Self.day(40), finalPlanOn: Self.day(130),
                                       outcome: .planIssued, outcomeOn: Self.day(130)).validated(today: Self.day(400))) != nil)
    }
}
