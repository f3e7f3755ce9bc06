import Domain
import Foundation
import Hummingbird
import Store

/// Advice as the API and the form take it (the form's dates may be typed the English way).
struct AdviceForm: Decodable, Sendable {
    var givenOn: String?
    var kind: String?
    var summary: String?
    var recommendations: String?
    var followUpOn: String?

    enum CodingKeys: String, CodingKey { case givenOn, kind, summary, recommendations, followUpOn }

    init() {}

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        givenOn = try c.decodeIfPresent(String.self, forKey: .givenOn)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        summary = try c.decodeIfPresent(String.self, forKey: .summary)
        recommendations = try c.decodeUnlessNull(String.self, forKey: .recommendations)
        followUpOn = try c.decodeUnlessNull(String.self, forKey: .followUpOn)
    }

    func entry(typedDates: Bool) throws(DomainError) -> AdviceEntry {
        var issues: [DomainError.FieldIssue] = []
        let givenOn = optionalDate(givenOn, "/givenOn", typed: typedDates, issues: &issues)
        if givenOn == nil, !issues.contains(where: { $0.pointer == "/givenOn" }) { issues.append(.init(pointer: "/givenOn", detail: "Enter the date the advice was given.")) }
        let kind: AdviceKind? = choice(kind, "/kind", "the kind of advice", issues: &issues)
        let followUp = optionalDate(followUpOn, "/followUpOn", typed: typedDates, issues: &issues)
        if (summary ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { issues.append(.init(pointer: "/summary", detail: "Summarise the advice.")) }
        guard issues.isEmpty, let givenOn, let kind else { throw .validation(issues) }
        return AdviceEntry(givenOn: givenOn, kind: kind, summary: summary ?? "", recommendations: recommendations ?? "", followUpOn: followUp)
    }
}

/// Advice as the API answers it.
struct AdviceBody: ResponseEncodable {
    var id: String
    var requestId: String?
    var pupilId: String?
    var author: String
    var givenOn: String
    var kind: String
    var summary: String
    var recommendations: String
    var followUpOn: String?

    init(_ a: AdviceView) {
        id = a.id.description
        requestId = a.requestID?.description
        pupilId = a.pupilID?.description
        author = a.author
        givenOn = a.entry.givenOn.iso
        kind = a.entry.kind.rawValue
        summary = a.entry.summary
        recommendations = a.entry.recommendations
        followUpOn = a.entry.followUpOn?.iso
    }
}

struct FollowUpBody: Encodable, Sendable {
    var adviceId: String
    var requestId: String?
    var pupilId: String?
    var subject: String
    var clusterName: String
    var followUpOn: String
    var due: Bool
}
