import Domain
import Foundation
import PQ

/// A pupil as the people who may see them read the record.
public struct PupilRecordView: Sendable {
    public struct Enrolment: Sendable {
        public var schoolName: String
        public var fromOn: CalendarDate
        public var toOn: CalendarDate?
    }

    public var id: ID<Pupil>
    public var upn: String
    public var givenNames: String
    public var familyName: String
    public var dateOfBirth: CalendarDate
    public var yearGroup: YearGroup
    public var schoolID: ID<School>
    public var schoolName: String
    public var needs: [NeedType]
    public var senStatus: SENStatus
    public var lookedAfter: Bool
    public var homeLACode: String?
    public var outOfCohortReason: String?
    public var updatedAt: Date
    /// Filled for one pupil's record, empty in lists.
    public var enrolments: [Enrolment] = []
    /// The consent history, for officers and the pupil's school (empty for an EP); one pupil's record only.
    public var consents: [ConsentRecord] = []
    /// The purposes whose consent is in force; one pupil's record only.
    public var consentInForce: Set<ConsentPurpose> = []
    /// EHC needs-assessment referrals, newest first; one pupil's record only.
    public var referrals: [ReferralView] = []
}

public struct PupilFilter: Sendable {
    public var schoolID: ID<School>?
    /// Part of a name (any case), or a whole UPN.
    public var search: String?

    public init(schoolID: ID<School>? = nil, search: String? = nil) {
        self.schoolID = schoolID
        self.search = search
    }
}

