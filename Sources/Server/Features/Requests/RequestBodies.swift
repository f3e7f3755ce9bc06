import Domain
import Foundation
import Hummingbird
import Store

/// An intended outcome, as the API takes and gives it.
struct OutcomeBody: Codable, Sendable {
    var outcome: String
    var measure: String
    var baseline: String
    var target: String
}

/// A supporting document by reference, as the API takes and gives it.
struct DocumentBody: Codable, Sendable {
    var title: String
    var datedOn: String?
    var keptAt: String
}

/// A change to a draft as the API takes it: every field may be left out (it keeps its value) but not sent as null.
struct DraftChange: Decodable, Sendable {
    typealias Outcome = OutcomeBody

    struct Line: Decodable, Sendable {
        var category: String
        var description: String
        var staffRole: String?
        var unitCostPence: Int64
        var quantity: Int
        var funder: String
    }

    struct Pupils: Decodable, Sendable {
        var schoolId: String
        var pupilIds: [String]
    }

    var title: String?
    var need: String?
    var tried: String?
    var termsAsked: Int?
    var cohort: String?
    var outcomes: [Outcome]?
    var lines: [Line]?
    var partnerSchoolIds: [String]?
    var pupils: Pupils?
    var documents: [DocumentBody]?
    var areasOfNeed: [String]?

    enum CodingKeys: String, CodingKey { case title, need, tried, termsAsked, cohort, outcomes, lines, partnerSchoolIds, pupils, documents, areasOfNeed }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        title = try c.decodeUnlessNull(String.self, forKey: .title)
        need = try c.decodeUnlessNull(String.self, forKey: .need)
        tried = try c.decodeUnlessNull(String.self, forKey: .tried)
        termsAsked = try c.decodeUnlessNull(Int.self, forKey: .termsAsked)
        cohort = try c.decodeUnlessNull(String.self, forKey: .cohort)
        outcomes = try c.decodeUnlessNull([Outcome].self, forKey: .outcomes)
        lines = try c.decodeUnlessNull([Line].self, forKey: .lines)
        partnerSchoolIds = try c.decodeUnlessNull([String].self, forKey: .partnerSchoolIds)
        pupils = try c.decodeUnlessNull(Pupils.self, forKey: .pupils)
        documents = try c.decodeUnlessNull([DocumentBody].self, forKey: .documents)
        areasOfNeed = try c.decodeUnlessNull([String].self, forKey: .areasOfNeed)
    }

    var changesDraft: Bool {
        title != nil || need != nil || tried != nil || termsAsked != nil || cohort != nil || outcomes != nil || lines != nil || partnerSchoolIds != nil
            || documents != nil || areasOfNeed != nil
    }

    func applied(to draft: RequestDraft) throws(DomainError) -> RequestDraft {
        var draft = draft
        var issues: [DomainError.FieldIssue] = []
        if let title { draft.title = title }
        if let need { draft.need = need }
        if let tried { draft.tried = tried }
        if let termsAsked { draft.termsAsked = termsAsked }
        if let cohort { draft.cohort = cohort }
        if let outcomes { draft.outcomes = outcomes.map { IntendedOutcome(outcome: $0.outcome, measure: $0.measure, baseline: $0.baseline, target: $0.target) } }
        if let lines {
            draft.lines = []
            for (index, line) in lines.enumerated() {
                let category = ProvisionCategory(rawValue: line.category)
                let funder = ProvisionFunder(rawValue: line.funder)
                if category == nil { issues.append(.init(pointer: "/lines/\(index)/category", detail: "Choose a category: " + ProvisionCategory.allCases.map(\.rawValue).joined(separator: ", ") + ".")) }
                if funder == nil { issues.append(.init(pointer: "/lines/\(index)/funder", detail: "Choose who funds the line: school, cluster or other.")) }
                if let category, let funder {
                    draft.lines.append(ProvisionLine(category: category, description: line.description, staffRole: line.staffRole, unitCost: Pence(line.unitCostPence),
                                                     quantity: line.quantity, funder: funder))
                }
            }
        }
        if let areasOfNeed {
            let areas = areasOfNeed.compactMap(AreaOfNeed.init(rawValue:))
            if areas.count != areasOfNeed.count {
                issues.append(.init(pointer: "/areasOfNeed", detail: "Choose areas of need from: " + AreaOfNeed.allCases.map(\.rawValue).joined(separator: ", ") + "."))
            }
            draft.areasOfNeed = AreaOfNeed.allCases.filter(areas.contains)
        }
        if let documents {
            draft.documents = documents.enumerated().map { index, d in
                DocumentReference(title: d.title, datedOn: optionalDate(d.datedOn, "/documents/\(index)/datedOn", typed: false, issues: &issues), keptAt: d.keptAt)
            }
        }
        guard issues.isEmpty else { throw .validation(issues) }
        return draft
    }

    func partners() throws(DomainError) -> [ID<School>]? {
        guard let partnerSchoolIds else { return nil }
        let ids = partnerSchoolIds.compactMap(ID<School>.init)
        guard ids.count == partnerSchoolIds.count else { throw .validation([.init(pointer: "/partnerSchoolIds", detail: "Name each partner school by its id.")]) }
        return ids
    }

    func namedPupils() throws(DomainError) -> (school: ID<School>, ids: [ID<Pupil>])? {
        guard let pupils else { return nil }
        let ids = pupils.pupilIds.compactMap(ID<Pupil>.init)
        guard let school = ID<School>(pupils.schoolId), ids.count == pupils.pupilIds.count else {
            throw .validation([.init(pointer: "/pupils", detail: "Name the school and each pupil by their ids.")])
        }
        return (school, ids)
    }
}

