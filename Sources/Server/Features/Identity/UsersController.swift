import Domain
import Foundation
import Hummingbird
import Store

/// User administration pages for officers. Access is decided by `UserStore` through `Policy`; this only translates.
struct UsersController {
    let pages: Pages
    let users: UserStore
    let structure: StructureStore
    let baseURL: String?

    func addRoutes(to routes: Routes) {
        routes.get("/users", use: list)
        routes.get("/users/new", use: newUser)
        routes.post("/users", use: create)
        routes.get("/users/{userId}", use: show)
        routes.post("/users/{userId}/roles", use: assignRole)
        routes.post("/users/{userId}/roles/{assignmentId}/end", use: endRole)
        routes.post("/users/{userId}/deactivate", use: deactivate)
        routes.post("/users/{userId}/reactivate", use: reactivate)
        routes.post("/users/{userId}/password-link", use: passwordLink)
    }

    struct ListPage: Sendable {
        var layout: Layout
        var users: [UserSummary]
        var pagination: Pagination
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let page = try await users.list(session.actor, page: request.uri.queryParameters["page"].flatMap { Int(String($0)) })
        return try pages.render(
            "users",
            ListPage(layout: Layout(title: "Users", path: "/users", session: session), users: page.items.map(Self.titled),
                     pagination: Pagination(page, path: "/users"))
        )
    }

    /// Roles shown as the council writes them.
    static func titled(_ user: UserSummary) -> UserSummary {
        var user = user
        user.roles = user.roles.map { Role(rawValue: $0)?.title ?? $0 }
        return user
    }

    struct NewUserPage: Sendable {
        var layout: Layout
        var errors = FormErrors()
        var email = ""
        var displayName = ""
    }

    struct NewUserForm: Decodable {
        var email: String?
        var displayName: String?
    }

