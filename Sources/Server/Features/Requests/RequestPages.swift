import Domain
import Foundation
import Store

/// Words the request pages share: states, actions and where each submission problem is put right.
enum RequestWords {
    static func state(_ state: RequestState) -> String {
        switch state {
        case .draft: "Draft"
        case .submitted: "Submitted"
        case .scheduled: "Scheduled"
        case .nominated: "Nominated"
        case .withdrawn: "Withdrawn"
        }
    }

    static func button(_ action: RequestAction) -> String {
        switch action {
        case .submit: "Submit the request"
        case .confirm: "Confirm your school's part"
        case .endorse: "Endorse your school's part"
        case .nominate: "Nominate for the allocation meeting"
        case .returnToSchool: "Return to the school with questions"
        case .withdraw: "Withdraw the request"
        case .withdrawPart: "Withdraw your school's part"
        }
    }

    /// The editor step that holds the field a problem names (`/outcomes/0/measure` is on the outcomes step).
    static func step(for pointer: String) -> RequestStep {
        let field = pointer.split(separator: "/").first.map(String.init) ?? ""
        switch field {
        case "partnerSchoolIds": return .schools
        case "pupils": return .pupils
        case "outcomes": return .outcomes
        case "lines": return .costs
        case "documents": return .documents
        default: return .about
        }
    }

    /// Problems found on the request page, each linking to the step and field that put it right.
    static func errors(_ error: DomainError, request id: ID<FundingRequest>) -> FormErrors {
        var errors = FormErrors(error)
        if case .validation(let issues) = error {
            errors.items = zip(errors.items, issues).map { item, issue in
                var item = item
                item.href = "/requests/\(id)/edit/\(step(for: String(issue.pointer.dropFirst())).rawValue)" + (item.href ?? "")
                return item
            }
        }
        return errors
    }
}

/// The editor's steps, one thing per page.
enum RequestStep: String, CaseIterable, Sendable {
    case about, schools, pupils, outcomes, costs, documents

    var title: String {
        switch self {
        case .about: "About the request"
        case .schools: "Partner schools"
        case .pupils: "Pupils"
        case .outcomes: "Intended outcomes"
        case .costs: "Costed provision"
        case .documents: "Supporting documents"
        }
    }

    /// The steps a type of request has: pupils only where it names any, outcomes and costs only where it is costed.
    static func steps(for type: RequestType) -> [RequestStep] {
        allCases.filter { step in
            switch step {
            case .pupils: type.maxPupils != 0
            case .outcomes, .costs: type.isCosted
            case .about, .schools, .documents: true
            }
        }
    }
}

/// A request as the pages show it: check your answers, its people and its history.
struct RequestPageModel: Sendable {
    struct Row: Sendable {
        var key: String
        var value: String
        var changeHref: String?
    }

    struct Line: Sendable {
        var category: String
        var description: String
        var unitCost: String
        var quantity: Int
        var funder: String
        var total: String
    }

    struct Event: Sendable {
        var when: String
        var who: String
        var what: String
        var note: String?
    }

    struct Advice: Sendable {
        var givenOn: String
        var kind: String
        var author: String
        var summary: String
        var recommendations: String
        var followUpOn: String?

        init(_ a: AdviceView) {
            givenOn = a.entry.givenOn.long
            kind = a.entry.kind.label
            author = a.author
            summary = a.entry.summary
            recommendations = a.entry.recommendations
            followUpOn = a.entry.followUpOn?.long
        }
    }

    struct Action: Sendable {
        var path: String
        var label: String
        var isReturn: Bool
        var isWarning: Bool
    }

    var id: String
    var title: String
    var typeName: String
    var state: String
    var hold: String?
    var placement: String?
    var questions: String?
    var about: [Row]
    var schools: [Row]
    var pupils: [Row]
    var hasPupilsStep: Bool
    var pupilsHref: String?
    var outcomes: [Row]
    var isCosted: Bool
    var lines: [Line]
    var hasLines: Bool
    var linesHref: String?
    var ask: String
    var schoolFunded: String
    var actions: [Action]
    var hasActions: Bool
    var advice: [Advice]
    var hasAdvice: Bool
    var canAdvise: Bool
    var events: [Event]
    var holds: [String]
    var hasHolds: Bool
    var documents: [Row]
    var referrals: [String]
    var hasReferrals: Bool
    var meetingID: String?
    var meeting: String?

