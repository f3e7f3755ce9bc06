import Domain
import Foundation
import PQ

/// A school as lists show it.
public struct SchoolListItem: Sendable {
    public var id: ID<School>
    public var urn: String
    public var name: String
    public var phase: SchoolPhase
    public var type: SchoolType
    public var status: SchoolStatus
    public var trustCode: String?
    public var trustName: String?
    /// The school's cluster in the academic year the list is for, if any.
    public var clusterID: ID<Cluster>?
    public var clusterName: String?
}

/// A school's page: its details, its figures per census (newest first) and its cluster per academic year.
public struct SchoolRecord: Sendable {
    public var item: SchoolListItem
    public var censuses: [(year: Int, figures: CensusFigures)]
    public var memberships: [(academicYear: Int, clusterID: ID<Cluster>, clusterName: String)]
}

public struct Trust: Sendable {
    public var code: String
    public var name: String
    /// Schools of the trust the actor can see.
    public var schools: Int
}

/// Filters of the schools list; nil leaves a filter off.
public struct SchoolFilter: Sendable {
    public enum Sort: String, Sendable, CaseIterable { case name, urn, phase, cluster }
    public var phase: SchoolPhase?
    public var clusterID: ID<Cluster>?
    public var trustCode: String?
    public var status: SchoolStatus?
    /// The academic year whose clusters the list shows (and the cluster filter reads).
    public var academicYear: AcademicYear
    public var sort: Sort
    public var descending: Bool

    public init(phase: SchoolPhase? = nil, clusterID: ID<Cluster>? = nil, trustCode: String? = nil, status: SchoolStatus? = nil,
                academicYear: AcademicYear, sort: Sort = .name, descending: Bool = false) {
        self.phase = phase
        self.clusterID = clusterID
        self.trustCode = trustCode
        self.status = status
        self.academicYear = academicYear
        self.sort = sort
        self.descending = descending
    }
}

