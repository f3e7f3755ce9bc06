import Domain
import Foundation
import PQ

/// A cluster's make-up in one academic year: its schools' phases and figures (each school's latest census up to the
/// January of that year's spring term) and trusts.
public struct ClusterMakeUp: Sendable {
    public var schools = 0
    public var onRoll = 0
    public var senSupport = 0
    public var ehcp = 0
    public var fsm = 0
    /// Schools per phase, by the phase's label, in the phases' order.
    public var phases: [(label: String, count: Int)] = []
    public var trusts: [String] = []
}

public struct ClusterOverview: Sendable {
    public var id: ID<Cluster>
    public var name: String
    public var leadID: ID<User>?
    public var leadName: String?
    public var makeUp: ClusterMakeUp
}

public struct ClusterMember: Sendable {
    public var schoolID: ID<School>
    public var urn: String
    public var name: String
    public var phase: SchoolPhase
    public var trustName: String?
    public var census: Int?
    public var figures: CensusFigures
}

public struct ClusterDetail: Sendable {
    public var overview: ClusterOverview
    public var year: AcademicYear
    public var members: [ClusterMember]
}

/// Clusters and who is in them, year by year. Everyone signed in reads the clusters row-level security shows them;
/// officers create and rename clusters, name their locality leads and group the schools, each change audited. Past
/// academic years stay as they were.
public struct ClusterStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock = .system) {
        self.database = database
        self.clock = clock
    }

    public func today() -> CalendarDate { CalendarDate.today(at: clock.now()) }

    public func authorize(_ actor: Actor) throws(DomainError) {
        try Policy.require(actor, .manageClusters, on: .council)
    }

    /// Every cluster the actor may see, by name, with its make-up in `year`.
    public func list(_ actor: Actor, year: AcademicYear) async throws -> [ClusterOverview] {
        try await database.transaction(actingAs: actor.userID) { tx in
            let clusters = try await tx.query(
                "SELECT c.id, c.name, c.locality_lead_user_id, officer_name(c.locality_lead_user_id) FROM clusters c ORDER BY lower(c.name) LIMIT 500"
            ).decode((ID<Cluster>, String, ID<User>?, String?).self)
            let members = try await Self.members(of: nil, year: year, in: tx)
            return clusters.map { cluster in
                ClusterOverview(id: cluster.0, name: cluster.1, leadID: cluster.2, leadName: cluster.3,
                                makeUp: Self.makeUp(members.filter { $0.0 == cluster.0 }.map(\.1)))
            }
        }
    }

    public func cluster(_ actor: Actor, _ id: ID<Cluster>, year: AcademicYear) async throws -> ClusterDetail {
        try await database.transaction(actingAs: actor.userID) { tx in
            guard let row = try await tx.first(
                "SELECT c.name, c.locality_lead_user_id, officer_name(c.locality_lead_user_id) FROM clusters c WHERE c.id = \(id)"
            )?.decode((String, ID<User>?, String?).self) else { throw DomainError.notFound("There is no such cluster.") }
            let members = try await Self.members(of: id, year: year, in: tx).map(\.1)
            return ClusterDetail(overview: ClusterOverview(id: id, name: row.0, leadID: row.1, leadName: row.2, makeUp: Self.makeUp(members)),
                                 year: year, members: members)
        }
    }

    static func members(of cluster: ID<Cluster>?, year: AcademicYear, in tx: Transaction) async throws -> [(ID<Cluster>, ClusterMember)] {
        // Each school's latest census up to the January of the year's spring term.
        try await tx.query(
            """
            SELECT m.cluster_id, s.id, s.urn, s.name, s.phase, t.name, f.census_year, f.on_roll, f.sen_support, f.ehcp, f.fsm
            FROM cluster_memberships m JOIN schools s ON s.id = m.school_id LEFT JOIN trusts t ON t.code = s.trust_code
            LEFT JOIN LATERAL (SELECT * FROM school_census_figures f WHERE f.school_id = s.id AND f.census_year <= \(year.startYear + 1)
                               ORDER BY f.census_year DESC LIMIT 1) f ON true
            WHERE m.academic_year = \(year.startYear) AND (\(cluster)::uuid IS NULL OR m.cluster_id = \(cluster))
            ORDER BY lower(s.name), s.urn LIMIT 5000
            """
        ).decode((ID<Cluster>, ID<School>, String, String, String, String?, Int?, Int?, Int?, Int?, Int?).self).map { row in
            (row.0, ClusterMember(schoolID: row.1, urn: row.2, name: row.3, phase: SchoolPhase(rawValue: row.4) ?? .primary, trustName: row.5,
                                  census: row.6, figures: CensusFigures(onRoll: row.7, senSupport: row.8, ehcp: row.9, fsm: row.10)))
        }
    }

    static func makeUp(_ members: [ClusterMember]) -> ClusterMakeUp {
        var makeUp = ClusterMakeUp()
        makeUp.schools = members.count
        for member in members {
            makeUp.onRoll += member.figures.onRoll ?? 0
            makeUp.senSupport += member.figures.senSupport ?? 0
            makeUp.ehcp += member.figures.ehcp ?? 0
            makeUp.fsm += member.figures.fsm ?? 0
        }
        makeUp.phases = SchoolPhase.allCases.compactMap { phase in
            let count = members.filter { $0.phase == phase }.count
            return count > 0 ? (phase.label, count) : nil
        }
        makeUp.trusts = Array(Set(members.compactMap(\.trustName))).sorted()
        return makeUp
    }

    /// Creates a cluster. - Throws: `conflict` when the name is taken.
    public func create(_ actor: Actor, name: String, lead: ID<User>?, request: RequestInfo) async throws -> ID<Cluster> {
        try authorize(actor)
        let name = try Self.checkedName(name)
        return try await database.transaction(actingAs: actor.userID) { tx in
            try await Self.checkLead(lead, today: today(), in: tx)
            if try await tx.first("SELECT 1 FROM clusters WHERE lower(name) = lower(\(name))") != nil {
                throw DomainError.conflict("A cluster called \(name) already exists.")
            }
            let id = ID<Cluster>(UUID())
            try await tx.execute("INSERT INTO clusters (id, name, locality_lead_user_id) VALUES (\(id), \(name), \(lead))")
            try await AuditLog.append(
                .init(actor: actor.userID, action: "cluster.created", entityType: "cluster", entityID: id.description,
                      after: ["name": name, "localityLead": lead?.description ?? ""]),
                request: request, in: tx
            )
            return id
        }
    }

    /// Renames a cluster and names its locality lead (nil for none).
    public func update(_ actor: Actor, _ id: ID<Cluster>, name: String, lead: ID<User>?, request: RequestInfo) async throws {
        try authorize(actor)
        let name = try Self.checkedName(name)
        try await database.transaction(actingAs: actor.userID) { tx in
            guard let before = try await tx.first("SELECT name, locality_lead_user_id FROM clusters WHERE id = \(id) FOR UPDATE")?
                .decode((String, ID<User>?).self) else { throw DomainError.notFound("There is no such cluster.") }
            guard before.0 != name || before.1 != lead else { return }
            try await Self.checkLead(lead, today: today(), in: tx)
            if before.0.lowercased() != name.lowercased(), try await tx.first("SELECT 1 FROM clusters WHERE lower(name) = lower(\(name))") != nil {
                throw DomainError.conflict("A cluster called \(name) already exists.")
            }
            try await tx.execute("UPDATE clusters SET name = \(name), locality_lead_user_id = \(lead), updated_at = now() WHERE id = \(id)")
            try await AuditLog.append(
                .init(actor: actor.userID, action: "cluster.changed", entityType: "cluster", entityID: id.description,
                      before: ["name": before.0, "localityLead": before.1?.description ?? ""], after: ["name": name, "localityLead": lead?.description ?? ""]),
                request: request, in: tx
            )
        }
    }

    /// Puts a school in the cluster for a year, moving it from another cluster of that year if it was in one.
    public func assign(_ actor: Actor, school: ID<School>, to cluster: ID<Cluster>, year: AcademicYear, request: RequestInfo) async throws {
        try authorize(actor)
        try checkOpen(year)
        try await database.transaction(actingAs: actor.userID) { tx in
            guard try await tx.first("SELECT 1 FROM clusters WHERE id = \(cluster)") != nil else { throw DomainError.notFound("There is no such cluster.") }
            guard try await tx.first("SELECT 1 FROM schools WHERE id = \(school)") != nil else {
                throw DomainError.validation([.init(pointer: "/schoolId", detail: "Choose a school from the list.")])
            }
            let before = try await tx.first(
                "SELECT cluster_id FROM cluster_memberships WHERE school_id = \(school) AND academic_year = \(year.startYear) FOR UPDATE"
            )?.decode(ID<Cluster>.self, at: 0)
            guard before != cluster else { return }
            if before == nil {
                try await tx.execute("INSERT INTO cluster_memberships (school_id, cluster_id, academic_year) VALUES (\(school), \(cluster), \(year.startYear))")
            } else {
                try await tx.execute("UPDATE cluster_memberships SET cluster_id = \(cluster) WHERE school_id = \(school) AND academic_year = \(year.startYear)")
            }
            try await AuditLog.append(
                .init(actor: actor.userID, action: before == nil ? "cluster.member_added" : "cluster.member_moved", entityType: "school",
                      entityID: school.description, before: before.map { ["cluster": $0.description, "academicYear": String(year.startYear)] },
                      after: ["cluster": cluster.description, "academicYear": String(year.startYear)]),
                request: request, in: tx
            )
        }
    }

    /// Takes a school out of the cluster for a year.
    public func remove(_ actor: Actor, school: ID<School>, from cluster: ID<Cluster>, year: AcademicYear, request: RequestInfo) async throws {
        try authorize(actor)
        try checkOpen(year)
        try await database.transaction(actingAs: actor.userID) { tx in
            let removed = try await tx.execute(
                "DELETE FROM cluster_memberships WHERE school_id = \(school) AND cluster_id = \(cluster) AND academic_year = \(year.startYear)"
            )
            guard removed == 1 else { throw DomainError.notFound("That school is not in this cluster in \(year.name).") }
            try await AuditLog.append(
                .init(actor: actor.userID, action: "cluster.member_removed", entityType: "school", entityID: school.description,
                      before: ["cluster": cluster.description, "academicYear": String(year.startYear)]),
                request: request, in: tx
            )
        }
    }

    /// Copies every membership of `from` into `to`. - Throws: `conflict` when `to` already has memberships.
    @discardableResult
    public func copyYear(_ actor: Actor, from: AcademicYear, to: AcademicYear, request: RequestInfo) async throws -> Int {
        try authorize(actor)
        try checkOpen(to)
        return try await database.transaction(actingAs: actor.userID) { tx in
            if try await tx.first("SELECT 1 FROM cluster_memberships WHERE academic_year = \(to.startYear) LIMIT 1") != nil {
                throw DomainError.conflict("\(to.name) already has its clusters' schools: change them one by one instead.")
            }
            let copied = try await tx.execute(
                """
                INSERT INTO cluster_memberships (school_id, cluster_id, academic_year)
                SELECT m.school_id, m.cluster_id, \(to.startYear) FROM cluster_memberships m JOIN schools s ON s.id = m.school_id
                WHERE m.academic_year = \(from.startYear) AND s.status = 'open'
                """
            )
            try await AuditLog.append(
                .init(actor: actor.userID, action: "clusters.year_copied", entityType: "cluster_memberships", entityID: String(to.startYear),
                      after: ["from": String(from.startYear), "to": String(to.startYear), "schools": String(copied)]),
                request: request, in: tx
            )
            return copied
        }
    }

    /// Academic years that have ended keep their grouping as it was.
    func checkOpen(_ year: AcademicYear) throws(DomainError) {
        if year.startYear < AcademicYear.holding(today()).startYear {
            throw .validation([.init(pointer: "/academicYear", detail: "\(year.name) has ended; its clusters stay as they were.")])
        }
    }

    static func checkedName(_ name: String) throws(DomainError) -> String {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 120, !SchoolDetails.hasControlCharacters(name) else {
            throw .validation([.init(pointer: "/name", detail: "Enter the cluster's name, in at most 120 characters.")])
        }
        return name
    }

    /// A locality lead is a council officer.
    static func checkLead(_ lead: ID<User>?, today: CalendarDate, in tx: Transaction) async throws {
        guard let lead else { return }
        let isOfficer = try await tx.first(
            "SELECT 1 FROM role_assignments WHERE user_id = \(lead) AND role = 'officer' AND starts_on <= \(today) AND (ends_on IS NULL OR ends_on >= \(today))"
        ) != nil
        guard isOfficer else { throw DomainError.validation([.init(pointer: "/localityLeadUserId", detail: "Choose a council officer as the locality lead.")]) }
    }

    /// Officers who may lead a cluster, for the form's list.
    public func officers(_ actor: Actor) async throws -> [(id: ID<User>, name: String)] {
        try authorize(actor)
        let day = today()
        return try await database.transaction(actingAs: actor.userID) { tx in
            try await tx.query(
                """
                SELECT DISTINCT u.id, u.display_name FROM users u JOIN role_assignments ra ON ra.user_id = u.id
                WHERE ra.role = 'officer' AND u.active AND ra.starts_on <= \(day) AND (ra.ends_on IS NULL OR ra.ends_on >= \(day))
                ORDER BY u.display_name LIMIT 500
                """
            ).decode((ID<User>, String).self).map { (id: $0.0, name: $0.1) }
        }
    }
}
