import Domain
import Foundation
import PQ

/// A referral as those who reach the pupil read it.
public struct ReferralView: Sendable {
    public var id: ID<Referral>
    public var pupilID: ID<Pupil>
    public var schoolName: String
    public var entry: ReferralEntry
    public var updatedAt: Date
}

/// One line of the officers' timeliness list: the referral and the pupil it is about.
public struct ReferralTimelinessRow: Sendable {
    public var referral: ReferralView
    public var pupilName: String
    public var standing: ReferralTimeline.Standing
}

/// EHC needs-assessment referrals: recorded by the pupil's SENCo (a request the school made) or an officer (any),
/// decided and dated by officers, read by whoever reaches the pupil (row-level security: the school, officers, EPs with
/// consent to EP involvement). Nothing here asks for or waits on a cluster request.
public struct ReferralStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock = .system) {
        self.database = database
        self.clock = clock
    }

    public func today() -> CalendarDate { CalendarDate.today(at: clock.now()) }

    static let columns: SQL = """
        r.id, r.pupil_id, s.name, r.requested_by, r.received_on, r.decision, r.decided_on, r.no_plan_notice_on, r.draft_plan_on, r.final_plan_on,
        r.outcome, r.outcome_on, r.appeal_on, r.updated_at
        """
    typealias Row = (ID<Referral>, ID<Pupil>, String, String, CalendarDate, String?, CalendarDate?, CalendarDate?, CalendarDate?, CalendarDate?,
                     String?, CalendarDate?, CalendarDate?, Date)

    static func view(_ row: Row) -> ReferralView {
        let timeline = ReferralTimeline(receivedOn: row.4, decision: row.5.flatMap(ReferralTimeline.Decision.init(rawValue:)), decidedOn: row.6,
                                        noPlanNoticeOn: row.7, finalPlanOn: row.9, outcome: row.10.flatMap(ReferralTimeline.Outcome.init(rawValue:)),
                                        outcomeOn: row.11)
        return ReferralView(id: row.0, pupilID: row.1, schoolName: row.2,
                            entry: ReferralEntry(requestedBy: ReferralRequester(rawValue: row.3) ?? .other, timeline: timeline, draftPlanOn: row.8,
                                                 appealOn: row.12),
                            updatedAt: row.13)
    }

    static func referrals(of pupil: ID<Pupil>, in tx: Transaction) async throws -> [ReferralView] {
        try await tx.query(
            "SELECT \(columns) FROM ehcp_referrals r JOIN schools s ON s.id = r.school_id WHERE r.pupil_id = \(pupil) ORDER BY r.received_on DESC, r.id LIMIT 100"
        ).decode(Row.self).map(Self.view)
    }

    static func read(_ id: ID<Referral>, pupil: ID<Pupil>, in tx: Transaction, locking: Bool = false) async throws -> ReferralView {
        let lock: SQL = locking ? "FOR UPDATE OF r" : ""
        guard let row = try await tx.first(
            "SELECT \(columns) FROM ehcp_referrals r JOIN schools s ON s.id = r.school_id WHERE r.id = \(id) AND r.pupil_id = \(pupil) \(lock)"
        )?.decode(Row.self) else { throw DomainError.notFound("There is no such referral.") }
        return view(row)
    }

    /// One referral of a pupil; the read is audited against the pupil.
    public func referral(_ actor: Actor, pupil: ID<Pupil>, _ id: ID<Referral>, view: String, request: RequestInfo) async throws -> ReferralView {
        try PupilRules.requireReader(actor)
        return try await database.transaction(actingAs: actor.userID) { tx in
            let found = try await Self.read(id, pupil: pupil, in: tx)
            try await AuditLog.append(.init(actor: actor.userID, action: "referral.viewed", entityType: "pupil", entityID: pupil.description,
                                            after: ["view": view, "referralId": id.description]), request: request, in: tx)
            return found
        }
    }

    /// Records a request for an EHC needs assessment. A SENCo records one the school made, with no decisions yet;
    /// an officer records any, with whatever is already known.
    public func create(_ actor: Actor, pupil id: ID<Pupil>, entry: ReferralEntry, request: RequestInfo) async throws -> ID<Referral> {
        try PupilRules.requireReader(actor)
        let today = today()
        return try await database.transaction(actingAs: actor.userID) { tx in
            let pupil = try await PupilStore.read(id, in: tx)
            try ReferralRules.requireRecorder(actor, school: pupil.schoolID, requestedBy: entry.requestedBy)
            let checked = try ReferralRules.checkedNew(entry, actor: actor, today: today)
            let t = checked.timeline
            let referral = try await tx.one(
                """
                INSERT INTO ehcp_referrals (pupil_id, school_id, requested_by, received_on, decision, decided_on, no_plan_notice_on, draft_plan_on,
                                            final_plan_on, outcome, outcome_on, appeal_on, created_by)
                VALUES (\(id), \(pupil.schoolID), \(checked.requestedBy.rawValue), \(t.receivedOn), \(t.decision?.rawValue), \(t.decidedOn),
                        \(t.noPlanNoticeOn), \(checked.draftPlanOn), \(t.finalPlanOn), \(t.outcome?.rawValue), \(t.outcomeOn), \(checked.appealOn),
                        \(actor.userID))
                RETURNING id
                """
            ).decode(ID<Referral>.self, at: 0)
            var after = ReferralRules.audited(checked)
            after["referralId"] = referral.description
            try await AuditLog.append(.init(actor: actor.userID, action: "referral.recorded", entityType: "pupil", entityID: id.description, after: after),
                                      request: request, in: tx)
            return referral
        }
    }

    /// Records the council's decisions and dates (officers). Only what changed is audited.
    public func update(_ actor: Actor, pupil: ID<Pupil>, _ id: ID<Referral>, entry: ReferralEntry, request: RequestInfo) async throws {
        try PupilRules.requireReader(actor)
        let today = today()
        try await database.transaction(actingAs: actor.userID) { tx in
            _ = try await Self.read(id, pupil: pupil, in: tx)
            try ReferralRules.requireDecider(actor)
            let before = try await Self.read(id, pupil: pupil, in: tx, locking: true)
            let checked = try entry.validated(today: today)
            let (old, new) = PupilRules.difference(ReferralRules.audited(before.entry), ReferralRules.audited(checked))
            guard !new.isEmpty else { return }
            let t = checked.timeline
            try await tx.execute(
                """
                UPDATE ehcp_referrals SET requested_by = \(checked.requestedBy.rawValue), received_on = \(t.receivedOn), decision = \(t.decision?.rawValue),
                    decided_on = \(t.decidedOn), no_plan_notice_on = \(t.noPlanNoticeOn), draft_plan_on = \(checked.draftPlanOn),
                    final_plan_on = \(t.finalPlanOn), outcome = \(t.outcome?.rawValue), outcome_on = \(t.outcomeOn), appeal_on = \(checked.appealOn),
                    updated_at = now()
                WHERE id = \(id)
                """
            )
            var after = new
            after["referralId"] = id.description
            try await AuditLog.append(.init(actor: actor.userID, action: "referral.changed", entityType: "pupil", entityID: pupil.description,
                                            before: old, after: after), request: request, in: tx)
        }
    }

    /// The officers' timeliness list: referrals received in one academic year (or, without one, in the twelve months
    /// to today), newest first, each with where its deadlines stand, optionally only those missed, pending or met. Standing is derived in `Domain` for the year's
    /// referrals (a council receives hundreds, not millions), then the page is cut. One audit event names the pupils.
    public func timeliness(_ actor: Actor, year: AcademicYear?, standing: ReferralTimeline.Standing?, page number: Int?, size: Int? = nil,
                           request: RequestInfo) async throws -> (page: Page<ReferralTimelinessRow>, counts: [ReferralTimeline.Standing: Int]) {
        try ReferralRules.requireDecider(actor)
        let today = today()
        let (number, size, offset) = Page<ReferralTimelinessRow>.bounds(number: number, size: size)
        let from = year?.firstDay ?? today.adding(days: -365)
        let to = year?.lastDay ?? today
        return try await database.transaction(actingAs: actor.userID) { tx in
            let rows = try await tx.query(
                """
                SELECT \(Self.columns), p.given_names || ' ' || p.family_name
                FROM ehcp_referrals r JOIN schools s ON s.id = r.school_id JOIN pupils p ON p.id = r.pupil_id
                WHERE r.received_on BETWEEN \(from) AND \(to)
                ORDER BY r.received_on DESC, r.id LIMIT 20000
                """
            )
            var all: [ReferralTimelinessRow] = []
            for row in rows {
                let referral = Self.view(try row.decode(Row.self))
                all.append(ReferralTimelinessRow(referral: referral, pupilName: try row.decode(String.self, at: 14),
                                                 standing: ReferralRules.standing(referral.entry.timeline, today: today)))
            }
            let counts = Dictionary(grouping: all, by: \.standing).mapValues(\.count)
            let chosen = standing.map { wanted in all.filter { $0.standing == wanted } } ?? all
            let items = Array(chosen.dropFirst(offset).prefix(size))
            if !items.isEmpty {
                try await AuditLog.append(
                    .init(actor: actor.userID, action: "pupils.listed", entityType: "pupil_list",
                          after: ["view": "page.referrals", "pupilIds": items.map(\.referral.pupilID.description).joined(separator: ","),
                                  "count": String(items.count)]),
                    request: request, in: tx)
            }
            return (Page(items: items, number: number, size: size, total: chosen.count), counts)
        }
    }
}