/// Pupils: the SENCo of a pupil's school adds and changes the record; the school's headteacher reads it; officers read
/// every pupil; nobody else reaches a named pupil (row-level security holds the same line). Every read, lists
/// included, is written to the audit trail in the same transaction, naming the pupils shown and the view; a change
/// records which fields changed, with values only for those that do not identify the child (Decision 47).
public struct PupilStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock = .system) {
        self.database = database
        self.clock = clock
    }

    public func today() -> CalendarDate { CalendarDate.today(at: clock.now()) }

    static let columns: SQL = """
        p.id, p.upn, p.given_names, p.family_name, p.date_of_birth, p.year_group, p.school_id, s.name, p.primary_need, p.secondary_need,
        p.sen_status, p.looked_after, p.home_la_code, p.out_of_cohort_reason, p.updated_at
        """
    typealias Row = (ID<Pupil>, String, String, String, CalendarDate, Int, ID<School>, String, String?, String?, String, Bool, String?, String?, Date)

    static func view(_ row: Row) -> PupilRecordView {
        PupilRecordView(id: row.0, upn: row.1, givenNames: row.2, familyName: row.3, dateOfBirth: row.4, yearGroup: YearGroup(row.5) ?? YearGroup.all[0],
                        schoolID: row.6, schoolName: row.7, needs: [row.8, row.9].compactMap { $0.flatMap(NeedType.init(rawValue:)) },
                        senStatus: SENStatus(rawValue: row.10) ?? .none, lookedAfter: row.11, homeLACode: row.12, outOfCohortReason: row.13,
                        updatedAt: row.14)
    }

    /// The pupils the actor may see, by family and given name; officers may narrow to one school. One audit event names
    /// the pupils on the page.
    public func list(_ actor: Actor, filter: PupilFilter, page number: Int?, size: Int? = nil, view: String, request: RequestInfo) async throws -> Page<PupilRecordView> {
        try PupilRules.requireReader(actor)
        let (number, size, offset) = Page<PupilRecordView>.bounds(number: number, size: size)
        let search = filter.search?.trimmingCharacters(in: .whitespaces).lowercased()
        let pattern = search.map { "%" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%" }
        let conditions: SQL = """
            WHERE (\(filter.schoolID)::uuid IS NULL OR p.school_id = \(filter.schoolID))
              AND (\(pattern)::text IS NULL OR lower(p.given_names || ' ' || p.family_name) LIKE \(pattern) OR p.upn = upper(\(search)))
            """
        return try await database.transaction(actingAs: actor.userID) { tx in
            let rows = try await tx.query(
                """
                SELECT \(Self.columns), count(*) OVER () FROM pupils p JOIN schools s ON s.id = p.school_id \(conditions)
                ORDER BY lower(p.family_name), lower(p.given_names), p.id LIMIT \(size) OFFSET \(offset)
                """
            )
            let items = try rows.decode(Row.self).map(Self.view)
            var total = try rows.first.map { try $0.decode(Int.self, at: 15) } ?? 0
            if rows.isEmpty, offset > 0 { total = try await tx.one("SELECT count(*) FROM pupils p \(conditions)").decode(Int.self, at: 0) }
            if !items.isEmpty {
                try await AuditLog.append(
                    .init(actor: actor.userID, action: "pupils.listed", entityType: "pupil_list",
                          after: ["view": view, "pupilIds": items.map(\.id.description).joined(separator: ","), "count": String(items.count)]),
                    request: request, in: tx
                )
            }
            return Page(items: items, number: number, size: size, total: total)
        }
    }

    /// One pupil's record with the schools they have been on roll at, consent and referrals; the read is audited once.
    public func pupil(_ actor: Actor, _ id: ID<Pupil>, view: String, request: RequestInfo) async throws -> PupilRecordView {
        try PupilRules.requireReader(actor)
        return try await database.transaction(actingAs: actor.userID) { tx in
            var pupil = try await Self.read(id, in: tx)
            pupil.enrolments = try await tx.query(
                """
                SELECT s.name, e.from_on, e.to_on FROM pupil_enrolments e JOIN schools s ON s.id = e.school_id
                WHERE e.pupil_id = \(id) ORDER BY e.from_on LIMIT 100
                """
            ).decode((String, CalendarDate, CalendarDate?).self).map { PupilRecordView.Enrolment(schoolName: $0.0, fromOn: $0.1, toOn: $0.2) }
            pupil.consents = try await Self.consents(of: id, in: tx)
            pupil.consentInForce = try await Self.consentInForce(of: id, in: tx)
            pupil.referrals = try await ReferralStore.referrals(of: id, in: tx)
            try await AuditLog.append(.init(actor: actor.userID, action: "pupil.viewed", entityType: "pupil", entityID: id.description,
                                            after: ["view": view]), request: request, in: tx)
            return pupil
        }
    }

    static func read(_ id: ID<Pupil>, in tx: Transaction, locking: Bool = false) async throws -> PupilRecordView {
        let lock: SQL = locking ? "FOR UPDATE OF p" : ""
        guard let row = try await tx.first("SELECT \(columns) FROM pupils p JOIN schools s ON s.id = p.school_id WHERE p.id = \(id) \(lock)")?
            .decode(Row.self) else { throw DomainError.notFound("There is no such pupil.") }
        return view(row)
    }

    /// Adds a pupil at `school` (its SENCo only). A UPN already recorded anywhere is refused with one message, whatever
    /// the reason, and the refusal is audited: moving a pupil between schools is an officer-confirmed transfer.
    public func create(_ actor: Actor, school: ID<School>, details: PupilDetails, request: RequestInfo) async throws -> ID<Pupil> {
        try PupilRules.requireEditor(actor, school: school)
        let laCode = try await database.transaction(actingAs: actor.userID) { tx in try await CouncilSettingsStore.read(in: tx).settings.laCode }
        let pupil = try details.checked(councilLACode: laCode, today: today())
        let taken = try await database.transaction(actingAs: actor.userID) { tx in
            let refusals = try await tx.one("SELECT pupil_add_refusals_recent()").decode(Int.self, at: 0)
            guard refusals < 10 else { throw DomainError.throttled(retryAfterSeconds: 15 * 60) }
            let taken = try await tx.one("SELECT pupil_upn_recorded(\(pupil.upn.text))").decode(Bool.self, at: 0)
            if taken {
                try await AuditLog.append(.init(actor: actor.userID, action: "pupil.add_refused", entityType: "school", entityID: school.description,
                                                after: ["reason": "upn_recorded"]), request: request, in: tx)
            }
            return taken
        }
        guard !taken else { throw DomainError.conflict(PupilRules.upnRecorded) }
        let today = today()
        return try await database.transaction(actingAs: actor.userID) { tx in
            let id = try await tx.one(
                """
                INSERT INTO pupils (upn, given_names, family_name, date_of_birth, year_group, school_id, primary_need, secondary_need, sen_status,
                                    looked_after, home_la_code, out_of_cohort_reason, created_by)
                VALUES (\(pupil.upn.text), \(pupil.givenNames), \(pupil.familyName), \(pupil.dateOfBirth), \(pupil.yearGroup.number), \(school),
                        \(pupil.needs.first?.rawValue), \(pupil.needs.dropFirst().first?.rawValue), \(pupil.senStatus.rawValue), \(pupil.lookedAfter),
                        \(pupil.homeLACode), \(pupil.outOfCohortReason), \(actor.userID))
                RETURNING id
                """
            ).decode(ID<Pupil>.self, at: 0)
            try await tx.execute("INSERT INTO pupil_enrolments (pupil_id, school_id, from_on) VALUES (\(id), \(school), \(today))")
            try await AuditLog.append(.init(actor: actor.userID, action: "pupil.created", entityType: "pupil", entityID: id.description,
                                            after: PupilRules.audited(pupil, school: school)), request: request, in: tx)
            return id
        }
    }

    /// Changes a pupil's record (the SENCo of the pupil's school). The UPN is fixed: a wrong one is corrected by an
    /// officer. Only changed fields are audited.
    public func update(_ actor: Actor, _ id: ID<Pupil>, details: PupilDetails, request: RequestInfo) async throws {
        try PupilRules.requireReader(actor)
        let today = today()
        try await database.transaction(actingAs: actor.userID) { tx in
            // Read first, then lock: only the SENCo may lock the row (the update policy), and others who see the
            // pupil are told they may not change it (403) rather than that it is not there.
            try PupilRules.requireEditor(actor, school: try await Self.read(id, in: tx).schoolID)
            let before = try await Self.read(id, in: tx, locking: true)
            var details = details
            details.upn = before.upn
            let laCode = try await CouncilSettingsStore.read(in: tx).settings.laCode
            let after = try details.checked(councilLACode: laCode, today: today)
            let (old, new) = PupilRules.difference(
                PupilRules.fields(givenNames: before.givenNames, familyName: before.familyName, dateOfBirth: before.dateOfBirth, upn: before.upn,
                                  yearGroup: before.yearGroup.number, needs: before.needs, senStatus: before.senStatus, lookedAfter: before.lookedAfter,
                                  homeLACode: before.homeLACode, outOfCohortReason: before.outOfCohortReason),
                PupilRules.fields(givenNames: after.givenNames, familyName: after.familyName, dateOfBirth: after.dateOfBirth, upn: after.upn.text,
                                  yearGroup: after.yearGroup.number, needs: after.needs, senStatus: after.senStatus, lookedAfter: after.lookedAfter,
                                  homeLACode: after.homeLACode, outOfCohortReason: after.outOfCohortReason))
            guard !new.isEmpty else { return }
            try await tx.execute(
                """
                UPDATE pupils SET given_names = \(after.givenNames), family_name = \(after.familyName), date_of_birth = \(after.dateOfBirth),
                    year_group = \(after.yearGroup.number), primary_need = \(after.needs.first?.rawValue),
                    secondary_need = \(after.needs.dropFirst().first?.rawValue), sen_status = \(after.senStatus.rawValue),
                    looked_after = \(after.lookedAfter), home_la_code = \(after.homeLACode), out_of_cohort_reason = \(after.outOfCohortReason),
                    updated_at = now()
                WHERE id = \(id)
                """
            )
            try await AuditLog.append(.init(actor: actor.userID, action: "pupil.changed", entityType: "pupil", entityID: id.description,
                                            before: old, after: new), request: request, in: tx)
        }
    }
}
