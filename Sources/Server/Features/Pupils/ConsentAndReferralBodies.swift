import Domain
import Foundation

/// Reads an enumeration's raw value, or names the field and its choices.
func choice<T: RawRepresentable & CaseIterable>(_ text: String?, _ pointer: String, _ what: String, issues: inout [DomainError.FieldIssue]) -> T?
where T.RawValue == String {
    if let text, let value = T(rawValue: text.trimmingCharacters(in: .whitespaces)) { return value }
    issues.append(.init(pointer: pointer, detail: "Choose \(what): " + T.allCases.map(\.rawValue).joined(separator: ", ") + "."))
    return nil
}

/// Reads an optional date: empty is absent; the API takes ISO dates, pages also take 15/10/2018.
func optionalDate(_ text: String?, _ pointer: String, typed: Bool, issues: inout [DomainError.FieldIssue]) -> CalendarDate? {
    guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
    if let date = typed ? CalendarDate(typed: text) : CalendarDate(iso: text) { return date }
    issues.append(.init(pointer: pointer, detail: typed ? "Enter the date as day, month and year, like 15/10/2018." : "Enter the date as YYYY-MM-DD."))
    return nil
}

/// A record of consent as the API and the page take it (the page's dates may be typed the English way). A required
/// field left out or null is named in the validation problem with the rest; an optional one may be left out, not null.
struct ConsentBody: Decodable, Sendable {
    var purpose: String?
    var kind: String?
    var givenByName: String?
    var relationship: String?
    var givenOn: String?
    var method: String?
    var evidenceReference: String?
    var replaces: String?
    var correctionReason: String?

    enum CodingKeys: String, CodingKey { case purpose, kind, givenByName, relationship, givenOn, method, evidenceReference, replaces, correctionReason }

    init() {}

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        purpose = try container.decodeIfPresent(String.self, forKey: .purpose)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        givenByName = try container.decodeIfPresent(String.self, forKey: .givenByName)
        relationship = try container.decodeIfPresent(String.self, forKey: .relationship)
        givenOn = try container.decodeIfPresent(String.self, forKey: .givenOn)
        method = try container.decodeIfPresent(String.self, forKey: .method)
        evidenceReference = try container.decodeIfPresent(String.self, forKey: .evidenceReference)
        replaces = try container.decodeUnlessNull(String.self, forKey: .replaces)
        correctionReason = try container.decodeUnlessNull(String.self, forKey: .correctionReason)
    }

    func entry(typedDates: Bool) throws(DomainError) -> ConsentEntry {
        var issues: [DomainError.FieldIssue] = []
        let purpose: ConsentPurpose? = choice(purpose, "/purpose", "what the consent covers", issues: &issues)
        let kind: ConsentKind? = choice(kind, "/kind", "given or withdrawn", issues: &issues)
        let relationship: ConsentRelationship? = choice(relationship, "/relationship", "the relationship to the pupil", issues: &issues)
        let givenOn = optionalDate(givenOn, "/givenOn", typed: typedDates, issues: &issues)
        if givenOn == nil, !issues.contains(where: { $0.pointer == "/givenOn" }) {
            issues.append(.init(pointer: "/givenOn", detail: "Enter the date consent was given or withdrawn."))
        }
        let method: ConsentMethod? = choice(method, "/method", "how it was given", issues: &issues)
        var replaced: ID<Consent>?
        if let text = replaces?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            replaced = ID<Consent>(text)
            if replaced == nil { issues.append(.init(pointer: "/replaces", detail: "There is no such record of this pupil's consent to correct.")) }
        }
        guard issues.isEmpty, let purpose, let kind, let relationship, let givenOn, let method else {
            // Every problem at once: the text fields too, as the rules would find them.
            if (givenByName ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                issues.append(.init(pointer: "/givenByName", detail: "Enter the name of the person who gave or withdrew consent."))
            }
            if (evidenceReference ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                issues.append(.init(pointer: "/evidenceReference", detail: "Enter where the evidence is kept."))
            }
            throw .validation(issues)
        }
        return ConsentEntry(purpose: purpose, kind: kind, givenByName: givenByName ?? "", relationship: relationship, givenOn: givenOn, method: method,
                            evidenceReference: evidenceReference ?? "", replaces: replaced, correctionReason: correctionReason)
    }
}

