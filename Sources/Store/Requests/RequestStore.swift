import Domain
import Foundation
import PQ

/// A pupil on a request as the reader may see them: by name to their own school (and to officers and consented EPs
/// while consent to share with the panel is in force), otherwise only through the pseudonymised view.
public struct RequestPupil: Sendable, Hashable {
    public var pupilID: ID<Pupil>
    public var schoolID: ID<School>
    /// The name, or nil when the reader sees only the pseudonym.
    public var name: String?
    /// Initials, year group and needs; nil when withheld.
    public var pseudonym: String?
    /// Why the pupil is withheld (`no_consent`, `consent_withdrawn`), if they are.
    public var withheld: String?
}

public struct RequestView: Sendable {
    public struct Partner: Sendable, Hashable {
        public var schoolID: ID<School>
        public var name: String
        public var confirmed: Bool
        public var endorsed: Bool
    }

    public var id: ID<FundingRequest>
    public var type: RequestType
    public var leadSchoolID: ID<School>
    public var leadSchool: String
    public var state: RequestState
    public var draft: RequestDraft
    public var leadEndorsed: Bool
    public var partners: [Partner]
    public var pupils: [RequestPupil]
    /// Why the request is held, if it is.
    public var hold: String?
    public var meetingID: ID<Meeting>?
    public var placementReason: String?
    /// Who chairs the meeting the request is on: the meeting's chair, or the cluster's locality lead.
    public var chair: ID<User>?
    /// The day of that meeting.
    public var meetsOn: CalendarDate?
    /// What happened to it, newest first.
    public var events: [RequestEvent]
    /// EP advice on it, newest first (as row-level security lets the reader see it).
    public var advice: [AdviceView]
    /// When it was held and when each hold was lifted, newest first (sql/0026).
    public var holds: [RequestHold]
    /// The EHC needs-assessment requests of the pupils it names, those the reader may read: the link is the pupil.
    public var referrals: [RequestReferral]
}

/// An EHC needs-assessment request of a pupil named on a funding request. Cluster funding never blocks it: it is
/// shown beside the request, and nothing about the request changes it.
public struct RequestReferral: Sendable, Hashable {
    public var referralID: ID<Referral>
    public var pupilID: ID<Pupil>
    public var receivedOn: CalendarDate
    public var decision: String?
    public var outcome: String?
}

/// One hold on a request, as recorded: why, from when, and until when (nil while it lasts).
public struct RequestHold: Sendable, Hashable {
    public var reason: String
    public var began: Date
    public var ended: Date?
}

/// One step of a request's history.
public struct RequestEvent: Sendable, Hashable {
    public var action: String
    public var from: RequestState
    public var to: RequestState
    public var actor: String
    public var at: Date
    public var note: String?
}

