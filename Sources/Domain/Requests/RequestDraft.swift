import Foundation

/// A measurable intended outcome: what should change, how it is measured, where it starts and what it should reach.
public struct IntendedOutcome: Hashable, Sendable {
    public var outcome: String
    public var measure: String
    public var baseline: String
    public var target: String

    public init(outcome: String, measure: String, baseline: String, target: String) {
        self.outcome = outcome
        self.measure = measure
        self.baseline = baseline
        self.target = target
    }
}

/// The SEND Code of Practice's four broad areas of need (DOMAIN.md).
public enum AreaOfNeed: String, Sendable, CaseIterable, Codable {
    case communicationAndInteraction = "communication_and_interaction"
    case cognitionAndLearning = "cognition_and_learning"
    case socialEmotionalAndMentalHealth = "social_emotional_and_mental_health"
    case sensoryAndPhysical = "sensory_and_physical"

    public var label: String {
        switch self {
        case .communicationAndInteraction: "Communication and interaction"
        case .cognitionAndLearning: "Cognition and learning"
        case .socialEmotionalAndMentalHealth: "Social, emotional and mental health"
        case .sensoryAndPhysical: "Sensory and/or physical"
        }
    }
}

/// A supporting document, by reference: the service stores no files, only where the school keeps it.
public struct DocumentReference: Hashable, Sendable {
    public var title: String
    public var datedOn: CalendarDate?
    /// Where the document is kept: a system and reference, a shared drive path, a filing cabinet.
    public var keptAt: String

    public init(title: String, datedOn: CalendarDate? = nil, keptAt: String) {
        self.title = title
        self.datedOn = datedOn
        self.keptAt = keptAt
    }
}

/// What a request says, as far as it has been written: a draft saves any of it, and is never lost.
public struct RequestDraft: Hashable, Sendable {
    public var title: String
    public var need: String
    /// What the school tried already: the graduated approach (assess, plan, do, review).
    public var tried: String
    public var termsAsked: Int?
    /// For a type that describes a cohort: its size, phases and areas of need, in words.
    public var cohort: String?
    public var outcomes: [IntendedOutcome]
    public var lines: [ProvisionLine]
    public var documents: [DocumentReference]
    /// The broad areas of need, in the Code's order.
    public var areasOfNeed: [AreaOfNeed]

    public init(title: String, need: String = "", tried: String = "", termsAsked: Int? = nil, cohort: String? = nil, outcomes: [IntendedOutcome] = [],
                lines: [ProvisionLine] = [], documents: [DocumentReference] = [], areasOfNeed: [AreaOfNeed] = []) {
        self.title = title
        self.need = need
        self.tried = tried
        self.termsAsked = termsAsked
        self.cohort = cohort
        self.outcomes = outcomes
        self.lines = lines
        self.documents = documents
        self.areasOfNeed = AreaOfNeed.allCases.filter(areasOfNeed.contains)
    }