/// A request as the API answers it.
struct RequestBody: ResponseEncodable {
    typealias Outcome = OutcomeBody

    struct Line: Encodable, Sendable {
        var category: String
        var description: String
        var staffRole: String?
        var unitCostPence: Int64
        var quantity: Int
        var funder: String
        var totalPence: Int64
    }

    struct Partner: Encodable, Sendable {
        var schoolId: String
        var schoolName: String
        var confirmed: Bool
        var endorsed: Bool
    }

    struct Pupil: Encodable, Sendable {
        var pupilId: String
        var schoolId: String
        var name: String?
        var pseudonym: String?
        var withheld: String?
    }

    var id: String
    var type: String
    var typeName: String
    var leadSchoolId: String
    var leadSchoolName: String
    var state: String
    var title: String
    var need: String
    var tried: String
    var termsAsked: Int?
    var cohort: String?
    var outcomes: [Outcome]
    var lines: [Line]
    var askPence: Int64
    var schoolFundedPence: Int64
    var leadEndorsed: Bool
    var partners: [Partner]
    var pupils: [Pupil]
    var hold: String?
    var meetingId: String?
    var placementReason: String?
    var advice: [AdviceBody]
    var holds: [Hold]
    var documents: [DocumentBody]
    var referrals: [Referral]
    var areasOfNeed: [String]

    struct Referral: Encodable, Sendable {
        var referralId: String
        var pupilId: String
        var receivedOn: String
        var decision: String?
        var outcome: String?
    }

    struct Hold: Encodable, Sendable {
        var reason: String
        var beganAt: Date
        var endedAt: Date?
    }

    init(_ r: RequestView) {
        let d = r.draft
        id = r.id.description
        type = r.type.code
        typeName = r.type.name
        leadSchoolId = r.leadSchoolID.description
        leadSchoolName = r.leadSchool
        state = r.state.rawValue
        title = d.title
        need = d.need
        tried = d.tried
        termsAsked = d.termsAsked
        cohort = d.cohort
        outcomes = d.outcomes.map { Outcome(outcome: $0.outcome, measure: $0.measure, baseline: $0.baseline, target: $0.target) }
        lines = d.lines.map { Line(category: $0.category.rawValue, description: $0.description, staffRole: $0.staffRole, unitCostPence: $0.unitCost.value,
                                   quantity: $0.quantity, funder: $0.funder.rawValue, totalPence: $0.total.value) }
        askPence = d.lines.filter { $0.funder == .cluster }.reduce(0) { $0 + $1.total.value }
        schoolFundedPence = d.lines.filter { $0.funder == .school }.reduce(0) { $0 + $1.total.value }
        leadEndorsed = r.leadEndorsed
        partners = r.partners.map { Partner(schoolId: $0.schoolID.description, schoolName: $0.name, confirmed: $0.confirmed, endorsed: $0.endorsed) }
        pupils = r.pupils.map { Pupil(pupilId: $0.pupilID.description, schoolId: $0.schoolID.description, name: $0.name, pseudonym: $0.pseudonym, withheld: $0.withheld) }
        hold = r.hold
        meetingId = r.meetingID?.description
        placementReason = r.placementReason
        advice = r.advice.map(AdviceBody.init)
        holds = r.holds.map { Hold(reason: $0.reason, beganAt: $0.began, endedAt: $0.ended) }
        areasOfNeed = d.areasOfNeed.map(\.rawValue)
        documents = d.documents.map { DocumentBody(title: $0.title, datedOn: $0.datedOn?.iso, keptAt: $0.keptAt) }
        referrals = r.referrals.map {
            Referral(referralId: $0.referralID.description, pupilId: $0.pupilID.description, receivedOn: $0.receivedOn.iso, decision: $0.decision, outcome: $0.outcome)
        }
    }
}
