/// The four roles of DOMAIN.md's "Who does what" table.
public enum Role: String, Sendable, Codable, CaseIterable, Hashable {
    case senco
    case headteacher
    case educationalPsychologist = "educational_psychologist"
    case officer

    /// As the council writes it.
    public var title: String {
        switch self {
        case .senco: "SENCo"
        case .headteacher: "Headteacher"
        case .educationalPsychologist: "Educational psychologist"
        case .officer: "Officer"
        }
    }

    /// What a role is scoped to: a school, a cluster, or the whole council.
    public var scopeKind: ScopeKind {
        switch self {
        case .senco, .headteacher: .school
        case .educationalPsychologist: .cluster
        case .officer: .council
        }
    }
}

public enum ScopeKind: String, Sendable, Codable { case school, cluster, council }

/// Markers for typed ids of the structure access is decided by.
public enum School {}
public enum Cluster {}
public enum User {}
public enum Session {}

/// Where a role applies. In JSON: `{"kind": "school", "id": "…"}`, `{"kind": "cluster", "id": "…"}`, `{"kind": "council"}`.
public enum Scope: Sendable, Hashable, Codable {
    case school(ID<School>)
    case cluster(ID<Cluster>)
    case council

    private enum CodingKeys: String, CodingKey { case kind, id }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(ScopeKind.self, forKey: .kind) {
        case .school: self = .school(try container.decode(ID<School>.self, forKey: .id))
        case .cluster: self = .cluster(try container.decode(ID<Cluster>.self, forKey: .id))
        case .council: self = .council
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .school(let id):
            try container.encode(ScopeKind.school, forKey: .kind)
            try container.encode(id, forKey: .id)
        case .cluster(let id):
            try container.encode(ScopeKind.cluster, forKey: .kind)
            try container.encode(id, forKey: .id)
        case .council:
            try container.encode(ScopeKind.council, forKey: .kind)
        }
    }
}

/// One role held by one person, for a span of dates (history stays true: ending sets `endsOn`).
public struct RoleAssignment: Sendable, Hashable, Codable {
    public var id: ID<RoleAssignment>
    public var role: Role
    public var scope: Scope
    public var startsOn: CalendarDate
    public var endsOn: CalendarDate?

    public init(id: ID<RoleAssignment>, role: Role, scope: Scope, startsOn: CalendarDate, endsOn: CalendarDate? = nil) {
        self.id = id
        self.role = role
        self.scope = scope
        self.startsOn = startsOn
        self.endsOn = endsOn
    }

    /// In force on `date` (both ends inclusive).
    public func isInForce(on date: CalendarDate) -> Bool {
        startsOn <= date && (endsOn.map { date <= $0 } ?? true)
    }

    /// The role's scope matches its kind: a school for SENCos and headteachers, a cluster for EPs, none for officers.
    public static func scopeFits(_ role: Role, _ scope: Scope) -> Bool {
        switch (role.scopeKind, scope) {
        case (.school, .school), (.cluster, .cluster), (.council, .council): true
        default: false
        }
    }
}
