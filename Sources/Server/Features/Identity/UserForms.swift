import Domain

// One parser per form, shared by the pages and the API: each reads what was typed and asks `Domain` whether it is
// acceptable, so every rule of input validation exists once. Fields are optional because a form may leave any out;
// what is missing is a field error, never a decoding failure.

/// "Add a user": `POST /users` and `POST /api/v1/users`.
struct NewUserForm: Decodable, Sendable {
    var email: String?
    var displayName: String?
}

/// "Give a role": `POST /users/{userId}/roles` and `POST /api/v1/users/{userId}/roles`.
struct RoleForm: Decodable, Sendable {
    var role: String?
    var schoolId: String?
    var clusterId: String?
    var startsOn: String?

    func grant(today: CalendarDate) throws(DomainError) -> RoleTenure.Grant {
        try RoleTenure.grant(role: role, schoolID: schoolId, clusterID: clusterId, startsOn: startsOn, today: today)
    }
}

/// "End a role": `POST /users/{userId}/roles/{assignmentId}/end` and its API twin. The page's "End today" button
/// sends no date, which means today; the API names the date (its schema requires it).
struct EndRoleForm: Decodable, Sendable {
    var endsOn: String?

    func endDate(today: CalendarDate, required: Bool = false) throws(DomainError) -> CalendarDate {
        if required, endsOn == nil { throw .validation([.init(pointer: "/endsOn", detail: "Enter the end date, like \(today.iso).")]) }
        return try RoleTenure.endDate(endsOn, today: today)
    }
}
