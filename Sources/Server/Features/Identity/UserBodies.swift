import Domain
import Foundation
import Hummingbird
import Store

// What the users API answers, as the OpenAPI document's `UserSummary` and `UserDetail` schemas describe: the store's
// records stay free of HTTP, and a change of either side shows here.

/// One row of `GET /api/v1/users`.
struct UserSummaryBody: Encodable, Sendable {
    var id: ID<User>
    var email: String
    var displayName: String
    var active: Bool
    var roles: [String]

    init(_ user: UserSummary) {
        id = user.id
        email = user.email
        displayName = user.displayName
        active = user.active
        roles = user.roles
    }
}

/// `GET /api/v1/users/{userId}`: the user and every role they have held.
struct UserDetailBody: ResponseEncodable {
    var id: ID<User>
    var email: String
    var displayName: String
    var active: Bool
    var assignments: [Assignment]

    struct Assignment: Encodable, Sendable {
        var id: ID<RoleAssignment>
        var role: Role
        var scopeName: String?
        var schoolId: ID<School>?
        var clusterId: ID<Cluster>?
        var startsOn: CalendarDate
        var endsOn: CalendarDate?
    }

    init(_ user: UserDetail) {
        id = user.id
        email = user.email
        displayName = user.displayName
        active = user.active
        assignments = user.assignments.map {
            Assignment(id: $0.id, role: $0.role, scopeName: $0.scopeName, schoolId: $0.schoolId, clusterId: $0.clusterId, startsOn: $0.startsOn, endsOn: $0.endsOn)
        }
    }
}
