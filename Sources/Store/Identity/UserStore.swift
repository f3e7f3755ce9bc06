import Domain
import Foundation
import PQ

/// A user as an officer sees them in the list.
public struct UserSummary: Sendable {
    public var id: ID<User>
    public var email: String
    public var displayName: String
    public var active: Bool
    public var roles: [String]
}

/// A user with every role assignment they have held.
public struct UserDetail: Sendable {
    public var id: ID<User>
    public var email: String
    public var displayName: String
    public var active: Bool
    public var assignments: [AssignmentView]

    public struct AssignmentView: Sendable {
        public var id: ID<RoleAssignment>
        public var role: Role
        public var scopeName: String?
        public var schoolId: ID<School>?
        public var clusterId: ID<Cluster>?
        public var startsOn: CalendarDate
        public var endsOn: CalendarDate?
    }
}

/// A set-password link's secret, shown once to the officer who asked for it.
public struct PasswordLink: Sendable {
    public var userId: ID<User>
    public var token: String
    public var expiresAt: Date
}

/// User administration for officers: create users, assign and end roles, deactivate, issue set-password links.
public struct UserStore: Sendable {
    let database: Database
    let clock: WallClock
    let configuration: IdentityConfiguration

    public init(database: Database, clock: WallClock = .system, configuration: IdentityConfiguration = .init()) {
        self.database = database
        self.clock = clock
        self.configuration = configuration
    }

    /// The council's date today, by this store's clock: forms read typed dates against it.
    public func today() -> CalendarDate { CalendarDate.today(at: clock.now()) }

    /// Asks the policy whether `actor` administers users, before a handler reads a form it would otherwise validate.
    public func authorize(_ actor: Actor) throws(DomainError) {
        try Policy.require(actor, .administerUsers, on: .council)
    }

    public func list(_ actor: Actor, page number: Int?, size: Int? = nil) async throws -> Page<UserSummary> {
        try Policy.require(actor, .administerUsers, on: .council)
        let (number, size, offset) = Page<UserSummary>.bounds(number: number, size: size)
        let today = CalendarDate.today(at: clock.now())
        return try await database.transaction(actingAs: actor.userID) { tx in
            let total = try await tx.one("SELECT count(*) FROM users").decode(Int.self, at: 0)
            let items = try await tx.query(
                """
                SELECT u.id, u.email, u.display_name, u.active,
                       coalesce(array_agg(DISTINCT ra.role::text) FILTER (WHERE ra.id IS NOT NULL), '{}')
                FROM users u
                LEFT JOIN role_assignments ra ON ra.user_id = u.id AND ra.starts_on <= \(today) AND (ra.ends_on IS NULL OR ra.ends_on >= \(today))
                GROUP BY u.id ORDER BY lower(u.display_name), u.id LIMIT \(size) OFFSET \(offset)
                """
            ).decode((ID<User>, String, String, Bool, [String]).self).map {
                UserSummary(id: $0.0, email: $0.1, displayName: $0.2, active: $0.3, roles: $0.4.sorted())
            }
            return Page(items: items, number: number, size: size, total: total)
        }
    }

    public func detail(_ actor: Actor, _ userID: ID<User>) async throws -> UserDetail {
        try Policy.require(actor, .administerUsers, on: .council)
        return try await database.transaction(actingAs: actor.userID) { tx in try await load(userID, in: tx) }
    }

    func load(_ userID: ID<User>, in tx: Transaction) async throws -> UserDetail {
        guard let user = try await tx.first("SELECT email, display_name, active FROM users WHERE id = \(userID)")?.decode((String, String, Bool).self)
        else { throw DomainError.notFound("There is no such user.") }
        let assignments = try await tx.query(
            """
            SELECT ra.id, ra.role::text, coalesce(s.name, c.name), ra.school_id, ra.cluster_id, ra.starts_on, ra.ends_on
            FROM role_assignments ra LEFT JOIN schools s ON s.id = ra.school_id LEFT JOIN clusters c ON c.id = ra.cluster_id
            WHERE ra.user_id = \(userID) ORDER BY ra.starts_on DESC, ra.created_at DESC LIMIT 200
            """
        ).decode((ID<RoleAssignment>, String, String?, ID<School>?, ID<Cluster>?, CalendarDate, CalendarDate?).self).compactMap { row in
            Role(rawValue: row.1).map {
                UserDetail.AssignmentView(id: row.0, role: $0, scopeName: row.2, schoolId: row.3, clusterId: row.4, startsOn: row.5, endsOn: row.6)
            }
        }
        return UserDetail(id: userID, email: user.0, displayName: user.1, active: user.2, assignments: assignments)
    }

