import Foundation

/// The rules of giving and ending roles: what a new role needs, where a held role stands today, and when it may end.
///
/// ```swift
/// let grant = try RoleTenure.grant(role: "senco", schoolID: id, clusterID: nil, startsOn: "2026-09-01", today: today)
/// RoleTenure.standing(startsOn: tomorrow, endsOn: nil, on: today)   // .upcoming
/// ```
public enum RoleTenure {
    /// A role an officer asked to give, read and checked.
    public struct Grant: Sendable, Equatable {
        public var role: Role
        public var scope: Scope
        public var startsOn: CalendarDate
    }

    /// Where a role stands on a date.
    public enum Standing: Sendable, Equatable {
        /// Starts later: not in force yet.
        case upcoming
        /// In force.
        case current
        /// Ended.
        case ended
    }

    public static func standing(startsOn: CalendarDate, endsOn: CalendarDate?, on date: CalendarDate) -> Standing {
        if date < startsOn { return .upcoming }
        if let endsOn, endsOn < date { return .ended }
        return .current
    }

    /// Reads a request to give a role: a known role, the scope its kind needs, and a plausible start date; every
    /// problem at once.
    public static func grant(role text: String?, schoolID: String?, clusterID: String?, startsOn: String?, today: CalendarDate) throws(DomainError) -> Grant {
        var issues: [DomainError.FieldIssue] = []
        let role = text.flatMap(Role.init(rawValue:))
        if role == nil { issues.append(.init(pointer: "/role", detail: "Choose a role.")) }
        var startDate: CalendarDate?
        switch DateEntry.check(startsOn, field: "/startsOn", label: "start date", within: .roleDates, today: today) {
        case .success(let date): startDate = date
        case .failure(let issue): issues.append(issue)
        }
        var scope = Scope.council
        if let role {
            switch role.scopeKind {
            case .school:
                if let id = schoolID.flatMap(ID<School>.init) { scope = .school(id) } else { issues.append(scopeIssue(role, field: "/schoolId")) }
            case .cluster:
                if let id = clusterID.flatMap(ID<Cluster>.init) { scope = .cluster(id) } else { issues.append(scopeIssue(role, field: "/clusterId")) }
            case .council: break
            }
        }
        guard issues.isEmpty, let role, let startDate else { throw .validation(issues) }
        return Grant(role: role, scope: scope, startsOn: startDate)
    }

    /// The role's scope must match its kind: a school for SENCos and headteachers, a cluster for EPs, none for officers.
    public static func checkScope(_ role: Role, _ scope: Scope) throws(DomainError) {
        guard !RoleAssignment.scopeFits(role, scope) else { return }
        throw .validation([scopeIssue(role, field: "/scope")])
    }

    static func scopeIssue(_ role: Role, field: String) -> DomainError.FieldIssue {
        switch role.scopeKind {
        case .school: .init(pointer: field, detail: "Choose the school this \(role.title) works at.")
        case .cluster: .init(pointer: field, detail: "Choose the cluster this educational psychologist is assigned to.")
        case .council: .init(pointer: field, detail: "An officer's role covers the whole council; choose no school or cluster.")
        }
    }

    /// Reads the end date typed for a role: empty means today.
    public static func endDate(_ text: String?, today: CalendarDate) throws(DomainError) -> CalendarDate {
        let trimmed = (text ?? "").trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return today }
        return try DateEntry.read(trimmed, field: "/endsOn", label: "end date", within: .roleDates, today: today)
    }

    /// Whether a held role may end on `endsOn`: never in the past, never before it started, not again once ended, and
    /// never an officer's own role (so the council is never left without one).
    public static func checkEnd(
        _ endsOn: CalendarDate, role: Role, startsOn: CalendarDate, endedOn: CalendarDate?, endedByHolder: Bool, today: CalendarDate
    ) throws(DomainError) {
        guard endsOn >= today else {
            throw .invalidTransition("A role cannot be ended in the past; the earliest end date is today, \(today.iso).")
        }
        if endedByHolder, role == .officer {
            throw .invalidTransition("You cannot end your own officer role: ask another officer, so the council is never left without one.")
        }
        if let endedOn, endedOn <= endsOn { throw .invalidTransition("This role already ended on \(endedOn.iso).") }
        guard endsOn >= startsOn else {
            throw .invalidTransition("The end date must be on or after the start date, \(startsOn.iso).")
        }
    }
}
