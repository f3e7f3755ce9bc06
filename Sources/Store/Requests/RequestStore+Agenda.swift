import Domain
import Foundation
import PQ

/// One pupil on an agenda, as `meeting_agenda` lets the reader see them: a name (with the id, for the audit trail), a
/// pseudonym, or only why they are withheld.
public struct AgendaPupil: Codable, Sendable, Hashable {
    public var id: String?
    public var name: String?
    public var pseudonym: String?
    public var withheld: String?
}

public struct AgendaOutcome: Codable, Sendable, Hashable {
    public var outcome: String
    public var measure: String
    public var baseline: String
    public var target: String
}

/// EP advice as the agenda shows it to the panel.
public struct AgendaAdvice: Codable, Sendable, Hashable {
    public var givenOn: String
    public var kind: String
    public var summary: String
    public var recommendations: String
    public var author: String
}

/// One request on a planning meeting's agenda.
public struct AgendaItem: Sendable {
    public var requestID: ID<FundingRequest>
    public var typeName: String
    public var title: String
    public var leadSchool: String
    public var partnerSchools: [String]
    public var state: RequestState
    public var ask: Pence
    public var outcomes: [AgendaOutcome]
    public var pupils: [AgendaPupil]
    public var advice: [AgendaAdvice]
}

extension RequestStore {
    /// The agenda of a meeting the actor may see, computed in PostgreSQL (`meeting_agenda`), which decides what of each
    /// pupil leaves the database for this reader. The read is audited with the pupils whose names it showed.
    public func agenda(_ actor: Actor, meeting: ID<Meeting>, request: RequestInfo) async throws -> [AgendaItem] {
        try await database.transaction(actingAs: actor.userID) { tx in
            guard try await tx.first("SELECT 1 FROM meetings WHERE id = \(meeting)") != nil else { throw DomainError.notFound("There is no such meeting.") }
            let items = try await tx.query(
                """
                SELECT request_id, type_name, title, lead_school, partner_schools, state, ask_pence, outcomes, pupils, advice
                FROM meeting_agenda(\(meeting)) LIMIT 200
                """
            ).decode((ID<FundingRequest>, String, String, String, [String], String, Int64, JSONB<[AgendaOutcome]>, JSONB<[AgendaPupil]>, JSONB<[AgendaAdvice]>).self).map {
                AgendaItem(requestID: $0.0, typeName: $0.1, title: $0.2, leadSchool: $0.3, partnerSchools: $0.4, state: RequestState(rawValue: $0.5) ?? .scheduled,
                           ask: Pence($0.6), outcomes: $0.7.value, pupils: $0.8.value, advice: $0.9.value)
            }
            let named = items.flatMap(\.pupils).compactMap(\.id)
            // Recorded as a list of pupils, so officers find it by any pupil named on it, with the meeting beside it.
            try await AuditLog.append(.init(actor: actor.userID, action: "pupils.listed", entityType: "pupil_list",
                                            after: ["view": "agenda", "meetingId": meeting.description, "requests": String(items.count),
                                                    "pupilIds": named.joined(separator: ","), "count": String(named.count)]), request: request, in: tx)
            return items
        }
    }
}