    /// What a draft may hold at all: a title, and nothing longer than its column. Everything else waits for submission.
    public func checkedForSaving() throws(DomainError) -> RequestDraft {
        var draft = self
        draft.title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        var issues: [DomainError.FieldIssue] = []
        if draft.title.isEmpty || draft.title.count > 200 { issues.append(.init(pointer: "/title", detail: "Give the request a title of at most 200 characters.")) }
        if need.count > 5000 { issues.append(.init(pointer: "/need", detail: "Describe the need in at most 5,000 characters.")) }
        if tried.count > 5000 { issues.append(.init(pointer: "/tried", detail: "Describe what was tried in at most 5,000 characters.")) }
        if (cohort ?? "").count > 2000 { issues.append(.init(pointer: "/cohort", detail: "Describe the cohort in at most 2,000 characters.")) }
        if let terms = termsAsked, !(1...9).contains(terms) { issues.append(.init(pointer: "/termsAsked", detail: "Ask for 1 to 9 terms.")) }
        if outcomes.count > 50 { issues.append(.init(pointer: "/outcomes", detail: "A request has at most 50 outcomes.")) }
        if lines.count > 100 { issues.append(.init(pointer: "/lines", detail: "A request has at most 100 costed lines.")) }
        if documents.count > 20 { issues.append(.init(pointer: "/documents", detail: "A request refers to at most 20 documents.")) }
        for (index, document) in documents.enumerated() {
            let title = document.title.trimmingCharacters(in: .whitespacesAndNewlines)
            let kept = document.keptAt.trimmingCharacters(in: .whitespacesAndNewlines)
            if title.isEmpty || title.count > 200 {
                issues.append(.init(pointer: "/documents/\(index)/title", detail: "Document \(index + 1): give its title, in at most 200 characters."))
            }
            if kept.isEmpty || kept.count > 500 {
                issues.append(.init(pointer: "/documents/\(index)/keptAt", detail: "Document \(index + 1): say where it is kept, in at most 500 characters."))
            }
        }
        for (index, o) in outcomes.enumerated() {
            for (field, text, most) in [("outcome", o.outcome, 1000), ("measure", o.measure, 500), ("baseline", o.baseline, 500), ("target", o.target, 500)]
            where text.count > most {
                issues.append(.init(pointer: "/outcomes/\(index)/\(field)", detail: "Outcome \(index + 1): its \(field) has at most \(most) characters."))
            }
        }
        for (index, line) in lines.enumerated() {
            if line.description.count > 500 {
                issues.append(.init(pointer: "/lines/\(index)/description", detail: "Line \(index + 1): say what it pays for in at most 500 characters."))
            }
            if (line.staffRole ?? "").count > 200 {
                issues.append(.init(pointer: "/lines/\(index)/staffRole", detail: "Line \(index + 1): name the staff role in at most 200 characters."))
            }
            if line.unitCost < .zero || line.unitCost > ProvisionLine.largestUnitCost || !(0...ProvisionLine.largestQuantity).contains(line.quantity) {
                issues.append(.init(pointer: "/lines/\(index)", detail: "Line \(index + 1): a unit cost from £0 to \(ProvisionLine.largestUnitCost) and a quantity up to \(ProvisionLine.largestQuantity)."))
            }
        }
        guard issues.isEmpty else { throw .validation(issues) }
        return draft
    }
}

/// What submission checks, every problem at once (DOMAIN.md, "Requests").
public enum RequestSubmission {
    public static func issues(_ draft: RequestDraft, type: RequestType, pupils: Int, settings: CouncilSettings) -> [DomainError.FieldIssue] {
        var issues: [DomainError.FieldIssue] = []
        if draft.need.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            issues.append(.init(pointer: "/need", detail: "Describe the need."))
        }
        if type.isCosted, draft.tried.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            issues.append(.init(pointer: "/tried", detail: "Say what the school tried already: how it assessed, planned, did and reviewed."))
        }
        if let problem = type.pupilCountProblem(pupils) { issues.append(.init(pointer: "/pupils", detail: problem)) }
        // Named pupils bring their areas of need from their records; a request naming none says what they are.
        if pupils == 0, draft.areasOfNeed.isEmpty {
            issues.append(.init(pointer: "/areasOfNeed", detail: "Choose at least one area of need."))
        }
        if type.describesCohort, (draft.cohort ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            issues.append(.init(pointer: "/cohort", detail: "Describe the cohort: its size, phases and areas of need."))
        }
        if type.isCosted {
            if draft.outcomes.isEmpty { issues.append(.init(pointer: "/outcomes", detail: "Add at least one intended outcome.")) }
            for (index, outcome) in draft.outcomes.enumerated() {
                for (field, text) in [("outcome", outcome.outcome), ("measure", outcome.measure), ("baseline", outcome.baseline), ("target", outcome.target)]
                where text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    issues.append(.init(pointer: "/outcomes/\(index)/\(field)", detail: "Outcome \(index + 1): give its \(field)."))
                }
            }
            guard let terms = draft.termsAsked else {
                issues.append(.init(pointer: "/termsAsked", detail: "Say for how many terms the funding is asked."))
                return issues + lineIssues(draft, type: type, settings: settings)
            }
            if terms > settings.longestFundingTerms {
                issues.append(.init(pointer: "/termsAsked", detail: "The council funds at most \(settings.longestFundingTerms) terms at a time; a continuation asks for more later."))
            }
            issues += lineIssues(draft, type: type, settings: settings)
        }
        return issues
    }

    static func lineIssues(_ draft: RequestDraft, type: RequestType, settings: CouncilSettings) -> [DomainError.FieldIssue] {
        do {
            let plan = try CostedPlan.checked(draft.lines)
            var issues: [DomainError.FieldIssue] = []
            if plan.ask <= .zero { issues.append(.init(pointer: "/lines", detail: "Add at least one line the cluster is asked to fund.")) }
            if let problem = plan.thresholdProblem(type: type, threshold: settings.individualThreshold) { issues.append(.init(pointer: "/lines", detail: problem)) }
            return issues
        } catch {
            if case .validation(let found) = error { return found }
            return [.init(pointer: "/lines", detail: error.message)]
        }
    }
}
