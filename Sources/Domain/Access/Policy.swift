/// What someone wants to do. Each later issue adds its actions here, and a row to `Policy.authorize`.
public enum Action: String, Sendable, CaseIterable {
    /// See and change one's own account: password, sessions.
    case manageOwnAccount
    /// List users, create them, assign and end roles, deactivate, issue set-password links.
    case administerUsers
    /// Read the audit trail.
    case readAuditTrail
    /// See a school's record (name, URN, phase).
    case viewSchool
    /// Change how the council runs: its settings, term dates and closure days.
    case configureCouncil
    /// Add, change, close and import schools and their trusts and census figures.
    case manageSchools
    /// Create and rename clusters, name their locality leads, and group schools into them year by year.
    case manageClusters
    /// Generate a year's meeting schedule, move, re-chair and cancel meetings.
    case scheduleMeetings
    /// Set a funding year's budget and formula, override, confirm, adjust; read any cluster's ledger.
    case manageBudgets
    /// See a cluster's balance for a funding year (the store narrows it to the clusters of that year).
    case viewBalance
    /// Read pupils' records: officers all, a school's SENCo and headteacher their school's, an EP the pupils of their
    /// clusters whose families consent to EP involvement (row-level security narrows it to exactly these).
    case readPupils
    /// Add and change pupils at a school: its SENCo only.
    case editPupils
}

/// The resource an action is aimed at, by the scopes that decide access to it.
public enum Target: Sendable, Hashable {
    /// Not tied to a school or cluster: accounts, the council's settings, the audit trail.
    case council
    case school(ID<School>, clusters: Set<ID<Cluster>>)
    case cluster(ID<Cluster>)
}

/// The answer: allowed, or denied with the reason the HTTP layer turns into 404 or 403.
public enum Decision: Sendable, Equatable {
    case allow
    /// The resource is outside the actor's scope: answer exactly as if it did not exist (404).
    case notVisible
    /// The actor sees the resource but their role never does this (403).
    case notPermitted(String)
}

/// The one access policy: every service asks it before touching data, and no handler decides access itself.
///
/// ```swift
/// try Policy.require(actor, .administerUsers, on: .council)   // throws DomainError.forbidden for a SENCo
/// ```
public enum Policy {
    public static func authorize(_ actor: Actor, _ action: Action, on target: Target) -> Decision {
        switch action {
        case .manageOwnAccount:
            return .allow
        case .administerUsers:
            return actor.isOfficer ? .allow : .notPermitted("Only council officers manage users.")
        case .readAuditTrail:
            return actor.isOfficer ? .allow : .notPermitted("Only council officers read the audit trail.")
        case .viewSchool:
            return canSee(actor, target) ? .allow : .notVisible
        case .configureCouncil:
            return actor.isOfficer ? .allow : .notPermitted("Only council officers change the council's settings and calendar.")
        case .manageSchools:
            return actor.isOfficer ? .allow : .notPermitted("Only council officers add, change, close or import schools.")
        case .manageClusters:
            return actor.isOfficer ? .allow : .notPermitted("Only council officers set up clusters.")
        case .scheduleMeetings:
            return actor.isOfficer ? .allow : .notPermitted("Only council officers schedule meetings.")
        case .manageBudgets:
            return actor.isOfficer ? .allow : .notPermitted("Only council officers set budgets and read the ledger.")
        case .viewBalance:
            return canSee(actor, target) ? .allow : .notVisible
        case .readPupils:
            return actor.isOfficer || !actor.schools().isEmpty || actor.roles.contains(.educationalPsychologist) ? .allow
                : .notPermitted("Only officers, a pupil's school and educational psychologists with the family's consent read pupils' records.")
        case .editPupils:
            guard case .school(let school, _) = target, actor.schools(as: .senco).contains(school) else {
                return .notPermitted("Only the SENCo of the pupil's school adds and changes a pupil's record.")
            }
            return .allow
        }
    }

    /// Throws the domain error for a denial: `notFound` when out of scope (no existence leak), `forbidden` otherwise.
    public static func require(_ actor: Actor, _ action: Action, on target: Target, notFound: String = "There is no such record.") throws(DomainError) {
        switch authorize(actor, action, on: target) {
        case .allow: return
        case .notVisible: throw .notFound(notFound)
        case .notPermitted(let reason): throw .forbidden(reason)
        }
    }

    /// Whether the target lies within the actor's scope at all.
    static func canSee(_ actor: Actor, _ target: Target) -> Bool {
        if actor.isOfficer { return true }
        switch target {
        case .council: return true
        case .school(let school, let clusters):
            return actor.schools().contains(school) || !actor.clusters.isDisjoint(with: clusters)
        case .cluster(let cluster):
            return actor.clusters.contains(cluster)
        }
    }
}