/// Requests from draft to the planning meeting. Every transition goes through `RequestLifecycle.apply`; the store
/// persists only what it returns, with the event and the audit record, in one transaction.
public struct RequestStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock = .system) {
        self.database = database
        self.clock = clock
    }

    public func today() -> CalendarDate { CalendarDate.today(at: clock.now()) }

    /// The council's active types of request.
    public func types(_ actor: Actor) async throws -> [RequestType] {
        try await RequestTypeStore(database: database).types(actor)
    }

    /// Starts a draft led by `school` (its SENCo).
    public func create(_ actor: Actor, type code: String, leadSchool school: ID<School>, title: String, request: RequestInfo) async throws -> ID<FundingRequest> {
        guard actor.schools(as: .senco).contains(school) else { throw DomainError.forbidden("Only the SENCo of the lead school starts a request.") }
        let draft = try RequestDraft(title: title).checkedForSaving()
        return try await database.transaction(actingAs: actor.userID) { tx in
            guard try await RequestTypeStore.types(in: tx).contains(where: { $0.code == code }) else {
                throw DomainError.validation([.init(pointer: "/type", detail: "Choose a type of request from the council's list.")])
            }
            // The id is made here: RETURNING would need the new row to pass the read policy, whose list of the
            // user's requests was taken before the row existed.
            let id = ID<FundingRequest>(UUID())
            try await tx.execute(
                """
                INSERT INTO funding_requests (id, type_code, lead_school_id, title, created_by)
                VALUES (\(id), \(code), \(school), \(draft.title), \(actor.userID))
                """
            )
            try await Self.event(id, "create", from: .draft, to: .draft, actor: actor, note: nil, in: tx)
            try await AuditLog.append(.init(actor: actor.userID, action: "request.created", entityType: "funding_request", entityID: id.description,
                                            after: ["type": code, "leadSchoolId": school.description]), request: request, in: tx)
            return id
        }
    }

    /// Saves what has been typed so far (the lead school's SENCo, while it is a draft): nothing typed is lost, and
    /// nothing but lengths is checked until submission. `partners` replaces the partner schools when given.
    public func save(_ actor: Actor, _ id: ID<FundingRequest>, draft: RequestDraft, partners: [ID<School>]? = nil, request: RequestInfo) async throws {
        let draft = try draft.checkedForSaving()
        try await database.transaction(actingAs: actor.userID) { tx in
            let current = try await Self.header(id, in: tx, locking: true)
            guard actor.schools(as: .senco).contains(current.lead) else { throw DomainError.forbidden("Only the lead school's SENCo changes the request.") }
            guard current.state == .draft else { throw DomainError.invalidTransition("Only a draft is changed; this request is \(current.state.rawValue).") }
            try await tx.execute(
                """
                UPDATE funding_requests SET title = \(draft.title), need = \(draft.need), tried = \(draft.tried), terms_asked = \(draft.termsAsked),
                    cohort = \(draft.cohort), areas_of_need = \(draft.areasOfNeed.map(\.rawValue))::text[], updated_at = now()
                WHERE id = \(id)
                """
            )
            try await tx.execute("DELETE FROM funding_request_outcomes WHERE request_id = \(id)")
            for (position, o) in draft.outcomes.enumerated() {
                try await tx.execute(
                    """
                    INSERT INTO funding_request_outcomes (request_id, position, outcome, measure, baseline, target)
                    VALUES (\(id), \(position), \(o.outcome), \(o.measure), \(o.baseline), \(o.target))
                    """)
            }
            try await tx.execute("DELETE FROM funding_request_lines WHERE request_id = \(id)")
            for (position, l) in draft.lines.enumerated() {
                try await tx.execute(
                    """
                    INSERT INTO funding_request_lines (request_id, position, category, description, staff_role, unit_cost_pence, quantity, funder)
                    VALUES (\(id), \(position), \(l.category.rawValue), \(l.description), \(l.staffRole), \(l.unitCost.value), \(l.quantity), \(l.funder.rawValue))
                    """)
            }
            try await tx.execute("DELETE FROM funding_request_documents WHERE request_id = \(id)")
            for (position, d) in draft.documents.enumerated() {
                try await tx.execute(
                    """
                    INSERT INTO funding_request_documents (request_id, position, title, dated_on, kept_at)
                    VALUES (\(id), \(position), \(d.title.trimmingCharacters(in: .whitespacesAndNewlines)), \(d.datedOn), \(d.keptAt.trimmingCharacters(in: .whitespacesAndNewlines)))
                    """)
            }
            if let partners {
                let wanted = Set(partners.map(\.description)).subtracting([current.lead.description])
                // Partners are schools the SENCo can see, which row-level security keeps to their cluster's.
                let known = try await tx.one("SELECT count(*) FROM schools WHERE id::text = ANY (\(Array(wanted))::text[])").decode(Int.self, at: 0)
                guard known == wanted.count else {
                    throw DomainError.validation([.init(pointer: "/partnerSchoolIds", detail: "Choose partner schools from your cluster.")])
                }
                try await tx.execute("DELETE FROM funding_request_partners WHERE request_id = \(id) AND NOT (school_id::text = ANY (\(Array(wanted))::text[]))")
                try await tx.execute("DELETE FROM funding_request_pupils WHERE request_id = \(id) AND school_id <> \(current.lead) AND NOT (school_id::text = ANY (\(Array(wanted))::text[]))")
                for school in wanted.sorted() {
                    try await tx.execute("INSERT INTO funding_request_partners (request_id, school_id) VALUES (\(id), \(school)::uuid) ON CONFLICT DO NOTHING")
                }
            }
            try await AuditLog.append(.init(actor: actor.userID, action: "request.saved", entityType: "funding_request", entityID: id.description,
                                            after: ["outcomes": String(draft.outcomes.count), "lines": String(draft.lines.count)]), request: request, in: tx)
        }
    }

    /// Names the pupils of one of the actor's schools on the request (that school's SENCo; the lead's or a partner's),
    /// replacing those the school named before. Only pupils the SENCo reaches, at that school, can be named.
    public func setPupils(_ actor: Actor, _ id: ID<FundingRequest>, school: ID<School>, pupils: [ID<Pupil>], request: RequestInfo) async throws {
        guard actor.schools(as: .senco).contains(school) else { throw DomainError.forbidden("Only the school's SENCo names its pupils on a request.") }
        try await database.transaction(actingAs: actor.userID) { tx in
            let current = try await Self.header(id, in: tx, locking: true)
            let partner = try await tx.first("SELECT 1 FROM funding_request_partners WHERE request_id = \(id) AND school_id = \(school)") != nil
            guard current.lead == school || partner else { throw DomainError.forbidden("Only the lead and partner schools name pupils on a request.") }
            guard current.state == .draft else { throw DomainError.invalidTransition("Pupils are named while the request is a draft; this one is \(current.state.rawValue).") }
            let ids = pupils.map(\.description)
            let found = try await tx.one("SELECT count(*) FROM pupils WHERE id::text = ANY (\(ids)::text[]) AND school_id = \(school)").decode(Int.self, at: 0)
            guard found == Set(ids).count else {
                throw DomainError.validation([.init(pointer: "/pupils", detail: "Name only pupils of your school who are on its roll.")])
            }
            try await tx.execute("DELETE FROM funding_request_pupils WHERE request_id = \(id) AND school_id = \(school)")
            for pupil in Set(ids).sorted() {
                try await tx.execute("INSERT INTO funding_request_pupils (request_id, pupil_id, school_id) VALUES (\(id), \(pupil)::uuid, \(school))")
            }
            try await AuditLog.append(.init(actor: actor.userID, action: "request.pupils_named", entityType: "funding_request", entityID: id.description,
                                            after: ["schoolId": school.description, "pupilIds": Set(ids).sorted().joined(separator: ",")]), request: request, in: tx)
        }
    }

    struct Header {
        var lead: ID<School>
        var state: RequestState
        var typeCode: String
        var meeting: ID<Meeting>?
    }

    static func header(_ id: ID<FundingRequest>, in tx: Transaction, locking: Bool = false) async throws -> Header {
        let lock: SQL = locking ? "FOR UPDATE" : ""
        guard let row = try await tx.first("SELECT lead_school_id, state, type_code, meeting_id FROM funding_requests WHERE id = \(id) \(lock)")?
            .decode((ID<School>, String, String, ID<Meeting>?).self) else { throw DomainError.notFound("There is no such request.") }
        return Header(lead: row.0, state: RequestState(rawValue: row.1) ?? .draft, typeCode: row.2, meeting: row.3)
    }

    static func event(_ id: ID<FundingRequest>, _ action: String, from: RequestState, to: RequestState, actor: Actor, note: String?, in tx: Transaction) async throws {
        try await tx.execute(
            """
            INSERT INTO funding_request_events (request_id, action, from_state, to_state, actor_user_id, actor_name, note)
            VALUES (\(id), \(action), \(from.rawValue), \(to.rawValue), \(actor.userID), \(actor.displayName), \(note))
            """)
    }
}

