import Foundation

/// Where a request stands, up to the planning meeting (the panel issue adds the allocation meeting's states).
public enum RequestState: String, Sendable, CaseIterable, Codable {
    case draft, submitted, scheduled, nominated, withdrawn
}

/// Who the actor is to one request. An actor may be several at once (an officer chairing the meeting).
public enum RequestRelation: String, Sendable, CaseIterable, Codable {
    case leadSenco = "lead_senco"
    case partnerSenco = "partner_senco"
    case leadHeadteacher = "lead_headteacher"
    case partnerHeadteacher = "partner_headteacher"
    /// The chair of the meeting the request is scheduled on.
    case chair
    case officer
    case clusterEP = "cluster_ep"
    case other
}

public enum RequestAction: String, Sendable, CaseIterable, Codable {
    case submit
    /// A partner school's SENCo confirms its part of a joint request.
    case confirm
    /// A headteacher endorses their school's part of a funding request.
    case endorse
    case nominate
    /// The chair sends it back to the school with the panel's questions.
    case returnToSchool = "return"
    /// The lead school withdraws the whole request.
    case withdraw
    /// A partner school withdraws its own part.
    case withdrawPart = "withdraw_part"

    public var label: String {
        switch self {
        case .submit: "submit it"
        case .confirm: "confirm your school's part"
        case .endorse: "endorse your school's part"
        case .nominate: "nominate it"
        case .returnToSchool: "return it with the panel's questions"
        case .withdraw: "withdraw it"
        case .withdrawPart: "withdraw your school's part"
        }
    }
}

/// What a transition asks the store to do beside changing the state, in the same transaction.
public enum RequestEffect: Hashable, Sendable {
    /// Record this partner school's confirmation.
    case recordConfirmation
    /// Record this headteacher's endorsement of their school's part.
    case recordEndorsement
    /// Wait for the headteachers' endorsements.
    case awaitEndorsement
    /// Place the request on the first planning meeting that can take it (`MeetingPlacement`).
    case placeOnMeeting
    /// Send it to the officers' emergency queue (decided in the panel issue).
    case sendToEmergencyQueue
    /// Keep the panel's questions with the request's history.
    case recordQuestions(String)
    /// Take it off the meeting it was scheduled on.
    case leaveMeeting
    /// Remove the partner school's pupils and lines, and its confirmation.
    case removePartnerPart
    /// Clear confirmations and endorsements: the request is back in draft and will be confirmed and endorsed again.
    case clearApprovals
}

/// The request as a transition needs to know it.
public struct RequestSituation: Hashable, Sendable {
    public var state: RequestState
    /// Why the request is held (consent withdrawn, a pupil moved school), or nil.
    public var hold: String?
    public var route: DecisionRoute
    public var needsEndorsement: Bool
    /// Partner schools whose SENCo has not confirmed yet.
    public var confirmationsOutstanding: Int
    /// Schools (lead and partners) whose headteacher has not endorsed yet.
    public var endorsementsOutstanding: Int

    public init(state: RequestState, hold: String? = nil, route: DecisionRoute = .meeting, needsEndorsement: Bool = true,
                confirmationsOutstanding: Int = 0, endorsementsOutstanding: Int = 0) {
        self.state = state
        self.hold = hold
        self.route = route
        self.needsEndorsement = needsEndorsement
        self.confirmationsOutstanding = confirmationsOutstanding
        self.endorsementsOutstanding = endorsementsOutstanding
    }
}

public struct RequestTransition: Hashable, Sendable {
    public var state: RequestState
    public var effects: [RequestEffect]

    public init(state: RequestState, effects: [RequestEffect]) {
        self.state = state
        self.effects = effects
    }
}

/// A refused action, with what the actor may do instead.
public struct RequestRefusal: Error, Hashable, Sendable {
    public var reason: String
    public var allowed: [RequestAction]

    public var message: String {
        let instead = allowed.isEmpty ? "Nothing you can do changes this request now."
            : "You can " + allowed.map(\.label).joined(separator: ", or ") + "."
        return reason + " " + instead
    }
}

/// Every transition of a request up to the planning meeting, as one pure function (DOMAIN.md, "Requests"): the
/// store persists only what `apply` returns, with who, when and why, beside its audit event.
public enum RequestLifecycle {
    /// The new state and effects of `action`, or a refusal that says why and names what the actor may do instead.
    public static func apply(_ action: RequestAction, to request: RequestSituation, by relations: Set<RequestRelation>,
                             questions: String? = nil) -> Result<RequestTransition, RequestRefusal> {
        switch decide(action, to: request, by: relations, questions: questions) {
        case .success(let transition): .success(transition)
        case .failure(let reason): .failure(RequestRefusal(reason: reason.text, allowed: allowedActions(request, by: relations)))
        }
    }

    /// The actions that put a request in someone's queue ("waiting for you"): the rest (withdrawing, returning) are
    /// choices a person may make, not work waiting on them.
    public static let queueActions: Set<RequestAction> = [.submit, .confirm, .endorse, .nominate]

