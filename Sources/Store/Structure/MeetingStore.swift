import Domain
import Foundation
import PQ

/// One meeting as its readers see it: the chair is the named officer, else the cluster's locality lead.
public struct MeetingRecord: Sendable {
    public var id: ID<Meeting>
    public var clusterID: ID<Cluster>
    public var clusterName: String
    public var year: AcademicYear
    public var term: Term
    public var kind: MeetingKind
    public var meetsOn: CalendarDate
    public var startsAt: TimeOfDay
    public var place: String
    public var onlineLink: String?
    /// The officer named to chair; nil when the locality lead chairs.
    public var chairID: ID<User>?
    /// Who chairs: the named officer or the locality lead; nil when the cluster has no lead yet.
    public var chairName: String?
    public var cutOffOn: CalendarDate
    public var cutOffOverridden: Bool
    public var status: MeetingStatus
    public var cancelledReason: String?

    /// The details an officer edits, as they stand.
    public var change: MeetingChange {
        MeetingChange(meetsOn: meetsOn, startsAt: startsAt, place: place, onlineLink: onlineLink, cutOffOverride: cutOffOverridden ? cutOffOn : nil)
    }
}

public struct MeetingFilter: Sendable {
    public var academicYear: AcademicYear?
    public var clusterID: ID<Cluster>?
    public var term: Term?
    public var kind: MeetingKind?
    public var status: MeetingStatus?

    public init(academicYear: AcademicYear? = nil, clusterID: ID<Cluster>? = nil, term: Term? = nil, kind: MeetingKind? = nil, status: MeetingStatus? = nil) {
        self.academicYear = academicYear
        self.clusterID = clusterID
        self.term = term
        self.kind = kind
        self.status = status
    }
}

/// What generating a year's schedule did.
public struct ScheduleResult: Sendable, Equatable {
    /// Meetings added.
    public var created: Int
    /// Slots that already had a scheduled meeting, left as they were.
    public var kept: Int
}