    /// Creates a user without a password; issue a set-password link next.
    public func create(_ actor: Actor, email: String, displayName: String, request: RequestInfo) async throws -> ID<User> {
        try Policy.require(actor, .administerUsers, on: .council)
        let details = try PersonDetails.validated(email: email, displayName: displayName)
        return try await database.transaction(actingAs: actor.userID) { tx in
            try await insertUser(email: details.email, displayName: details.displayName, actor: actor.userID, request: request, in: tx)
        }
    }

    func insertUser(email: String, displayName: String, actor: ID<User>?, request: RequestInfo, in tx: Transaction) async throws -> ID<User> {
        if try await tx.first("SELECT 1 FROM users WHERE lower(email) = lower(\(email))") != nil {
            throw DomainError.conflict(Self.duplicateEmail)
        }
        let id = try await tx.one("INSERT INTO users (email, display_name) VALUES (\(email), \(displayName)) RETURNING id")
            .decode(ID<User>.self, at: 0)
        try await AuditLog.append(
            .init(actor: actor, action: "user.created", entityType: "user", entityID: id.description, after: ["email": email, "displayName": displayName]),
            request: request, in: tx
        )
        return id
    }

    public static let duplicateEmail = "A user with that email address already exists."

    /// Gives a user a role from `startsOn`.
    public func assignRole(
        _ actor: Actor, userID: ID<User>, role: Role, scope: Scope, startsOn: CalendarDate, request: RequestInfo
    ) async throws -> ID<RoleAssignment> {
        try Policy.require(actor, .administerUsers, on: .council)
        try RoleTenure.checkScope(role, scope)
        return try await database.transaction(actingAs: actor.userID) { tx in
            try await insertAssignment(userID: userID, role: role, scope: scope, startsOn: startsOn, actor: actor.userID, request: request, in: tx)
        }
    }

    func insertAssignment(
        userID: ID<User>, role: Role, scope: Scope, startsOn: CalendarDate, actor: ID<User>?, request: RequestInfo, in tx: Transaction
    ) async throws -> ID<RoleAssignment> {
        guard try await tx.first("SELECT 1 FROM users WHERE id = \(userID)") != nil else { throw DomainError.notFound("There is no such user.") }
        var school: ID<School>?
        var cluster: ID<Cluster>?
        switch scope {
        case .school(let id):
            guard try await tx.first("SELECT 1 FROM schools WHERE id = \(id)") != nil else {
                throw DomainError.missingReference(.init(pointer: "/schoolId", detail: "There is no such school; choose one of the council's schools."))
            }
            school = id
        case .cluster(let id):
            guard try await tx.first("SELECT 1 FROM clusters WHERE id = \(id)") != nil else {
                throw DomainError.missingReference(.init(pointer: "/clusterId", detail: "There is no such cluster; choose one of the council's clusters."))
            }
            cluster = id
        case .council: break
        }
        let id = try await tx.one(
            """
            INSERT INTO role_assignments (user_id, role, school_id, cluster_id, starts_on)
            VALUES (\(userID), \(role.rawValue)::role_name, \(school), \(cluster), \(startsOn)) RETURNING id
            """
        ).decode(ID<RoleAssignment>.self, at: 0)
        try await AuditLog.append(
            .init(
                actor: actor, action: "role.assigned", entityType: "role_assignment", entityID: id.description,
                after: ["user": userID.description, "role": role.rawValue, "school": school?.description ?? "", "cluster": cluster?.description ?? "", "startsOn": startsOn.iso]
            ),
            request: request, in: tx
        )
        return id
    }

    /// Ends a role on `endsOn`; the assignment stays as history.
    public func endRole(_ actor: Actor, userID: ID<User>, assignmentID: ID<RoleAssignment>, endsOn: CalendarDate, request: RequestInfo) async throws {
        try Policy.require(actor, .administerUsers, on: .council)
        let today = CalendarDate.today(at: clock.now())
        try await database.transaction(actingAs: actor.userID) { tx in
            guard let (startsOn, endedOn, roleName) = try await tx.first(
                "SELECT starts_on, ends_on, role::text FROM role_assignments WHERE id = \(assignmentID) AND user_id = \(userID) FOR UPDATE"
            )?.decode((CalendarDate, CalendarDate?, String).self), let role = Role(rawValue: roleName)
            else { throw DomainError.notFound("There is no such role assignment.") }
            try RoleTenure.checkEnd(endsOn, role: role, startsOn: startsOn, endedOn: endedOn, endedByHolder: userID == actor.userID, today: today)
            try await tx.execute("UPDATE role_assignments SET ends_on = \(endsOn) WHERE id = \(assignmentID)")
            try await AuditLog.append(
                .init(actor: actor.userID, action: "role.ended", entityType: "role_assignment", entityID: assignmentID.description,
                      before: ["endsOn": endedOn?.iso ?? ""], after: ["endsOn": endsOn.iso]),
                request: request, in: tx
            )
        }
    }