    /// Whether the request waits on the actor: the lifecycle lets them submit, confirm, endorse or nominate it now.
    public static func waitsOn(_ request: RequestSituation, by relations: Set<RequestRelation>) -> Bool {
        !queueActions.isDisjoint(with: allowedActions(request, by: relations))
    }

    /// The panel's questions as a return keeps them, or a field error: they are what the school answers, so they
    /// must be said, in at most 5,000 characters.
    public static func checkedQuestions(_ text: String?) throws(DomainError) -> String {
        let questions = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !questions.isEmpty, questions.count <= 5000 else {
            throw .validation([.init(pointer: "/questions", detail: "Say what the panel asks the school, in at most 5,000 characters.")])
        }
        return questions
    }

    /// What the actor may do to the request now, in the order of `RequestAction`. Returning it needs the panel's
    /// questions: it counts as allowed when it would be, with them.
    public static func allowedActions(_ request: RequestSituation, by relations: Set<RequestRelation>) -> [RequestAction] {
        RequestAction.allCases.filter { action in
            if case .success = decide(action, to: request, by: relations, questions: "?") { return true }
            return false
        }
    }

    struct Reason: Error {
        var text: String
    }

    static func decide(_ action: RequestAction, to request: RequestSituation, by relations: Set<RequestRelation>,
                       questions: String?) -> Result<RequestTransition, Reason> {
        func refuse(_ reason: String) -> Result<RequestTransition, Reason> { .failure(Reason(text: reason)) }
        let held = request.hold.map { "The request is held: \($0)." }
        switch action {
        case .submit:
            guard relations.contains(.leadSenco) else { return refuse("Only the lead school's SENCo submits a request.") }
            guard request.state == .draft else { return refuse("Only a draft is submitted; this request is \(request.state.rawValue).") }
            if let held { return refuse(held) }
            guard request.confirmationsOutstanding == 0 else {
                return refuse("Each partner school's SENCo confirms their part first (\(request.confirmationsOutstanding) still to confirm).")
            }
            if request.route == .emergency { return .success(.init(state: .submitted, effects: [.sendToEmergencyQueue])) }
            if request.needsEndorsement { return .success(.init(state: .submitted, effects: [.awaitEndorsement])) }
            return .success(.init(state: .scheduled, effects: [.placeOnMeeting]))
        case .confirm:
            guard relations.contains(.partnerSenco) else { return refuse("Only a partner school's SENCo confirms their school's part.") }
            guard request.state == .draft else { return refuse("A part is confirmed while the request is a draft; this one is \(request.state.rawValue).") }
            return .success(.init(state: .draft, effects: [.recordConfirmation]))
        case .endorse:
            guard relations.contains(.leadHeadteacher) || relations.contains(.partnerHeadteacher) else {
                return refuse("Only the headteachers of the lead and partner schools endorse a request.")
            }
            guard request.state == .submitted, request.route == .meeting, request.needsEndorsement else {
                return refuse("Endorsement is for a submitted funding request going to a meeting.")
            }
            if let held { return refuse(held) }
            guard request.endorsementsOutstanding > 0 else { return refuse("Every school's part is already endorsed.") }
            if request.endorsementsOutstanding == 1 { return .success(.init(state: .scheduled, effects: [.recordEndorsement, .placeOnMeeting])) }
            return .success(.init(state: .submitted, effects: [.recordEndorsement]))
        case .nominate:
            guard relations.contains(.chair) else { return refuse("Only the chair of the planning meeting nominates a request.") }
            guard request.state == .scheduled else { return refuse("Only a request scheduled on the meeting is nominated; this one is \(request.state.rawValue).") }
            if let held { return refuse(held) }
            return .success(.init(state: .nominated, effects: []))
        case .returnToSchool:
            guard relations.contains(.chair) else { return refuse("Only the chair of the planning meeting returns a request.") }
            guard request.state == .scheduled else { return refuse("Only a request scheduled on the meeting is returned; this one is \(request.state.rawValue).") }
            let text = (questions ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { return refuse("Say what the panel asks the school, so it can answer.") }
            return .success(.init(state: .draft, effects: [.recordQuestions(text), .leaveMeeting, .clearApprovals]))
        case .withdraw:
            guard relations.contains(.leadSenco) else { return refuse("Only the lead school's SENCo withdraws the whole request.") }
            switch request.state {
            case .draft, .submitted: return .success(.init(state: .withdrawn, effects: []))
            case .scheduled, .nominated: return .success(.init(state: .withdrawn, effects: [.leaveMeeting]))
            case .withdrawn: return refuse("The request is already withdrawn.")
            }
        case .withdrawPart:
            guard relations.contains(.partnerSenco) else { return refuse("Only a partner school's SENCo withdraws their school's part.") }
            switch request.state {
            case .draft: return .success(.init(state: .draft, effects: [.removePartnerPart]))
            case .submitted: return .success(.init(state: .draft, effects: [.removePartnerPart, .clearApprovals]))
            case .scheduled, .nominated:
                return refuse("Once a request is on a meeting a partner cannot leave it alone: the lead school withdraws it, or the meeting's chair returns it.")
            case .withdrawn: return refuse("The request is already withdrawn.")
            }
        }
    }
}
