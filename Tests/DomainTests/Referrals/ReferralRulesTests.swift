import Domain
import Foundation
import Testing

@Suite("referrals: who records what, and where one stands")
struct ReferralRulesTests {
    static let received = CalendarDate(iso: "2026-01-05")!
    static let today = CalendarDate(iso: "2026-11-18")!

    static func actor(_ role: Role, _ scope: Scope) -> Actor {
        Actor(userID: ID(UUID()), displayName: role.title, assignments: [RoleAssignment(id: ID(UUID()), role: role, scope: scope, startsOn: received)])
    }

    @Test("the pupil's SENCo records a request the school made, with no decisions; officers record any request and every date")
    func recorders() throws {
        let school = ID<School>(UUID())
        let senco = Self.actor(.senco, .school(school))
        let officer = Self.actor(.officer, .council)
        try ReferralRules.requireRecorder(senco, school: school, requestedBy: .school)
        #expect(throws: DomainError.self) { try ReferralRules.requireRecorder(senco, school: school, requestedBy: .parent) }
        #expect(throws: DomainError.self) { try ReferralRules.requireRecorder(Self.actor(.senco, .school(ID(UUID()))), school: school, requestedBy: .school) }
        #expect(throws: DomainError.self) { try ReferralRules.requireRecorder(Self.actor(.headteacher, .school(school)), school: school, requestedBy: .school) }
        #expect(throws: DomainError.self) { try ReferralRules.requireRecorder(Self.actor(.educationalPsychologist, .cluster(ID(UUID()))), school: school, requestedBy: .school) }
        for requester in ReferralRequester.allCases { try ReferralRules.requireRecorder(officer, school: school, requestedBy: requester) }
        let decided = ReferralEntry(requestedBy: .school, timeline: ReferralTimeline(receivedOn: Self.received, decision: .assess, decidedOn: Self.received.adding(days: 30)))
        #expect(throws: DomainError.forbidden("Only council officers record the council's decisions and dates on a referral.")) {
            try ReferralRules.checkedNew(decided, actor: senco, today: Self.today)
        }
        #expect(try ReferralRules.checkedNew(decided, actor: officer, today: Self.today) == decided)
        #expect(throws: DomainError.self) { try ReferralRules.requireDecider(senco) }
        try ReferralRules.requireDecider(officer)
    }

    @Test("a draft plan follows a decision to assess and precedes the final plan; an appeal follows a decision")
    func undatedSteps() throws {
        let assessed = ReferralTimeline(receivedOn: Self.received, decision: .assess, decidedOn: Self.received.adding(days: 40))
        var entry = ReferralEntry(requestedBy: .parent, timeline: assessed, draftPlanOn: Self.received.adding(days: 90))
        #expect(try entry.validated(today: Self.today) == entry)
        entry.timeline.finalPlanOn = Self.received.adding(days: 80)
        #expect(throws: DomainError.self) { try entry.validated(today: Self.today) }
        let undecided = ReferralEntry(requestedBy: .parent, timeline: ReferralTimeline(receivedOn: Self.received), draftPlanOn: Self.received.adding(days: 9),
                                      appealOn: Self.received.adding(days: 10))
        #expect(throws: DomainError.validation([
            .init(pointer: "/draftPlanOn", detail: "A draft plan follows a decision to assess: record that decision first."),
            .init(pointer: "/appealOn", detail: "An appeal follows a decision: record the decision first."),
        ])) { try undecided.validated(today: Self.today) }
    }

    @Test("overall: missed if any deadline is missed, open while one is pending, met when all that apply are met")
    func standing() {
        let open = ReferralTimeline(receivedOn: Self.today.adding(days: -10))
        #expect(ReferralRules.standing(open, today: Self.today) == .pending)
        let late = ReferralTimeline(receivedOn: Self.today.adding(days: -43))
        #expect(ReferralRules.standing(late, today: Self.today) == .missed)
        let notAssessed = ReferralTimeline(receivedOn: Self.received, decision: .notAssess, decidedOn: Self.received.adding(days: 42))
        #expect(ReferralRules.standing(notAssessed, today: Self.today) == .met)
        let planOnTime = ReferralTimeline(receivedOn: Self.received, decision: .assess, decidedOn: Self.received.adding(days: 42),
                                          finalPlanOn: Self.received.adding(days: 140), outcome: .planIssued, outcomeOn: Self.received.adding(days: 140))
        #expect(ReferralRules.standing(planOnTime, today: Self.today) == .met)
        var planLate = planOnTime
        planLate.finalPlanOn = Self.received.adding(days: 141)
        #expect(ReferralRules.standing(planLate, today: Self.today) == .missed)
    }

    @Test("the audit trail's copy is dates and codes only")
    func audited() {
        let copy = ReferralRules.audited(ReferralEntry(requestedBy: .school, timeline: ReferralTimeline(receivedOn: Self.received)))
        #expect(copy["receivedOn"] == "2026-01-05" && copy["requestedBy"] == "school" && copy["decision"] == "")
    }
}
