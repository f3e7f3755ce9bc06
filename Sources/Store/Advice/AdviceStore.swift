import Domain
import Foundation
import PQ

/// Advice as a reader sees it.
public struct AdviceView: Sendable, Hashable {
    public var id: ID<Advice>
    public var requestID: ID<FundingRequest>?
    public var pupilID: ID<Pupil>?
    public var author: String
    public var entry: AdviceEntry
}

/// A follow-up an EP promised: outstanding until newer advice on the same request or pupil is logged.
public struct FollowUp: Sendable, Hashable {
    public var adviceID: ID<Advice>
    public var requestID: ID<FundingRequest>?
    public var pupilID: ID<Pupil>?
    /// The request's title, or "A pupil" (no pupil is named in lists).
    public var subject: String
    public var cluster: String
    public var followUpOn: CalendarDate
}

/// A request in an EP's caseload: the clusters they support, with how much advice it has.
public struct CaseloadItem: Sendable, Hashable {
    public var requestID: ID<FundingRequest>
    public var title: String
    public var cluster: String
    public var leadSchool: String
    public var state: RequestState
    public var adviceCount: Int
    public var lastAdviceOn: CalendarDate?
}

/// Educational psychologists' advice (sql/0025): logged by an EP of the cluster, read by the lead school, the panel
/// (on the agenda) and officers. Advice is a record: never changed; newer advice follows it.
public struct AdviceStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock = .system) {
        self.database = database
        self.clock = clock
    }

    public func today() -> CalendarDate { CalendarDate.today(at: clock.now()) }

    /// What the advice is about.
    public enum Subject: Sendable {
        case request(ID<FundingRequest>)
        case pupil(ID<Pupil>)
    }

    /// Logs advice on a request or a pupil the EP reaches; for a named pupil (or a request naming pupils) only while
    /// consent to EP involvement is in force for each of them.
    public func record(_ actor: Actor, on subject: Subject, entry: AdviceEntry, request: RequestInfo) async throws -> ID<Advice> {
        try AdviceRules.requireAuthor(actor)
        let entry = try entry.checked(today: today())
        let year = AcademicYear.holding(today()).startYear
        let clusters = actor.assignments.filter { $0.role == .educationalPsychologist }.compactMap { a -> String? in
            if case .cluster(let id) = a.scope { return id.description }
            return nil
        }
        return try await database.transaction(actingAs: actor.userID) { tx in
            let school: ID<School>
            var requestID: ID<FundingRequest>?
            var pupilID: ID<Pupil>?
            switch subject {
            case .request(let id):
                guard let lead = try await tx.first("SELECT lead_school_id FROM funding_requests WHERE id = \(id)")?.decode(ID<School>.self, at: 0) else {
                    throw DomainError.notFound("There is no such request.")
                }
                let unconsented = try await tx.one(
                    "SELECT count(*) FROM funding_request_pupils WHERE request_id = \(id) AND NOT pupil_id = ANY (app_ep_pupil_ids())"
                ).decode(Int.self, at: 0)
                guard unconsented == 0 else {
                    throw DomainError.invalidTransition(
                        "A pupil named on this request has no consent to EP involvement in force, so advice on it cannot be logged until the family consents or the pupil is removed.")
                }
                (school, requestID) = (lead, id)
            case .pupil(let id):
                // The pupils policy lets an EP reach a pupil only while consent to EP involvement is in force.
                guard let found = try await tx.first("SELECT school_id FROM pupils WHERE id = \(id)")?.decode(ID<School>.self, at: 0) else {
                    throw DomainError.notFound("There is no such pupil.")
                }
                (school, pupilID) = (found, id)
            }
            guard let cluster = try await tx.first(
                "SELECT cluster_id FROM cluster_memberships WHERE school_id = \(school) AND academic_year = \(year) AND cluster_id::text = ANY (\(clusters)::text[])"
            )?.decode(ID<Cluster>.self, at: 0) else {
                throw DomainError.forbidden("Only an educational psychologist assigned to the school's cluster logs advice on it.")
            }
            let id = ID<Advice>(UUID())
            try await tx.execute(
                """
                INSERT INTO ep_advice (id, request_id, pupil_id, cluster_id, author_user_id, author_name, given_on, kind, summary, recommendations, follow_up_on)
                VALUES (\(id), \(requestID), \(pupilID), \(cluster), \(actor.userID), \(actor.displayName), \(entry.givenOn), \(entry.kind.rawValue), \(entry.summary),
                        \(entry.recommendations), \(entry.followUpOn))
                """)
            try await AuditLog.append(.init(actor: actor.userID, action: "advice.recorded", entityType: "ep_advice", entityID: id.description,
                                            after: ["requestId": requestID?.description ?? "", "pupilId": pupilID?.description ?? "", "kind": entry.kind.rawValue]),
                                      request: request, in: tx)
            return id
        }
    }

    static func advice(on subject: Subject, in tx: Transaction) async throws -> [AdviceView] {
        let filter: SQL = switch subject {
        case .request(let id): "a.request_id = \(id)"
        case .pupil(let id): "a.pupil_id = \(id)"
        }
        return try await tx.query(
            """
            SELECT a.id, a.request_id, a.pupil_id, a.author_name, a.given_on, a.kind, a.summary, a.recommendations, a.follow_up_on
            FROM ep_advice a WHERE \(filter) ORDER BY a.given_on DESC, a.created_at DESC LIMIT 100
            """
        ).decode((ID<Advice>, ID<FundingRequest>?, ID<Pupil>?, String, CalendarDate, String, String, String, CalendarDate?).self).map {
            AdviceView(id: $0.0, requestID: $0.1, pupilID: $0.2, author: $0.3,
                       entry: AdviceEntry(givenOn: $0.4, kind: AdviceKind(rawValue: $0.5) ?? .consultation, summary: $0.6, recommendations: $0.7, followUpOn: $0.8))
        }
    }

    /// The advice on a request or a pupil the actor may read (row-level security decides), newest first.
    public func advice(_ actor: Actor, on subject: Subject) async throws -> [AdviceView] {
        try await database.transaction(actingAs: actor.userID) { tx in try await Self.advice(on: subject, in: tx) }
    }

    /// The requests of the clusters the EP supports this year, not withdrawn, by cluster then most recently changed.
    public func caseload(_ actor: Actor, page number: Int?) async throws -> Page<CaseloadItem> {
        try AdviceRules.requireAuthor(actor)
        let (number, size, offset) = Page<CaseloadItem>.bounds(number: number, size: nil)
        let year = AcademicYear.holding(today()).startYear
        return try await database.transaction(actingAs: actor.userID) { tx in
            let rows = try await tx.query(
                """
                SELECT r.id, r.title, c.name, s.name, r.state, (SELECT count(*) FROM ep_advice a WHERE a.request_id = r.id),
                       (SELECT max(a.given_on) FROM ep_advice a WHERE a.request_id = r.id), count(*) OVER ()
                FROM funding_requests r JOIN schools s ON s.id = r.lead_school_id
                JOIN cluster_memberships cm ON cm.school_id = r.lead_school_id AND cm.academic_year = \(year)
                JOIN clusters c ON c.id = cm.cluster_id
                WHERE cm.cluster_id = ANY (app_ep_cluster_ids()) AND r.state <> 'withdrawn'
                ORDER BY c.name, r.updated_at DESC, r.id LIMIT \(size) OFFSET \(offset)
                """
            ).decode((ID<FundingRequest>, String, String, String, String, Int, CalendarDate?, Int).self)
            let items = rows.map {
                CaseloadItem(requestID: $0.0, title: $0.1, cluster: $0.2, leadSchool: $0.3, state: RequestState(rawValue: $0.4) ?? .draft, adviceCount: $0.5,
                             lastAdviceOn: $0.6)
            }
            return Page(items: items, number: number, size: size, total: rows.first?.7 ?? 0)
        }
    }

    /// Follow-ups outstanding in the clusters the EP supports (or all, for officers), earliest first.
    public func followUps(_ actor: Actor, page number: Int?) async throws -> Page<FollowUp> {
        guard actor.isOfficer || actor.roles.contains(.educationalPsychologist) else {
            throw DomainError.forbidden("Follow-ups are for educational psychologists and officers.")
        }
        let (number, size, offset) = Page<FollowUp>.bounds(number: number, size: nil)
        return try await database.transaction(actingAs: actor.userID) { tx in
            let rows = try await tx.query(
                """
                SELECT a.id, a.request_id, a.pupil_id, coalesce(r.title, 'A pupil'), c.name, a.follow_up_on, count(*) OVER ()
                FROM ep_advice a JOIN clusters c ON c.id = a.cluster_id LEFT JOIN funding_requests r ON r.id = a.request_id
                WHERE a.follow_up_on IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM ep_advice later
                                  WHERE later.given_on > a.given_on
                                    AND (later.request_id = a.request_id OR later.pupil_id = a.pupil_id))
                ORDER BY a.follow_up_on, a.id LIMIT \(size) OFFSET \(offset)
                """
            ).decode((ID<Advice>, ID<FundingRequest>?, ID<Pupil>?, String, String, CalendarDate, Int).self)
            let items = rows.map { FollowUp(adviceID: $0.0, requestID: $0.1, pupilID: $0.2, subject: $0.3, cluster: $0.4, followUpOn: $0.5) }
            return Page(items: items, number: number, size: size, total: rows.first?.6 ?? 0)
        }
    }
}
