/// Someone signed in, with the roles in force for them today and the clusters their schools belong to.
/// Built by the store at authentication, so every decision after it is a pure, in-memory check.
public struct Actor: Sendable, Hashable {
    public var userID: ID<User>
    public var displayName: String
    /// Roles in force today.
    public var assignments: [RoleAssignment]
    /// The clusters each of the actor's own schools belongs to (any year), so cluster-wide rights can be decided.
    public var clustersOfOwnSchools: Set<ID<Cluster>>

    public init(userID: ID<User>, displayName: String, assignments: [RoleAssignment], clustersOfOwnSchools: Set<ID<Cluster>> = []) {
        self.userID = userID
        self.displayName = displayName
        self.assignments = assignments
        self.clustersOfOwnSchools = clustersOfOwnSchools
    }

    public var roles: Set<Role> { Set(assignments.map(\.role)) }
    public var isOfficer: Bool { roles.contains(.officer) }

    /// Schools where the actor holds `role` (or any school role when nil).
    public func schools(as role: Role? = nil) -> Set<ID<School>> {
        Set(assignments.compactMap { assignment in
            guard role == nil || assignment.role == role, case .school(let school) = assignment.scope else { return nil }
            return school
        })
    }

    /// Clusters the actor works in: an EP's assigned clusters and the clusters of their own schools.
    public var clusters: Set<ID<Cluster>> {
        Set(assignments.compactMap { assignment in
            guard case .cluster(let cluster) = assignment.scope else { return nil }
            return cluster
        }).union(clustersOfOwnSchools)
    }
}