    @Sendable func newUser(_ request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        try users.authorize(session.actor)
        return try pages.render("user-new", NewUserPage(layout: Layout(title: "Add a user", path: "/users", session: session)))
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        try users.authorize(session.actor)
        let form = try await URLEncodedFormDecoder().decode(NewUserForm.self, from: request, context: context)
        do {
            let id = try await users.create(session.actor, email: form.email ?? "", displayName: form.displayName ?? "", request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/users/\(id)")
        } catch let error as DomainError {
            let issues: [DomainError.FieldIssue]
            switch error {
            case .validation(let found): issues = found
            case .conflict(let detail): issues = [.init(pointer: "/email", detail: detail)]
            default: throw error
            }
            let page = NewUserPage(
                layout: Layout(title: "Add a user", path: "/users", session: session), errors: FormErrors(issues),
                email: form.email ?? "", displayName: form.displayName ?? ""
            )
            return try pages.render("user-new", page, status: .unprocessableContent)
        }
    }

    struct UserPage: Sendable {
        var layout: Layout
        var errors = FormErrors()
        var user: UserDetail
        var current: [AssignmentRow]
        var past: [AssignmentRow]
        var roles: [Option]
        var schools: [Option]
        var clusters: [Option]
        var startsOn: String
        var link: String?
        var linkExpires: String?
        var isSelf: Bool
        // Stored, not computed: templates read properties through Mirror, which sees stored ones only.
        var hasCurrent = false
        var hasPast = false
    }

    struct AssignmentRow: Sendable {
        var id: String
        var role: String
        var scope: String
        var startsOn: String
        var endsOn: String
    }

    struct Option: Sendable {
        var value: String
        var label: String
        var selected: Bool
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        return try await render(session, userID: try Self.userID(context))
    }

    func render(
        _ session: Authenticated, userID: ID<User>, errors: FormErrors = FormErrors(), form: RoleForm? = nil, link: PasswordLink? = nil,
        linkBase: String = "", status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let user = try await users.detail(session.actor, userID)
        let today = CalendarDate.today(at: Date())
        let rows = user.assignments.map { assignment in
            (
                assignment.endsOn.map { $0 >= today } ?? true,
                AssignmentRow(
                    id: assignment.id.description, role: assignment.role.title, scope: assignment.scopeName ?? "The whole council",
                    startsOn: assignment.startsOn.iso, endsOn: assignment.endsOn?.iso ?? ""
                )
            )
        }
        var page = UserPage(
            layout: Layout(title: user.displayName, path: "/users", session: session), errors: errors, user: user,
            current: rows.filter(\.0).map(\.1), past: rows.filter { !$0.0 }.map(\.1),
            roles: Role.allCases.map { Option(value: $0.rawValue, label: $0.title, selected: form?.role == $0.rawValue) },
            schools: try await structure.schools(session.actor).map { Option(value: $0.id.description, label: "\($0.name) (\($0.urn))", selected: form?.schoolId == $0.id.description) },
            clusters: try await structure.clusters(session.actor).map { Option(value: $0.id.description, label: $0.name, selected: form?.clusterId == $0.id.description) },
            startsOn: form?.startsOn ?? today.iso,
            link: link.map { linkBase + "/set-password?token=" + $0.token }, linkExpires: link.map { HTMLResponses.display($0.expiresAt) },
            isSelf: userID == session.actor.userID
        )
        page.hasCurrent = !page.current.isEmpty
        page.hasPast = !page.past.isEmpty
        return try pages.render("user", page, status: status)
    }

    struct RoleForm: Decodable {
        var role: String?
        var schoolId: String?
        var clusterId: String?
        var startsOn: String?
    }

    @Sendable func assignRole(_ request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let userID = try Self.userID(context)
        try users.authorize(session.actor)
        let form = try await URLEncodedFormDecoder().decode(RoleForm.self, from: request, context: context)
        do {
            let (role, scope, startsOn) = try Self.parse(form)
            _ = try await users.assignRole(session.actor, userID: userID, role: role, scope: scope, startsOn: startsOn, request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/users/\(userID)")
        } catch DomainError.validation(let issues) {
            return try await render(session, userID: userID, errors: FormErrors(issues), form: form, status: .unprocessableContent)
        }
    }

    /// Reads the role form: a role, the scope its kind needs, and a start date.
    static func parse(_ form: RoleForm) throws(DomainError) -> (Role, Scope, CalendarDate) {
        var issues: [DomainError.FieldIssue] = []
        let role = form.role.flatMap(Role.init(rawValue:))
        if role == nil { issues.append(.init(pointer: "/role", detail: "Choose a role.")) }
        let startsOn = form.startsOn.flatMap { CalendarDate(iso: $0.trimmingCharacters(in: .whitespaces)) }
        if startsOn == nil { issues.append(.init(pointer: "/startsOn", detail: "Enter a real start date, like 2026-09-01.")) }
        var scope = Scope.council
        switch role?.scopeKind {
        case .school?:
            if let id = form.schoolId.flatMap(ID<School>.init) { scope = .school(id) } else {
                issues.append(.init(pointer: "/schoolId", detail: "Choose the school this \(role?.title ?? "person") works at."))
            }
        case .cluster?:
            if let id = form.clusterId.flatMap(ID<Cluster>.init) { scope = .cluster(id) } else {
                issues.append(.init(pointer: "/clusterId", detail: "Choose the cluster this educational psychologist is assigned to."))
            }
        default: break
        }
        guard issues.isEmpty, let role, let startsOn else { throw .validation(issues) }
        return (role, scope, startsOn)
    }

    struct EndForm: Decodable { var endsOn: String? }

    @Sendable func endRole(_ request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let userID = try Self.userID(context)
        let assignment = ID<RoleAssignment>(try context.parameters.require("assignmentId", as: UUID.self))
        try users.authorize(session.actor)
        let form = try await URLEncodedFormDecoder().decode(EndForm.self, from: request, context: context)
        guard let endsOn = form.endsOn.flatMap({ CalendarDate(iso: $0) }) ?? Optional(CalendarDate.today(at: Date())) else {
            return try await render(session, userID: userID, errors: FormErrors(message: "Enter a real end date."), status: .unprocessableContent)
        }
        do {
            try await users.endRole(session.actor, userID: userID, assignmentID: assignment, endsOn: endsOn, request: context.requestInfo(request))
        } catch DomainError.invalidTransition(let detail) {
            return try await render(session, userID: userID, errors: FormErrors(message: detail), status: .conflict)
        }
        return HTMLResponses.redirect(to: "/users/\(userID)")
    }

    @Sendable func deactivate(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await changeStatus(request, context: context) { actor, userID, info in
            try await users.deactivate(actor, userID: userID, request: info)
        }
    }

    @Sendable func reactivate(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await changeStatus(request, context: context) { actor, userID, info in
            try await users.reactivate(actor, userID: userID, request: info)
        }
    }

    /// A status change that the record's state forbids (already deactivated, say) re-renders the page saying why.
    private func changeStatus(
        _ request: Request, context: AppRequestContext,
        _ change: (Actor, ID<User>, RequestInfo) async throws -> Void
    ) async throws -> Response {
        let session = try context.requireSession()
        let userID = try Self.userID(context)
        do {
            try await change(session.actor, userID, context.requestInfo(request))
        } catch DomainError.invalidTransition(let detail) {
            return try await render(session, userID: userID, errors: FormErrors(message: detail), status: .conflict)
        }
        return HTMLResponses.redirect(to: "/users/\(userID)")
    }

    /// Issues a link and shows it on this response only: it is never stored, so it cannot be shown again.
    @Sendable func passwordLink(_ request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let userID = try Self.userID(context)
        let link = try await users.issuePasswordLink(session.actor, userID: userID, request: context.requestInfo(request))
        // A full address the officer can send on as it stands.
        let base = baseURL ?? request.head.authority.map { "http://" + $0 } ?? ""
        var response = try await render(session, userID: userID, link: link, linkBase: base)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    static func userID(_ context: AppRequestContext) throws -> ID<User> {
        ID(try context.parameters.require("userId", as: UUID.self))
    }
}

/// Previous and next links for a paginated list.
struct Pagination: Sendable {
    var number: Int
    var pageCount: Int
    var total: Int
    var previous: String?
    var next: String?

    init<Item>(_ page: Page<Item>, path: String, query: String = "") {
        number = page.number
        pageCount = page.pageCount
        total = page.total
        let separator = path.contains("?") ? "&" : "?"
        previous = page.hasPrevious ? "\(path)\(separator)\(query)page=\(page.number - 1)" : nil
        next = page.hasNext ? "\(path)\(separator)\(query)page=\(page.number + 1)" : nil
    }
}