    /// Deactivates a user: they cannot sign in, and their sessions, unused set-password links and half-done sign-ins
    /// all end at once.
    public func deactivate(_ actor: Actor, userID: ID<User>, request: RequestInfo) async throws {
        guard userID != actor.userID else {
            try Policy.require(actor, .administerUsers, on: .council)
            throw DomainError.invalidTransition("You cannot deactivate your own account.")
        }
        try await setActive(false, actor: actor, userID: userID, request: request)
    }

    /// Lets a deactivated user sign in again with their existing password. Their sessions and set-password links stay
    /// ended, and their roles are as they were: any that ended while they were away stay ended.
    public func reactivate(_ actor: Actor, userID: ID<User>, request: RequestInfo) async throws {
        try await setActive(true, actor: actor, userID: userID, request: request)
    }

    private func setActive(_ active: Bool, actor: Actor, userID: ID<User>, request: RequestInfo) async throws {
        try Policy.require(actor, .administerUsers, on: .council)
        let now = clock.now()
        try await database.transaction(actingAs: actor.userID) { tx in
            let changed = try await tx.execute("UPDATE users SET active = \(active), updated_at = \(now) WHERE id = \(userID) AND active <> \(active)")
            guard changed == 1 else {
                guard try await tx.first("SELECT 1 FROM users WHERE id = \(userID)") != nil else { throw DomainError.notFound("There is no such user.") }
                throw DomainError.invalidTransition(active ? "This user is already active." : "This user is already deactivated.")
            }
            var after = ["active": String(active)]
            if !active {
                // Sessions, unused set-password links and unfinished sign-ins all end, so reactivation brings none back.
                let (sessions, links, challenges) = try await tx.one(
                    "SELECT sessions, password_links, challenges FROM admin_revoke_access(\(userID), \(now))"
                ).decode((Int, Int, Int).self)
                after["sessionsEnded"] = String(sessions)
                after["passwordLinksWithdrawn"] = String(links)
                after["signInChallengesEnded"] = String(challenges)
            }
            try await AuditLog.append(
                .init(actor: actor.userID, action: active ? "user.reactivated" : "user.deactivated", entityType: "user",
                      entityID: userID.description, before: ["active": String(!active)], after: after),
                request: request, in: tx
            )
        }
    }

    /// Issues a single-use set-password link valid for 24 hours; its token is returned once and queued for mail.
    public func issuePasswordLink(_ actor: Actor, userID: ID<User>, request: RequestInfo) async throws -> PasswordLink {
        try Policy.require(actor, .administerUsers, on: .council)
        return try await database.transaction(actingAs: actor.userID) { tx in
            try await insertPasswordLink(userID: userID, actor: actor.userID, request: request, in: tx)
        }
    }

    func insertPasswordLink(userID: ID<User>, actor: ID<User>?, request: RequestInfo, in tx: Transaction) async throws -> PasswordLink {
        guard let (email, active) = try await tx.first("SELECT email, active FROM users WHERE id = \(userID)")?.decode((String, Bool).self) else {
            throw DomainError.notFound("There is no such user.")
        }
        guard active else { throw DomainError.invalidTransition("This user is deactivated; reactivate them before issuing a link.") }
        let now = clock.now()
        let tokenID = UUID()
        // Derived from the id under the server's key when it has one, so a mailer can rebuild the link; the outbox
        // names only the id, and the database never holds the link (only its hash).
        let token = configuration.linkKey.map { SecretToken.derived(from: tokenID, key: $0) } ?? SecretToken.generate()
        let expiresAt = now.addingTimeInterval(configuration.passwordLinkValidity.seconds)
        try await tx.execute(
            """
            INSERT INTO password_tokens (id, user_id, token_hash, created_by, expires_at)
            VALUES (\(tokenID), \(userID), \(SecretToken.hash(token)), \(actor), \(expiresAt))
            """
        )
        try await tx.execute("SELECT outbox_purge(\(now))")
        try await tx.execute(
            """
            INSERT INTO outbox (kind, recipient, payload)
            VALUES ('set_password_link', \(email), \(JSONB(["passwordTokenId": tokenID.uuidString.lowercased(), "derived": String(configuration.linkKey != nil)])))
            """
        )
        try await AuditLog.append(
            .init(actor: actor, action: "password_link.issued", entityType: "user", entityID: userID.description, after: ["expiresAt": expiresAt.ISO8601Format()]),
            request: request, in: tx
        )
        return PasswordLink(userId: userID, token: token, expiresAt: expiresAt)
    }
}