/// A referral as the API and the page take it: who asked and when, then the council's decisions and dates.
struct ReferralBody: Decodable, Sendable {
    var requestedBy: String?
    var receivedOn: String?
    var decision: String?
    var decidedOn: String?
    var noPlanNoticeOn: String?
    var draftPlanOn: String?
    var finalPlanOn: String?
    var outcome: String?
    var outcomeOn: String?
    var appealOn: String?

    enum CodingKeys: String, CodingKey {
        case requestedBy, receivedOn, decision, decidedOn, noPlanNoticeOn, draftPlanOn, finalPlanOn, outcome, outcomeOn, appealOn
    }

    init() {}

    init(_ entry: ReferralEntry) {
        let t = entry.timeline
        requestedBy = entry.requestedBy.rawValue
        receivedOn = t.receivedOn.iso
        decision = t.decision?.rawValue
        decidedOn = t.decidedOn?.iso
        noPlanNoticeOn = t.noPlanNoticeOn?.iso
        draftPlanOn = entry.draftPlanOn?.iso
        finalPlanOn = t.finalPlanOn?.iso
        outcome = t.outcome?.rawValue
        outcomeOn = t.outcomeOn?.iso
        appealOn = entry.appealOn?.iso
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requestedBy = try container.decodeIfPresent(String.self, forKey: .requestedBy)
        receivedOn = try container.decodeIfPresent(String.self, forKey: .receivedOn)
        decision = try container.decodeUnlessNull(String.self, forKey: .decision)
        decidedOn = try container.decodeUnlessNull(String.self, forKey: .decidedOn)
        noPlanNoticeOn = try container.decodeUnlessNull(String.self, forKey: .noPlanNoticeOn)
        draftPlanOn = try container.decodeUnlessNull(String.self, forKey: .draftPlanOn)
        finalPlanOn = try container.decodeUnlessNull(String.self, forKey: .finalPlanOn)
        outcome = try container.decodeUnlessNull(String.self, forKey: .outcome)
        outcomeOn = try container.decodeUnlessNull(String.self, forKey: .outcomeOn)
        appealOn = try container.decodeUnlessNull(String.self, forKey: .appealOn)
    }

    func entry(typedDates: Bool) throws(DomainError) -> ReferralEntry {
        var issues: [DomainError.FieldIssue] = []
        let requester: ReferralRequester? = choice(requestedBy, "/requestedBy", "who asked for the assessment", issues: &issues)
        let received = optionalDate(receivedOn, "/receivedOn", typed: typedDates, issues: &issues)
        if received == nil, !issues.contains(where: { $0.pointer == "/receivedOn" }) {
            issues.append(.init(pointer: "/receivedOn", detail: "Enter the date the council received the request."))
        }
        var decided: ReferralTimeline.Decision?
        if let text = decision, !text.isEmpty { decided = choice(text, "/decision", "the decision", issues: &issues) }
        var outcomeValue: ReferralTimeline.Outcome?
        if let text = outcome, !text.isEmpty { outcomeValue = choice(text, "/outcome", "the outcome", issues: &issues) }
        let dates = [("/decidedOn", decidedOn), ("/noPlanNoticeOn", noPlanNoticeOn), ("/draftPlanOn", draftPlanOn), ("/finalPlanOn", finalPlanOn),
                     ("/outcomeOn", outcomeOn), ("/appealOn", appealOn)].map { optionalDate($0.1, $0.0, typed: typedDates, issues: &issues) }
        guard issues.isEmpty, let requester, let received else { throw .validation(issues) }
        let timeline = ReferralTimeline(receivedOn: received, decision: decided, decidedOn: dates[0], noPlanNoticeOn: dates[1], finalPlanOn: dates[3],
                                        outcome: outcomeValue, outcomeOn: dates[4])
        return ReferralEntry(requestedBy: requester, timeline: timeline, draftPlanOn: dates[2], appealOn: dates[5])
    }
}
