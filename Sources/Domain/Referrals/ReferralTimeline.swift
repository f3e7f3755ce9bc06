/// An EHC needs assessment referral's statutory timeline (SEND Code of Practice 2015, 9.14-9.42, as DOMAIN.md has it):
/// from the day the request is received, the decision whether to assess is due within 6 weeks; a notice that no plan
/// will be issued within 16 weeks; the final plan within 20 weeks. Derived here from the dates recorded, never typed.
public struct ReferralTimeline: Hashable, Sendable {
    public enum Decision: String, Sendable, CaseIterable, Codable {
        case assess
        case notAssess = "not_assess"
    }

    public enum Outcome: String, Sendable, CaseIterable, Codable {
        case planIssued = "plan_issued"
        case planNotIssued = "plan_not_issued"
        case withdrawn
    }

    /// Where one deadline stands.
    public enum Standing: String, Sendable, Codable {
        /// Done on or before its due date.
        case met
        /// Done after its due date, or not done and the date has passed.
        case missed
        /// Not done, and not yet due.
        case pending
        /// Does not apply to this referral (no assessment, another outcome, or the request withdrawn first).
        case notApplicable = "not_applicable"
    }

    public struct Deadline: Hashable, Sendable {
        public var due: CalendarDate
        public var standing: Standing

        public init(due: CalendarDate, standing: Standing) {
            self.due = due
            self.standing = standing
        }
    }

    public var receivedOn: CalendarDate
    public var decision: Decision?
    public var decidedOn: CalendarDate?
    public var noPlanNoticeOn: CalendarDate?
    public var finalPlanOn: CalendarDate?
    public var outcome: Outcome?
    /// The day the outcome was recorded (for a withdrawal, when the request was withdrawn).
    public var outcomeOn: CalendarDate?

    public init(receivedOn: CalendarDate, decision: Decision? = nil, decidedOn: CalendarDate? = nil, noPlanNoticeOn: CalendarDate? = nil,
                finalPlanOn: CalendarDate? = nil, outcome: Outcome? = nil, outcomeOn: CalendarDate? = nil) {
        self.receivedOn = receivedOn
        self.decision = decision
        self.decidedOn = decidedOn
        self.noPlanNoticeOn = noPlanNoticeOn
        self.finalPlanOn = finalPlanOn
        self.outcome = outcome
        self.outcomeOn = outcomeOn
    }

    public static let decisionWeeks = 6
    public static let noPlanNoticeWeeks = 16
    public static let finalPlanWeeks = 20

    func due(_ weeks: Int) -> CalendarDate { receivedOn.adding(days: weeks * 7) }

    /// One deadline: met if done by its due date, missed if done later or still undone after it; pending before it.
    /// A withdrawal ends every deadline still open on its day.
    func standing(due: CalendarDate, doneOn: CalendarDate?, applies: Bool, today: CalendarDate) -> Deadline {
        guard applies else { return Deadline(due: due, standing: .notApplicable) }
        if let doneOn { return Deadline(due: due, standing: doneOn <= due ? .met : .missed) }
        if outcome == .withdrawn, let ended = outcomeOn, ended <= due { return Deadline(due: due, standing: .notApplicable) }
        let stopped = outcome == .withdrawn ? (outcomeOn ?? today) : today
        return Deadline(due: due, standing: stopped > due ? .missed : .pending)
    }

    /// The decision whether to assess: due 6 weeks after the request.
    public func decisionDeadline(today: CalendarDate) -> Deadline {
        standing(due: due(Self.decisionWeeks), doneOn: decidedOn, applies: true, today: today)
    }

    /// The notice that no plan will be issued: due 16 weeks after the request, when the council assessed and did not
    /// issue a plan.
    public func noPlanNoticeDeadline(today: CalendarDate) -> Deadline {
        let applies = decision == .assess && outcome == .planNotIssued
        return standing(due: due(Self.noPlanNoticeWeeks), doneOn: noPlanNoticeOn, applies: applies, today: today)
    }

    /// The final plan: due 20 weeks after the request, once the council decides to assess, unless it issues no plan.
    public func finalPlanDeadline(today: CalendarDate) -> Deadline {
        let applies = decision == .assess && outcome != .planNotIssued
        return standing(due: due(Self.finalPlanWeeks), doneOn: finalPlanOn, applies: applies, today: today)
    }

    /// Every date in order and none before the request; the outcome agreeing with the dates. Every problem at once.
    public func validated(today: CalendarDate) throws(DomainError) -> Self {
        var issues: [DomainError.FieldIssue] = []
        for (pointer, date) in [("/decidedOn", decidedOn), ("/noPlanNoticeOn", noPlanNoticeOn), ("/finalPlanOn", finalPlanOn), ("/outcomeOn", outcomeOn)] {
            if let date, date < receivedOn { issues.append(.init(pointer: pointer, detail: "This date cannot be before the request was received.")) }
            if let date, date > today { issues.append(.init(pointer: pointer, detail: "This date cannot be in the future.")) }
        }
        if receivedOn > today { issues.append(.init(pointer: "/receivedOn", detail: "The request cannot be received in the future.")) }
        if (decision == nil) != (decidedOn == nil) {
            issues.append(.init(pointer: "/decidedOn", detail: "Record the decision and its date together."))
        }
        if decision == .notAssess, noPlanNoticeOn != nil || finalPlanOn != nil {
            issues.append(.init(pointer: "/decision", detail: "A referral the council decided not to assess has no plan dates."))
        }
        if noPlanNoticeOn != nil, finalPlanOn != nil {
            issues.append(.init(pointer: "/finalPlanOn", detail: "A referral has a notice of no plan or a final plan, not both."))
        }
        if outcome == .planIssued, finalPlanOn == nil {
            issues.append(.init(pointer: "/finalPlanOn", detail: "Record the date the final plan was issued."))
        }
        if outcome == .planNotIssued, decision == .assess, noPlanNoticeOn == nil {
            issues.append(.init(pointer: "/noPlanNoticeOn", detail: "Record the date of the notice that no plan will be issued."))
        }
        if (outcome == nil) != (outcomeOn == nil) {
            issues.append(.init(pointer: "/outcomeOn", detail: "Record the outcome and its date together."))
        }
        guard issues.isEmpty else { throw .validation(issues) }
        return self
    }
}