/// Schools, their trusts and census figures. Everyone signed in reads the schools row-level security shows them;
/// officers add, change and close them, each change audited.
public struct SchoolStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock = .system) {
        self.database = database
        self.clock = clock
    }

    public func today() -> CalendarDate { CalendarDate.today(at: clock.now()) }

    public func authorize(_ actor: Actor) throws(DomainError) {
        try Policy.require(actor, .manageSchools, on: .council)
    }

    static let columns: SQL = """
        s.id, s.urn, s.name, s.phase, s.type, s.status, s.trust_code, t.name, m.cluster_id, c.name
        """

    static func joins(year: AcademicYear) -> SQL {
        """
        FROM schools s LEFT JOIN trusts t ON t.code = s.trust_code
        LEFT JOIN cluster_memberships m ON m.school_id = s.id AND m.academic_year = \(year.startYear)
        LEFT JOIN clusters c ON c.id = m.cluster_id
        """
    }

    typealias ItemRow = (ID<School>, String, String, String, String, String, String?, String?, ID<Cluster>?, String?)

    static func item(_ row: ItemRow) -> SchoolListItem {
        SchoolListItem(id: row.0, urn: row.1, name: row.2, phase: SchoolPhase(rawValue: row.3) ?? .primary, type: SchoolType(rawValue: row.4) ?? .other,
                       status: SchoolStatus(rawValue: row.5) ?? .open, trustCode: row.6, trustName: row.7, clusterID: row.8, clusterName: row.9)
    }

    public func list(_ actor: Actor, filter: SchoolFilter, page number: Int?, size: Int? = nil) async throws -> Page<SchoolListItem> {
        let (number, size, offset) = Page<SchoolListItem>.bounds(number: number, size: size)
        let conditions: SQL = """
            WHERE (\(filter.phase?.rawValue)::text IS NULL OR s.phase = \(filter.phase?.rawValue))
              AND (\(filter.status?.rawValue)::text IS NULL OR s.status = \(filter.status?.rawValue))
              AND (\(filter.trustCode)::text IS NULL OR s.trust_code = \(filter.trustCode))
              AND (\(filter.clusterID)::uuid IS NULL OR m.cluster_id = \(filter.clusterID))
            """
        let direction: SQL = filter.descending ? "DESC" : "ASC"
        let order: SQL = switch filter.sort {
        case .name: "lower(s.name) \(direction), s.urn"
        case .urn: "s.urn \(direction)"
        case .phase: "s.phase \(direction), lower(s.name), s.urn"
        case .cluster: "c.name \(direction) NULLS LAST, lower(s.name), s.urn"
        }
        let joins = Self.joins(year: filter.academicYear)
        return try await database.transaction(actingAs: actor.userID) { tx in
            let total = try await tx.one("SELECT count(*) \(joins) \(conditions)").decode(Int.self, at: 0)
            let items = try await tx.query("SELECT \(Self.columns) \(joins) \(conditions) ORDER BY \(order) LIMIT \(size) OFFSET \(offset)")
                .decode(ItemRow.self).map(Self.item)
            return Page(items: items, number: number, size: size, total: total)
        }
    }

    public func school(_ actor: Actor, _ id: ID<School>) async throws -> SchoolRecord {
        let year = AcademicYear.holding(today())
        return try await database.transaction(actingAs: actor.userID) { tx in
            guard let row = try await tx.first("SELECT \(Self.columns) \(Self.joins(year: year)) WHERE s.id = \(id)")?.decode(ItemRow.self) else {
                throw DomainError.notFound("There is no such school.")
            }
            let censuses = try await tx.query(
                "SELECT census_year, on_roll, sen_support, ehcp, fsm FROM school_census_figures WHERE school_id = \(id) ORDER BY census_year DESC LIMIT 100"
            ).decode((Int, Int?, Int?, Int?, Int?).self).map { (year: $0.0, figures: CensusFigures(onRoll: $0.1, senSupport: $0.2, ehcp: $0.3, fsm: $0.4)) }
            let memberships = try await tx.query(
                """
                SELECT m.academic_year, m.cluster_id, c.name FROM cluster_memberships m JOIN clusters c ON c.id = m.cluster_id
                WHERE m.school_id = \(id) ORDER BY m.academic_year DESC LIMIT 100
                """
            ).decode((Int, ID<Cluster>, String).self).map { (academicYear: $0.0, clusterID: $0.1, clusterName: $0.2) }
            return SchoolRecord(item: Self.item(row), censuses: censuses, memberships: memberships)
        }
    }

    public func trusts(_ actor: Actor, page number: Int?, size: Int? = nil) async throws -> Page<Trust> {
        let (number, size, offset) = Page<Trust>.bounds(number: number, size: size)
        return try await database.transaction(actingAs: actor.userID) { tx in
            let total = try await tx.one("SELECT count(*) FROM trusts").decode(Int.self, at: 0)
            let items = try await tx.query(
                """
                SELECT t.code, t.name, count(s.id) FROM trusts t LEFT JOIN schools s ON s.trust_code = t.code
                GROUP BY t.code ORDER BY lower(t.name), t.code LIMIT \(size) OFFSET \(offset)
                """
            ).decode((String, String, Int).self).map { Trust(code: $0.0, name: $0.1, schools: $0.2) }
            return Page(items: items, number: number, size: size, total: total)
        }
    }

    /// Adds a school. - Throws: `conflict` when the URN is already recorded.
    public func create(_ actor: Actor, _ details: SchoolDetails, request: RequestInfo) async throws -> ID<School> {
        try authorize(actor)
        let details = try details.validated()
        return try await database.transaction(actingAs: actor.userID) { tx in
            try await Self.saveTrust(details, in: tx)
            // The id is made here, not returned, and the insert has no ON CONFLICT: PostgreSQL checks either against
            // the read policy, whose reach was computed before the school existed. Officers see every school, so
            // the check first is exact (a racing insert of the same URN fails on the unique constraint).
            if try await tx.first("SELECT 1 FROM schools WHERE urn = \(details.urn)") != nil {
                throw DomainError.conflict("A school with URN \(details.urn) is already recorded.")
            }
            let id = ID<School>(UUID())
            try await tx.execute(
                """
                INSERT INTO schools (id, urn, name, phase, type, trust_code) VALUES (\(id), \(details.urn), \(details.name),
                    \(details.phase.rawValue), \(details.type.rawValue), \(details.trustCode))
                """
            )
            try await AuditLog.append(
                .init(actor: actor.userID, action: "school.created", entityType: "school", entityID: id.description, after: Self.audited(details)),
                request: request, in: tx
            )
            return id
        }
    }

    /// Changes a school's details; the URN stays (it is the school's identity across imports).
    public func update(_ actor: Actor, _ id: ID<School>, _ details: SchoolDetails, request: RequestInfo) async throws {
        try authorize(actor)
        var details = try details.validated()
        try await database.transaction(actingAs: actor.userID) { tx in
            guard let row = try await tx.first(
                "SELECT s.urn, s.name, s.phase, s.type, s.trust_code, t.name FROM schools s LEFT JOIN trusts t ON t.code = s.trust_code WHERE s.id = \(id) FOR UPDATE OF s"
            )?.decode((String, String, String, String, String?, String?).self) else { throw DomainError.notFound("There is no such school.") }
            guard row.0 == details.urn else {
                throw DomainError.validation([.init(pointer: "/urn", detail: "A school's URN does not change; add the new school instead.")])
            }
            let before = SchoolDetails(urn: row.0, name: row.1, phase: SchoolPhase(rawValue: row.2) ?? .primary,
                                       type: SchoolType(rawValue: row.3) ?? .other, trustCode: row.4, trustName: row.5)
            // The trust's name need not be typed again when the trust stays the same.
            if details.trustName == nil && details.trustCode == before.trustCode { details.trustName = before.trustName }
            guard before != details else { return }
            try await Self.saveTrust(details, in: tx)
            try await tx.execute(
                """
                UPDATE schools SET name = \(details.name), phase = \(details.phase.rawValue), type = \(details.type.rawValue),
                    trust_code = \(details.trustCode), updated_at = now() WHERE id = \(id)
                """
            )
            let (old, new) = Self.difference(Self.audited(before), Self.audited(details))
            try await AuditLog.append(
                .init(actor: actor.userID, action: "school.changed", entityType: "school", entityID: id.description, before: old, after: new),
                request: request, in: tx
            )
        }
    }

    /// Closes (or reopens) a school. - Throws: `invalidTransition` when it already has that status.
    public func setStatus(_ actor: Actor, _ id: ID<School>, _ status: SchoolStatus, request: RequestInfo) async throws {
        try authorize(actor)
        try await database.transaction(actingAs: actor.userID) { tx in
            guard let current = try await tx.first("SELECT status FROM schools WHERE id = \(id) FOR UPDATE")?.decode(String.self, at: 0) else {
                throw DomainError.notFound("There is no such school.")
            }
            guard current != status.rawValue else { throw DomainError.invalidTransition("This school is already \(status.rawValue).") }
            try await tx.execute("UPDATE schools SET status = \(status.rawValue), updated_at = now() WHERE id = \(id)")
            try await AuditLog.append(
                .init(actor: actor.userID, action: status == .closed ? "school.closed" : "school.reopened", entityType: "school",
                      entityID: id.description, before: ["status": current], after: ["status": status.rawValue]),
                request: request, in: tx
            )
        }
    }

    static func saveTrust(_ details: SchoolDetails, in tx: Transaction) async throws {
        guard let code = details.trustCode else { return }
        if let name = details.trustName {
            try await tx.execute(
                "INSERT INTO trusts (code, name) VALUES (\(code), \(name)) ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, updated_at = now() WHERE trusts.name <> EXCLUDED.name"
            )
        } else if try await tx.first("SELECT 1 FROM trusts WHERE code = \(code)") == nil {
            throw DomainError.validation([.init(pointer: "/trustName", detail: "Trust \(code) is new: enter its name too.")])
        }
    }

    static func audited(_ details: SchoolDetails) -> [String: String] {
        ["urn": details.urn, "name": details.name, "phase": details.phase.rawValue, "type": details.type.rawValue,
         "trustCode": details.trustCode ?? ""]
    }

    static func difference(_ before: [String: String], _ after: [String: String]) -> ([String: String], [String: String]) {
        let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }
        return (before.filter { changed.contains($0.key) }, after.filter { changed.contains($0.key) })
    }
}