    init(_ view: RequestView, actor: Actor) {
        let editable = view.state == .draft && actor.schools(as: .senco).contains(view.leadSchoolID)
        func change(_ step: RequestStep) -> String? { editable ? "/requests/\(view.id)/edit/\(step.rawValue)" : nil }
        let d = view.draft
        id = view.id.description
        title = d.title
        typeName = view.type.name
        state = RequestWords.state(view.state)
        hold = view.state == .withdrawn ? nil : view.hold
        placement = view.state == .scheduled || view.state == .nominated ? view.placementReason : nil
        questions = view.state == .draft ? view.events.first { $0.action == RequestAction.returnToSchool.rawValue }?.note : nil
        var about = [Row(key: "Title", value: d.title, changeHref: change(.about)),
                     Row(key: "The need", value: d.need.isEmpty ? "Not given yet" : d.need, changeHref: change(.about)),
                     Row(key: "Areas of need", value: d.areasOfNeed.isEmpty ? "None chosen" : d.areasOfNeed.map(\.label).joined(separator: "; "),
                         changeHref: change(.about))]
        if view.type.isCosted {
            about.append(Row(key: "What the school tried already", value: d.tried.isEmpty ? "Not given yet" : d.tried, changeHref: change(.about)))
            about.append(Row(key: "Terms asked", value: d.termsAsked.map(String.init) ?? "Not given yet", changeHref: change(.about)))
        }
        if view.type.describesCohort { about.append(Row(key: "The cohort", value: d.cohort ?? "Not given yet", changeHref: change(.about))) }
        self.about = about
        schools = [Row(key: "Lead school", value: view.leadSchool + (view.type.needsEndorsement ? (view.leadEndorsed ? " (endorsed)" : " (not yet endorsed)") : ""),
                       changeHref: nil)]
            + view.partners.map { Row(key: "Partner school", value: $0.name + ($0.confirmed ? ", confirmed" : ", not yet confirmed") + ($0.endorsed ? ", endorsed" : ""),
                                      changeHref: change(.schools)) }
        if view.partners.isEmpty { schools.append(Row(key: "Partner schools", value: "None", changeHref: change(.schools))) }
        pupils = view.pupils.map { pupil in
            Row(key: "Pupil", value: pupil.name ?? pupil.pseudonym ?? (pupil.withheld == "consent_withdrawn" ? "Withheld: consent withdrawn" : "Withheld: no consent to share"),
                changeHref: nil)
        }
        hasPupilsStep = view.type.maxPupils != 0
        let namesPupils = view.state == .draft && (actor.schools(as: .senco).contains(view.leadSchoolID)
            || view.partners.contains { actor.schools(as: .senco).contains($0.schoolID) })
        pupilsHref = hasPupilsStep && namesPupils ? "/requests/\(view.id)/edit/pupils" : nil
        outcomes = d.outcomes.enumerated().map { index, o in
            Row(key: "Outcome \(index + 1)", value: "\(o.outcome). Measured by \(o.measure), from \(o.baseline) to \(o.target).", changeHref: change(.outcomes))
        }
        isCosted = view.type.isCosted
        lines = d.lines.map { Line(category: $0.category.label, description: $0.description + ($0.staffRole.map { " (\($0))" } ?? ""),
                                   unitCost: $0.unitCost.formatted, quantity: $0.quantity, funder: $0.funder.label, total: $0.total.formatted) }
        hasLines = !d.lines.isEmpty
        linesHref = change(.costs)
        ask = d.lines.filter { $0.funder == .cluster }.reduce(Pence.zero) { $0 + $1.total }.formatted
        schoolFunded = d.lines.filter { $0.funder == .school }.reduce(Pence.zero) { $0 + $1.total }.formatted
        actions = RequestStore.allowedActions(actor, view).map { action in
            Action(path: "/requests/\(view.id)/actions/\(action.rawValue)", label: RequestWords.button(action), isReturn: action == .returnToSchool,
                   isWarning: action == .withdraw || action == .withdrawPart)
        }
        hasActions = !actions.isEmpty
        advice = view.advice.map(Advice.init)
        hasAdvice = !advice.isEmpty
        canAdvise = actor.roles.contains(.educationalPsychologist) && view.state != .withdrawn
        events = view.events.map { e in
            Event(when: HTMLResponses.display(e.at), who: e.actor.isEmpty ? "Someone" : e.actor,
                  what: e.from == e.to ? "\(e.action.replacingOccurrences(of: "_", with: " ").capitalized)" : "\(RequestWords.state(e.from)) to \(RequestWords.state(e.to))",
                  note: e.note)
        }
        holds = view.holds.map { hold in
            "Held from \(HTMLResponses.display(hold.began)) " + (hold.ended.map { "until \(HTMLResponses.display($0))" } ?? "until now") + ": \(hold.reason)."
        }
        hasHolds = !holds.isEmpty
        documents = d.documents.enumerated().map { index, doc in
            Row(key: doc.title, value: (doc.datedOn.map { MeetingController.longDate($0) + ", " } ?? "") + "kept at " + doc.keptAt, changeHref: change(.documents))
        }
        if documents.isEmpty { documents = [Row(key: "Documents", value: "None yet", changeHref: change(.documents))] }
        referrals = view.referrals.map { r in
            let name = view.pupils.first { $0.pupilID == r.pupilID }?.name ?? "A pupil named here"
            return "\(name): EHC needs assessment requested, received \(MeetingController.longDate(r.receivedOn))"
                + (r.outcome.map { ", outcome \($0.replacingOccurrences(of: "_", with: " "))" } ?? r.decision.map { ", decision: \($0 == "assess" ? "assess" : "not to assess")" } ?? ", awaiting the council's decision")
                + ". Cluster funding never holds this up."
        }
        hasReferrals = !referrals.isEmpty
        meetingID = view.meetingID?.description
        meeting = view.meetsOn.map { "On the planning meeting on \($0.long)." }
    }
}
