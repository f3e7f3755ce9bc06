import Foundation

/// Advice an educational psychologist logs (`ID<Advice>`).
public enum Advice {}

/// What kind of involvement the advice came from (DOMAIN.md, "Who does what").
public enum AdviceKind: String, Sendable, CaseIterable, Codable {
    case consultation, observation, assessment
    case meetingAdvice = "meeting_advice"

    public var label: String {
        switch self {
        case .consultation: "Consultation"
        case .observation: "Observation"
        case .assessment: "Assessment"
        case .meetingAdvice: "Advice at a meeting"
        }
    }
}

/// One piece of advice, as the EP writes it: on a request of their cluster or on a pupil of one of its schools.
public struct AdviceEntry: Hashable, Sendable {
    public var givenOn: CalendarDate
    public var kind: AdviceKind
    public var summary: String
    public var recommendations: String
    public var followUpOn: CalendarDate?

    public init(givenOn: CalendarDate, kind: AdviceKind, summary: String, recommendations: String = "", followUpOn: CalendarDate? = nil) {
        self.givenOn = givenOn
        self.kind = kind
        self.summary = summary
        self.recommendations = recommendations
        self.followUpOn = followUpOn
    }

    /// The entry as it is kept, or every problem with it at once: a summary, advice not given in the future nor more
    /// than a year ago, and a follow-up on or after the advice and within a year of today.
    public func checked(today: CalendarDate) throws(DomainError) -> AdviceEntry {
        var entry = self
        entry.summary = summary.trimmingCharacters(in: .whitespacesAndNewlines)
        entry.recommendations = recommendations.trimmingCharacters(in: .whitespacesAndNewlines)
        var issues: [DomainError.FieldIssue] = []
        if entry.summary.isEmpty || entry.summary.count > 5000 { issues.append(.init(pointer: "/summary", detail: "Summarise the advice in at most 5,000 characters.")) }
        if entry.recommendations.count > 5000 { issues.append(.init(pointer: "/recommendations", detail: "Give the recommendations in at most 5,000 characters.")) }
        if givenOn > today { issues.append(.init(pointer: "/givenOn", detail: "The advice cannot have been given after today.")) }
        if givenOn < today.adding(days: -366) { issues.append(.init(pointer: "/givenOn", detail: "Advice is logged within a year of being given.")) }
        if let followUpOn, followUpOn < givenOn || followUpOn > today.adding(days: 366) {
            issues.append(.init(pointer: "/followUpOn", detail: "A follow-up falls on or after the day of the advice, and within a year from today."))
        }
        guard issues.isEmpty else { throw .validation(issues) }
        return entry
    }
}

/// Who logs advice: an EP assigned to the cluster, on a request or pupil of its schools, and (for a named pupil) only
/// while consent to EP involvement is in force. Row-level security enforces the same in PostgreSQL.
public enum AdviceRules {
    public static func requireAuthor(_ actor: Actor) throws(DomainError) {
        guard actor.roles.contains(.educationalPsychologist) else { throw .forbidden("Only an educational psychologist assigned to the cluster logs advice.") }
    }

    /// Whether a follow-up is due: on or before today.
    public static func isDue(_ followUpOn: CalendarDate?, today: CalendarDate) -> Bool {
        followUpOn.map { $0 <= today } ?? false
    }
}