/// Each cluster's meetings, year by year. Everyone signed in reads the meetings row-level security shows them (a
/// school's staff only those of the years their school was in the cluster); officers generate a year's schedule, move,
/// re-chair and cancel meetings. A move or cancellation writes one notification per person affected to the outbox.
public struct MeetingStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock = .system) {
        self.database = database
        self.clock = clock
    }

    public func today() -> CalendarDate { CalendarDate.today(at: clock.now()) }

    public func authorize(_ actor: Actor) throws(DomainError) {
        try Policy.require(actor, .scheduleMeetings, on: .council)
    }

    static let columns: SQL = """
        mt.id, mt.cluster_id, c.name, mt.academic_year, mt.term, mt.kind, mt.meets_on, mt.starts_at::text, mt.place,
        mt.online_link, mt.chair_user_id, officer_name(coalesce(mt.chair_user_id, c.locality_lead_user_id)), mt.cut_off_on,
        mt.cut_off_overridden, mt.status, mt.cancelled_reason
        """
    static let source: SQL = "FROM meetings mt JOIN clusters c ON c.id = mt.cluster_id"

    typealias Row = (ID<Meeting>, ID<Cluster>, String, Int, String, String, CalendarDate, String, String, String?, ID<User>?, String?,
                     CalendarDate, Bool, String, String?)

    static func record(_ row: Row) -> MeetingRecord {
        MeetingRecord(id: row.0, clusterID: row.1, clusterName: row.2, year: AcademicYear(row.3), term: Term(rawValue: row.4) ?? .autumn,
                      kind: MeetingKind(rawValue: row.5) ?? .planning, meetsOn: row.6, startsAt: TimeOfDay(text: row.7) ?? TimeOfDay.midnight,
                      place: row.8, onlineLink: row.9, chairID: row.10, chairName: row.11, cutOffOn: row.12, cutOffOverridden: row.13,
                      status: MeetingStatus(rawValue: row.14) ?? .scheduled, cancelledReason: row.15)
    }

    /// The meetings the actor may see, by date, then cluster, planning before allocation.
    public func list(_ actor: Actor, filter: MeetingFilter, page number: Int?, size: Int? = nil) async throws -> Page<MeetingRecord> {
        let (number, size, offset) = Page<MeetingRecord>.bounds(number: number, size: size)
        let conditions: SQL = """
            WHERE (\(filter.academicYear?.startYear)::int IS NULL OR mt.academic_year = \(filter.academicYear?.startYear))
              AND (\(filter.clusterID)::uuid IS NULL OR mt.cluster_id = \(filter.clusterID))
              AND (\(filter.term?.rawValue)::text IS NULL OR mt.term = \(filter.term?.rawValue))
              AND (\(filter.kind?.rawValue)::text IS NULL OR mt.kind = \(filter.kind?.rawValue))
              AND (\(filter.status?.rawValue)::text IS NULL OR mt.status = \(filter.status?.rawValue))
            """
        return try await database.transaction(actingAs: actor.userID) { tx in
            // The total rides on the page's rows (one round trip); only a page past the end asks for it on its own.
            let rows = try await tx.query(
                """
                SELECT \(Self.columns), count(*) OVER () \(Self.source) \(conditions)
                ORDER BY mt.meets_on, mt.starts_at, lower(c.name), mt.kind DESC, mt.id LIMIT \(size) OFFSET \(offset)
                """
            )
            let items = try rows.decode(Row.self).map(Self.record)
            var total = try rows.first.map { try $0.decode(Int.self, at: 16) } ?? 0
            if rows.isEmpty, offset > 0 { total = try await tx.one("SELECT count(*) FROM meetings mt \(conditions)").decode(Int.self, at: 0) }
            return Page(items: items, number: number, size: size, total: total)
        }
    }

    public func meeting(_ actor: Actor, _ id: ID<Meeting>) async throws -> MeetingRecord {
        try await database.transaction(actingAs: actor.userID) { tx in
            try await Self.read(id, in: tx)
        }
    }

    static func read(_ id: ID<Meeting>, in tx: Transaction, locking: Bool = false) async throws -> MeetingRecord {
        let lock: SQL = locking ? "FOR UPDATE OF mt" : ""
        guard let row = try await tx.first("SELECT \(columns) \(source) WHERE mt.id = \(id) \(lock)")?.decode(Row.self) else {
            throw DomainError.notFound("There is no such meeting.")
        }
        return record(row)
    }

    /// Schedules `year` for every cluster with schools that year: a planning and an allocation meeting each term on the
    /// pattern's days, each with its cut-off under the council's rule. Slots that already hold a scheduled meeting are
    /// kept as they are, so generating again fills in only what is missing (a cancelled meeting's replacement, a new
    /// cluster's meetings).
    public func generate(_ actor: Actor, year: AcademicYear, pattern: SchedulePattern, place: String, onlineLink: String?,
                         request: RequestInfo) async throws -> ScheduleResult {
        try authorize(actor)
        let venue = MeetingChange.venue(place: place, onlineLink: onlineLink)
        var issues = venue.issues
        if year.startYear < AcademicYear.holding(today()).startYear {
            issues.insert(.init(pointer: "/academicYear", detail: "\(year.name) has ended; its meetings stay as they were."), at: 0)
        }
        guard issues.isEmpty else { throw DomainError.validation(issues) }
        return try await database.transaction(actingAs: actor.userID) { tx in
            guard let terms = try await CalendarStore.termDates(year: year, in: tx) else {
                throw DomainError.validation([.init(pointer: "/academicYear", detail: "Set the term dates of \(year.name) on the calendar page first.")])
            }
            let workingDays = try await Self.workingDays(in: tx)
            let rule = try await CouncilSettingsStore.read(in: tx).settings.submissionCutOff
            let clusters = try await tx.query(
                "SELECT DISTINCT cluster_id FROM cluster_memberships WHERE academic_year = \(year.startYear) ORDER BY cluster_id LIMIT 1000"
            ).decode(ID<Cluster>.self)
            // Serialises two officers generating at once; the partial unique index is the last word either way.
            try await tx.execute("SELECT pg_advisory_xact_lock(hashtext('meetings.generate'), \(year.startYear)::int)")
            let slots = pattern.slots(for: terms, workingDays: workingDays)
            var result = ScheduleResult(created: 0, kept: 0)
            for cluster in clusters {
                result.created += try await Self.schedule(slots, cluster: cluster, year: year, startsAt: pattern.startsAt, place: venue.place,
                                                          onlineLink: venue.onlineLink, rule: rule, in: tx)
            }
            result.kept = clusters.count * slots.count - result.created
            try await AuditLog.append(
                .init(actor: actor.userID, action: "meetings.generated", entityType: "meetings", entityID: String(year.startYear),
                      after: ["academicYear": String(year.startYear), "planningWeek": String(pattern.planningWeek),
                              "allocationWeek": String(pattern.allocationWeek), "weekday": String(pattern.weekday.rawValue),
                              "startsAt": pattern.startsAt.description, "place": venue.place, "onlineLink": venue.onlineLink ?? "",
                              "created": String(result.created), "kept": String(result.kept)]),
                request: request, in: tx
            )
            return result
        }
    }

    /// Changes one meeting: its day, time, place, link, chair (nil for the locality lead) and cut-off. A new day
    /// recomputes the cut-off under the council's rule unless the officer sets one; a change of day, time or place
    /// tells everyone affected.
    /// - Returns: how many notifications were written.
    @discardableResult
    public func update(_ actor: Actor, _ id: ID<Meeting>, change: MeetingChange, chair: ID<User>?, request: RequestInfo) async throws -> Int {
        try authorize(actor)
        let today = today()
        return try await database.transaction(actingAs: actor.userID) { tx in
            let before = try await Self.read(id, in: tx, locking: true)
            let span = try await CalendarStore.termDates(year: before.year, in: tx)?[before.term]
            let chairIsOfficer = try await Self.isOfficer(chair, today: today, in: tx)
            let workingDays = try await Self.workingDays(in: tx)
            let checked: MeetingChange
            do throws(DomainError) {
                checked = try change.checked(term: before.term, span: span, workingDays: workingDays)
            } catch .validation(let issues) {
                throw DomainError.validation(issues + (chairIsOfficer ? [] : [Self.chairIssue]))
            } catch {
                throw error
            }
            guard chairIsOfficer else { throw DomainError.validation([Self.chairIssue]) }
            // Checked after the input, so a malformed change is refused as such (422) whatever the meeting's state.
            guard before.status == .scheduled else {
                throw DomainError.invalidTransition("This meeting was cancelled; generate the year's schedule again to put a new one in its place.")
            }
            let rule = try await CouncilSettingsStore.read(in: tx).settings.submissionCutOff
            let cutOff = checked.cutOff(movedFrom: before.meetsOn, publishedCutOff: before.cutOffOn, wasOverridden: before.cutOffOverridden, under: rule)
            let unchanged = checked.meetsOn == before.meetsOn && checked.startsAt == before.startsAt && checked.place == before.place
                && checked.onlineLink == before.onlineLink && chair == before.chairID && cutOff == before.cutOffOn
                && (checked.cutOffOverride != nil) == before.cutOffOverridden
            guard !unchanged else { return 0 }
            try await tx.execute(
                """
                UPDATE meetings SET meets_on = \(checked.meetsOn), starts_at = \(checked.startsAt.description)::time, place = \(checked.place),
                    online_link = \(checked.onlineLink), chair_user_id = \(chair), cut_off_on = \(cutOff),
                    cut_off_overridden = \(checked.cutOffOverride != nil), updated_at = now()
                WHERE id = \(id)
                """
            )
            let moved = checked.meetsOn != before.meetsOn || checked.startsAt != before.startsAt || checked.place != before.place
                || checked.onlineLink != before.onlineLink
            let notified = moved ? try await Self.notify("meeting_changed", before: before, after: checked, today: today, in: tx) : 0
            try await AuditLog.append(
                .init(actor: actor.userID, action: "meeting.changed", entityType: "meeting", entityID: id.description,
                      before: Self.audited(before.change, chair: before.chairID, cutOff: before.cutOffOn),
                      after: Self.audited(checked, chair: chair, cutOff: cutOff).merging(["notified": String(notified)]) { $1 }),
                request: request, in: tx
            )
            return notified
        }
    }

    /// Cancels a meeting, with the reason its readers see. - Returns: how many notifications were written.
    @discardableResult
    public func cancel(_ actor: Actor, _ id: ID<Meeting>, reason: String, request: RequestInfo) async throws -> Int {
        try authorize(actor)
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        let today = today()
        return try await database.transaction(actingAs: actor.userID) { tx in
            let before = try await Self.read(id, in: tx, locking: true)
            guard !reason.isEmpty, reason.count <= 500, !SchoolDetails.hasControlCharacters(reason) else {
                throw DomainError.validation([.init(pointer: "/reason", detail: "Enter why the meeting is cancelled, in at most 500 characters.")])
            }
            guard before.status == .scheduled else { throw DomainError.invalidTransition("This meeting is already cancelled.") }
            try await tx.execute("UPDATE meetings SET status = 'cancelled', cancelled_reason = \(reason), updated_at = now() WHERE id = \(id)")
            let notified = try await Self.notify("meeting_cancelled", before: before, after: nil, today: today, in: tx)
            try await AuditLog.append(
                .init(actor: actor.userID, action: "meeting.cancelled", entityType: "meeting", entityID: id.description,
                      before: ["status": "scheduled"], after: ["status": "cancelled", "reason": reason, "notified": String(notified)]),
                request: request, in: tx
            )
            return notified
        }
    }

    /// Inserts a meeting for each slot the cluster has no scheduled meeting in. - Returns: how many were inserted.
    /// Not `ON CONFLICT`: PostgreSQL checks a new row against the read policy then, and a meeting not yet written is in
    /// nobody's visible set; the caller serialises, and the partial unique index is the last word.
    static func schedule(_ slots: [SchedulePattern.Slot], cluster: ID<Cluster>, year: AcademicYear, startsAt: TimeOfDay, place: String,
                         onlineLink: String?, rule: SubmissionCutOff, in tx: Transaction) async throws -> Int {
        var created = 0
        for slot in slots {
            created += try await tx.execute(
                """
                INSERT INTO meetings (cluster_id, academic_year, term, kind, meets_on, starts_at, place, online_link, cut_off_on)
                SELECT \(cluster), \(year.startYear), \(slot.term.rawValue), \(slot.kind.rawValue), \(slot.date), \(startsAt.description)::time,
                       \(place), \(onlineLink), \(rule.lastDay(forMeetingOn: slot.date))
                WHERE NOT EXISTS (SELECT 1 FROM meetings WHERE cluster_id = \(cluster) AND academic_year = \(year.startYear)
                                    AND term = \(slot.term.rawValue) AND kind = \(slot.kind.rawValue) AND status = 'scheduled')
                """
            )
        }
        return created
    }

    static let chairIssue = DomainError.FieldIssue(pointer: "/chairUserId", detail: "Choose a council officer to chair, or leave it to the locality lead.")

    static func isOfficer(_ user: ID<User>?, today: CalendarDate, in tx: Transaction) async throws -> Bool {
        guard let user else { return true }
        return try await tx.first(
            """
            SELECT 1 FROM role_assignments ra JOIN users u ON u.id = ra.user_id
            WHERE ra.user_id = \(user) AND u.active AND ra.role = 'officer' AND ra.starts_on <= \(today) AND (ra.ends_on IS NULL OR ra.ends_on >= \(today))
            """
        ) != nil
    }

    static func workingDays(in tx: Transaction) async throws -> WorkingDays {
        WorkingDays(closures: Set(try await tx.query("SELECT day FROM closure_days ORDER BY day LIMIT 5000").decode(CalendarDate.self)))
    }

    static func audited(_ change: MeetingChange, chair: ID<User>?, cutOff: CalendarDate) -> [String: String] {
        ["meetsOn": change.meetsOn.description, "startsAt": change.startsAt.description, "place": change.place,
         "onlineLink": change.onlineLink ?? "", "chair": chair?.description ?? "", "cutOffOn": cutOff.description,
         "cutOffOverridden": String(change.cutOffOverride != nil)]
    }

    /// One outbox row per person affected: the SENCos and headteachers in force today at the schools in the cluster in
    /// the meeting's year, and the cluster's EPs. The payload names the meeting, never a pupil.
    static func notify(_ kind: String, before: MeetingRecord, after: MeetingChange?, today: CalendarDate, in tx: Transaction) async throws -> Int {
        var payload = ["meetingId": before.id.description, "clusterId": before.clusterID.description, "cluster": before.clusterName,
                       "kind": before.kind.rawValue, "academicYear": String(before.year.startYear), "term": before.term.rawValue,
                       "meetsOn": before.meetsOn.description, "startsAt": before.startsAt.description]
        if let after {
            payload["previousMeetsOn"] = before.meetsOn.description
            payload["previousStartsAt"] = before.startsAt.description
            payload["meetsOn"] = after.meetsOn.description
            payload["startsAt"] = after.startsAt.description
            payload["place"] = after.place
            payload["onlineLink"] = after.onlineLink ?? ""
        }
        return try await tx.execute(
            """
            INSERT INTO outbox (kind, recipient, payload)
            SELECT \(kind), u.email, \(JSONB(payload))::jsonb || jsonb_build_object('userId', u.id)
            FROM users u
            WHERE u.active AND u.id IN (
                SELECT ra.user_id FROM role_assignments ra
                WHERE ra.starts_on <= \(today) AND (ra.ends_on IS NULL OR ra.ends_on >= \(today))
                  AND ((ra.role IN ('senco', 'headteacher') AND ra.school_id IN (
                           SELECT m.school_id FROM cluster_memberships m
                           WHERE m.cluster_id = \(before.clusterID) AND m.academic_year = \(before.year.startYear)))
                       OR (ra.role = 'educational_psychologist' AND ra.cluster_id = \(before.clusterID))))
            ORDER BY u.id
            """
        )
    }
}