/// A request in a list: no pupil is named in lists.
public struct RequestSummary: Sendable {
    public var id: ID<FundingRequest>
    public var typeName: String
    public var title: String
    public var leadSchool: String
    public var state: RequestState
    public var meetsOn: CalendarDate?
    public var hold: String?
    public var updatedAt: Date
}

extension RequestStore {
    /// The requests the actor reaches (row-level security: their schools' as lead or partner, their clusters' for an
    /// EP, all for officers), most recently changed first, optionally in one state.
    public func list(_ actor: Actor, state: RequestState?, heldOnly: Bool = false, emergencyOnly: Bool = false, page number: Int?,
                     size: Int? = nil) async throws -> Page<RequestSummary> {
        let (number, size, offset) = Page<RequestSummary>.bounds(number: number, size: size)
        return try await database.transaction(actingAs: actor.userID) { tx in
            // Holds are worked out once for the page (or, for the held list, once for everything the actor reaches).
            let rows = try await tx.query(
                """
                WITH held AS (SELECT request_id, reason FROM funding_requests_held(NULL) WHERE \(heldOnly)),
                page AS (
                    SELECT r.id, t.name AS type_name, r.title, s.name AS school, r.state, m.meets_on, r.updated_at, count(*) OVER () AS total
                    FROM funding_requests r JOIN request_types t ON t.code = r.type_code JOIN schools s ON s.id = r.lead_school_id
                    LEFT JOIN meetings m ON m.id = r.meeting_id
                    WHERE (\(state?.rawValue)::text IS NULL OR r.state = \(state?.rawValue))
                      AND (NOT \(heldOnly) OR r.id IN (SELECT request_id FROM held))
                      AND (NOT \(emergencyOnly) OR t.route = 'emergency')
                    ORDER BY r.updated_at DESC, r.id LIMIT \(size) OFFSET \(offset))
                SELECT p.id, p.type_name, p.title, p.school, p.state, p.meets_on, h.reason, p.updated_at, p.total
                FROM page p LEFT JOIN funding_requests_held(ARRAY(SELECT id FROM page)) h ON h.request_id = p.id
                ORDER BY p.updated_at DESC, p.id
                """
            ).decode((ID<FundingRequest>, String, String, String, String, CalendarDate?, String?, Date, Int).self)
            let items = rows.map {
                RequestSummary(id: $0.0, typeName: $0.1, title: $0.2, leadSchool: $0.3, state: RequestState(rawValue: $0.4) ?? .draft, meetsOn: $0.5,
                               hold: $0.6, updatedAt: $0.7)
            }
            return Page(items: items, number: number, size: size, total: rows.first?.8 ?? 0)
        }
    }
}
