import Domain
import Foundation
import PQ

/// Which requests a list shows.
public struct RequestFilter: Sendable, Hashable {
    public var state: RequestState?
    /// Only held requests.
    public var heldOnly: Bool
    /// Only requests waiting on the reader: to submit, confirm, endorse or nominate (by `RequestLifecycle`).
    public var waitingOnly: Bool
    /// Only requests of a type decided by the emergency route.
    public var emergencyOnly: Bool

    public init(state: RequestState? = nil, heldOnly: Bool = false, waitingOnly: Bool = false, emergencyOnly: Bool = false) {
        self.state = state
        self.heldOnly = heldOnly
        self.waitingOnly = waitingOnly
        self.emergencyOnly = emergencyOnly
    }
}

/// A planning meeting's cut-off, ahead.
public struct CutOff: Sendable, Hashable {
    public var meetingID: ID<Meeting>
    public var cluster: String
    public var meetsOn: CalendarDate
    public var cutOffOn: CalendarDate
}

/// The top of the requests page: how many in each state, held, waiting on the reader, and the next cut-offs.
public struct RequestDashboard: Sendable {
    public var counts: [RequestState: Int]
    public var held: Int
    public var waiting: Int
    /// Emergency requests submitted and awaiting the emergency route's decision.
    public var emergencies: Int
    public var cutOffs: [CutOff]
}

extension RequestStore {
    public func dashboard(_ actor: Actor) async throws -> RequestDashboard {
        let today = today()
        return try await database.transaction(actingAs: actor.userID) { tx in
            let counts = try await tx.query("SELECT state, count(*) FROM funding_requests GROUP BY state").decode((String, Int).self)
            let held = try await tx.one(
                "SELECT count(*) FROM funding_requests_held(NULL)"
            ).decode(Int.self, at: 0)
            let waiting = try await Self.waiting(actor, in: tx).count
            let emergencies = try await tx.one(
                "SELECT count(*) FROM funding_requests r JOIN request_types t ON t.code = r.type_code WHERE t.route = 'emergency' AND r.state = 'submitted'"
            ).decode(Int.self, at: 0)
            let clusters = actor.clusters.map(\.description)
            let cutOffs = try await tx.query(
                """
                SELECT m.id, c.name, m.meets_on, m.cut_off_on FROM meetings m JOIN clusters c ON c.id = m.cluster_id
                WHERE m.kind = 'planning' AND m.status = 'scheduled' AND m.cut_off_on >= \(today)
                  AND (\(actor.isOfficer) OR m.cluster_id::text = ANY (\(clusters)::text[]))
                ORDER BY m.cut_off_on, c.name LIMIT 4
                """
            ).decode((ID<Meeting>, String, CalendarDate, CalendarDate).self).map { CutOff(meetingID: $0.0, cluster: $0.1, meetsOn: $0.2, cutOffOn: $0.3) }
            return RequestDashboard(counts: Dictionary(counts.compactMap { row in RequestState(rawValue: row.0).map { ($0, row.1) } }, uniquingKeysWith: +),
                                    held: held, waiting: waiting, emergencies: emergencies, cutOffs: cutOffs)
        }
    }

    /// The requests the actor reaches, filtered, most recently changed first. No pupil is named in lists.
    public func list(_ actor: Actor, filter: RequestFilter, page number: Int?, size: Int? = nil) async throws -> Page<RequestSummary> {
        guard filter.waitingOnly else {
            return try await list(actor, state: filter.state, heldOnly: filter.heldOnly, emergencyOnly: filter.emergencyOnly, page: number, size: size)
        }
        let (number, size, offset) = Page<RequestSummary>.bounds(number: number, size: size)
        return try await database.transaction(actingAs: actor.userID) { tx in
            // Few requests wait on any one person, so the queue is decided request by request by the lifecycle itself.
            let waiting = try await Self.waiting(actor, in: tx).filter { filter.state == nil || $0.state == filter.state }
            return Page(items: Array(waiting.dropFirst(offset).prefix(size)), number: number, size: size, total: waiting.count)
        }
    }

    /// The open requests on which `RequestLifecycle` lets the actor submit, confirm, endorse or nominate.
    static func waiting(_ actor: Actor, in tx: Transaction) async throws -> [RequestSummary] {
        let rows = try await tx.query(
            """
            SELECT r.id, t.name, r.title, s.name, r.state, m.meets_on, h.reason, r.updated_at, r.lead_school_id, r.lead_endorsed_at IS NOT NULL,
                   t.route, t.is_costed, r.meeting_id, coalesce(m.chair_user_id, c.locality_lead_user_id),
                   coalesce((SELECT array_agg(p.school_id::text || ':' || (p.confirmed_at IS NOT NULL) || ':' || (p.endorsed_at IS NOT NULL))
                             FROM funding_request_partners p WHERE p.request_id = r.id), '{}')
            FROM funding_requests r JOIN request_types t ON t.code = r.type_code JOIN schools s ON s.id = r.lead_school_id
            LEFT JOIN meetings m ON m.id = r.meeting_id LEFT JOIN clusters c ON c.id = m.cluster_id
            LEFT JOIN funding_requests_held(NULL) h ON h.request_id = r.id
            WHERE r.state IN ('draft', 'submitted', 'scheduled')
            ORDER BY r.updated_at DESC, r.id LIMIT 1000
            """
        ).decode((ID<FundingRequest>, String, String, String, String, CalendarDate?, String?, Date, ID<School>, Bool, String, Bool, ID<Meeting>?, ID<User>?,
                  [String]).self)
        return rows.compactMap { row in
            let partners = row.14.compactMap { text -> RequestView.Partner? in
                let parts = text.split(separator: ":").map(String.init)
                guard parts.count == 3, let school = ID<School>(parts[0]) else { return nil }
                return RequestView.Partner(schoolID: school, name: "", confirmed: parts[1] == "true", endorsed: parts[2] == "true")
            }
            let type = RequestType(code: "", name: row.1, minPupils: 0, maxPupils: nil, describesCohort: false, isCosted: row.11,
                                   route: DecisionRoute(rawValue: row.10) ?? .meeting, payment: .none, appliesThreshold: false)
            let state = RequestState(rawValue: row.4) ?? .draft
            let view = RequestView(id: row.0, type: type, leadSchoolID: row.8, leadSchool: row.3, state: state, draft: RequestDraft(title: row.2),
                                   leadEndorsed: row.9, partners: partners, pupils: [], hold: row.6, meetingID: row.12, placementReason: nil, chair: row.13, meetsOn: row.5,
                                   events: [], advice: [], holds: [], referrals: [])
            let (situation, relations) = Self.situation(actor, view, for: nil)
            guard RequestLifecycle.waitsOn(situation.situation, by: relations) else { return nil }
            return RequestSummary(id: row.0, typeName: row.1, title: row.2, leadSchool: row.3, state: state, meetsOn: row.5, hold: row.6, updatedAt: row.7)
        }
    }
}
