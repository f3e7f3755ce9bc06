/// An EHC needs-assessment referral (`ID<Referral>`).
public enum Referral {}

/// Who asked the council for the assessment.
public enum ReferralRequester: String, Sendable, CaseIterable, Codable {
    case parent, school, other

    public var label: String {
        switch self {
        case .parent: "Parent or young person"
        case .school: "The school"
        case .other: "Someone else"
        }
    }
}

/// A referral as recorded: who asked, the statutory timeline, and the dates that carry no deadline (the draft plan
/// sent, an appeal to the tribunal).
public struct ReferralEntry: Sendable, Hashable {
    public var requestedBy: ReferralRequester
    public var timeline: ReferralTimeline
    public var draftPlanOn: CalendarDate?
    public var appealOn: CalendarDate?

    public init(requestedBy: ReferralRequester, timeline: ReferralTimeline, draftPlanOn: CalendarDate? = nil, appealOn: CalendarDate? = nil) {
        self.requestedBy = requestedBy
        self.timeline = timeline
        self.draftPlanOn = draftPlanOn
        self.appealOn = appealOn
    }

    /// Every problem at once: the timeline's, and the two undated-by-statute dates in their place.
    public func validated(today: CalendarDate) throws(DomainError) -> Self {
        var issues: [DomainError.FieldIssue] = []
        do { _ = try timeline.validated(today: today) } catch { if case .validation(let found) = error { issues = found } else { throw error } }
        let timeline = self.timeline
        if let draftPlanOn {
            if draftPlanOn < timeline.receivedOn { issues.append(.init(pointer: "/draftPlanOn", detail: "This date cannot be before the request was received.")) }
            if draftPlanOn > today { issues.append(.init(pointer: "/draftPlanOn", detail: "This date cannot be in the future.")) }
            if timeline.decision != .assess {
                issues.append(.init(pointer: "/draftPlanOn", detail: "A draft plan follows a decision to assess: record that decision first."))
            }
            if let final = timeline.finalPlanOn, final < draftPlanOn {
                issues.append(.init(pointer: "/finalPlanOn", detail: "The final plan cannot be issued before the draft was sent."))
            }
        }
        if let appealOn {
            if appealOn > today { issues.append(.init(pointer: "/appealOn", detail: "This date cannot be in the future.")) }
            if let decidedOn = timeline.decidedOn, appealOn < decidedOn {
                issues.append(.init(pointer: "/appealOn", detail: "An appeal follows a decision: it cannot be dated before the decision."))
            } else if timeline.decidedOn == nil {
                issues.append(.init(pointer: "/appealOn", detail: "An appeal follows a decision: record the decision first."))
            }
        }
        guard issues.isEmpty else { throw .validation(issues) }
        return self
    }
}

/// Who records what about a referral (DOMAIN.md, "EHCP referrals"): the pupil's SENCo records a request the school
/// made; officers record any request and every decision and date after it. Nothing here waits for cluster funding.
public enum ReferralRules {
    public static func requireRecorder(_ actor: Actor, school: ID<School>, requestedBy: ReferralRequester) throws(DomainError) {
        if actor.isOfficer { return }
        guard actor.schools(as: .senco).contains(school) else {
            throw .forbidden("Only the SENCo of the pupil's school or a council officer records an EHC needs assessment request.")
        }
        guard requestedBy == .school else {
            throw .validation([.init(pointer: "/requestedBy", detail: "A school records the requests it made; a council officer records requests from parents and others.")])
        }
    }

    /// The council's decisions and dates: officers only.
    public static func requireDecider(_ actor: Actor) throws(DomainError) {
        guard actor.isOfficer else { throw .forbidden("Only council officers record the council's decisions and dates on a referral.") }
    }

    /// A new referral holds only the request: its decisions come later, from an officer.
    public static func checkedNew(_ entry: ReferralEntry, actor: Actor, today: CalendarDate) throws(DomainError) -> ReferralEntry {
        let entry = try entry.validated(today: today)
        let t = entry.timeline
        if !actor.isOfficer, t.decision != nil || t.noPlanNoticeOn != nil || t.finalPlanOn != nil || t.outcome != nil || entry.draftPlanOn != nil
            || entry.appealOn != nil {
            throw .forbidden("Only council officers record the council's decisions and dates on a referral.")
        }
        return entry
    }

    /// The audit trail's copy: dates and codes, nothing that names the child.
    public static func audited(_ entry: ReferralEntry) -> [String: String] {
        let t = entry.timeline
        return ["requestedBy": entry.requestedBy.rawValue, "receivedOn": t.receivedOn.iso, "decision": t.decision?.rawValue ?? "",
                "decidedOn": t.decidedOn?.iso ?? "", "noPlanNoticeOn": t.noPlanNoticeOn?.iso ?? "", "draftPlanOn": entry.draftPlanOn?.iso ?? "",
                "finalPlanOn": t.finalPlanOn?.iso ?? "", "outcome": t.outcome?.rawValue ?? "", "outcomeOn": t.outcomeOn?.iso ?? "",
                "appealOn": entry.appealOn?.iso ?? ""]
    }

    /// Where a referral stands overall, for the officers' timeliness list: missed if any deadline was missed,
    /// pending if one is still open, otherwise met (or closed with nothing due).
    public static func standing(_ timeline: ReferralTimeline, today: CalendarDate) -> ReferralTimeline.Standing {
        let all = [timeline.decisionDeadline(today: today), timeline.noPlanNoticeDeadline(today: today), timeline.finalPlanDeadline(today: today)]
            .map(\.standing)
        if all.contains(.missed) { return .missed }
        if all.contains(.pending) { return .pending }
        return all.contains(.met) ? .met : .notApplicable
    }
}
