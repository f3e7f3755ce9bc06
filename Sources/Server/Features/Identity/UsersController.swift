import Domain
import Foundation
import Hummingbird
import Store

/// User administration pages for officers. Access is decided by `UserStore` through `Policy`; this only translates.
struct UsersController {
    let pages: Pages
    let users: UserStore
    let structure: StructureStore
    /// The address people use (`CLUSTERFUND_BASE_URL`); without it, no links are issued on pages.
    let baseURL: String?

    func addRoutes(to routes: RouteTable) {
        routes.signedInPages.get("/users", use: list)
        routes.signedInPages.get("/users/new", use: newUser)
        routes.signedInPages.post("/users", use: create)
        routes.signedInPages.get("/users/{userId}", use: show)
        routes.signedInPages.post("/users/{userId}/roles", use: assignRole)
        routes.signedInPages.post("/users/{userId}/roles/{assignmentId}/end", use: endRole)
        routes.signedInPages.post("/users/{userId}/deactivate", use: deactivate)
        routes.signedInPages.post("/users/{userId}/reactivate", use: reactivate)
        routes.signedInPages.post("/users/{userId}/password-link", use: passwordLink)
    }

    struct ListPage: Sendable {
        var layout: Layout
        var users: [UserSummary]
        var pagination: Pagination
    }

    @Sendable func list(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
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

    @Sendable func newUser(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try users.authorize(session.actor)
        return try pages.render("user-new", NewUserPage(layout: Layout(title: "Add a user", path: "/users", session: session)))
    }

    @Sendable func create(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
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
        var upcoming: [AssignmentRow]
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
        var hasUpcoming = false
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

    @Sendable func show(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        return try await render(session, userID: try Self.userID(context))
    }

    func render(
        _ session: Authenticated, userID: ID<User>, errors: FormErrors = FormErrors(), form: RoleForm? = nil, link: PasswordLink? = nil,
        linkBase: String = "", status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let user = try await users.detail(session.actor, userID)
        let today = users.today()
        let assignments = user.assignments.map { assignment in
            (
                RoleTenure.standing(startsOn: assignment.startsOn, endsOn: assignment.endsOn, on: today),
                AssignmentRow(
                    id: assignment.id.description, role: assignment.role.title, scope: assignment.scopeName ?? "The whole council",
                    startsOn: assignment.startsOn.iso, endsOn: assignment.endsOn?.iso ?? ""
                )
            )
        }
        func rows(_ standing: RoleTenure.Standing) -> [AssignmentRow] { assignments.filter { $0.0 == standing }.map(\.1) }
        var page = UserPage(
            layout: Layout(title: user.displayName, path: "/users", session: session), errors: errors, user: user,
            current: rows(.current), upcoming: rows(.upcoming), past: rows(.ended),
            roles: Role.allCases.map { Option(value: $0.rawValue, label: $0.title, selected: form?.role == $0.rawValue) },
            schools: try await structure.schools(session.actor).map { Option(value: $0.id.description, label: "\($0.name) (\($0.urn))", selected: form?.schoolId == $0.id.description) },
            clusters: try await structure.clusters(session.actor).map { Option(value: $0.id.description, label: $0.name, selected: form?.clusterId == $0.id.description) },
            startsOn: form?.startsOn ?? today.iso,
            link: link.map { linkBase + "/set-password?token=" + $0.token }, linkExpires: link.map { HTMLResponses.display($0.expiresAt) },
            isSelf: userID == session.actor.userID
        )
        page.hasCurrent = !page.current.isEmpty
        page.hasUpcoming = !page.upcoming.isEmpty
        page.hasPast = !page.past.isEmpty
        return try pages.render("user", page, status: status)
    }

    @Sendable func assignRole(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        let userID = try Self.userID(context)
        try users.authorize(session.actor)
        let form = try await URLEncodedFormDecoder().decode(RoleForm.self, from: request, context: context)
        do {
            let grant = try form.grant(today: users.today())
            _ = try await users.assignRole(
                session.actor, userID: userID, role: grant.role, scope: grant.scope, startsOn: grant.startsOn, request: context.requestInfo(request)
            )
            return HTMLResponses.redirect(to: "/users/\(userID)")
        } catch DomainError.validation(let issues) {
            return try await render(session, userID: userID, errors: FormErrors(issues), form: form, status: .unprocessableContent)
        } catch DomainError.missingReference(let issue) {
            // A school or cluster that is no longer there (closed in another tab, say): say so beside the field.
            return try await render(session, userID: userID, errors: FormErrors([issue]), form: form, status: .conflict)
        }
    }

    @Sendable func endRole(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        let userID = try Self.userID(context)
        let assignment = ID<RoleAssignment>(try context.parameters.require("assignmentId", as: UUID.self))
        try users.authorize(session.actor)
        let form = try await URLEncodedFormDecoder().decode(EndRoleForm.self, from: request, context: context)
        let endsOn: CalendarDate
        do {
            endsOn = try form.endDate(today: users.today())
        } catch {
            return try await render(session, userID: userID, errors: FormErrors(error), status: .unprocessableContent)
        }
        do {
            try await users.endRole(session.actor, userID: userID, assignmentID: assignment, endsOn: endsOn, request: context.requestInfo(request))
        } catch DomainError.invalidTransition(let detail) {
            return try await render(session, userID: userID, errors: FormErrors(message: detail), status: .conflict)
        }
        return HTMLResponses.redirect(to: "/users/\(userID)")
    }

    @Sendable func deactivate(_ request: Request, context: SignedInContext) async throws -> Response {
        try await changeStatus(request, context: context) { actor, userID, info in
            try await users.deactivate(actor, userID: userID, request: info)
        }
    }

    @Sendable func reactivate(_ request: Request, context: SignedInContext) async throws -> Response {
        try await changeStatus(request, context: context) { actor, userID, info in
            try await users.reactivate(actor, userID: userID, request: info)
        }
    }

    /// A status change that the record's state forbids (already deactivated, say) re-renders the page saying why.
    private func changeStatus(
        _ request: Request, context: SignedInContext,
        _ change: (Actor, ID<User>, RequestInfo) async throws -> Void
    ) async throws -> Response {
        let session = context.session
        let userID = try Self.userID(context)
        do {
            try await change(session.actor, userID, context.requestInfo(request))
        } catch DomainError.invalidTransition(let detail) {
            return try await render(session, userID: userID, errors: FormErrors(message: detail), status: .conflict)
        }
        return HTMLResponses.redirect(to: "/users/\(userID)")
    }

    /// Issues a link and shows it on this response only: it is never stored, so it cannot be shown again.
    @Sendable func passwordLink(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        let userID = try Self.userID(context)
        // A full address the officer can send on as it stands, and never one built from the request's Host, which
        // the sender chooses: a link to their server would hand them the new password.
        guard let baseURL else {
            return try await render(session, userID: userID, errors: FormErrors(message: Self.noBaseURL), status: .serviceUnavailable)
        }
        let link = try await users.issuePasswordLink(session.actor, userID: userID, request: context.requestInfo(request))
        var response = try await render(session, userID: userID, link: link, linkBase: baseURL)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    static let noBaseURL =
        "Clusterfund cannot issue links here until it knows the address people use: ask whoever runs it to set CLUSTERFUND_BASE_URL."

    static func userID(_ context: some RequestContext) throws -> ID<User> {
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

    /// `parameter` names the page in the query: `page`, or another for a second list on the same page.
    init<Item>(_ page: Page<Item>, path: String, query: String = "", parameter: String = "page") {
        number = page.number
        pageCount = page.pageCount
        total = page.total
        let separator = path.contains("?") ? "&" : "?"
        previous = page.hasPrevious ? "\(path)\(separator)\(query)\(parameter)=\(page.number - 1)" : nil
        next = page.hasNext ? "\(path)\(separator)\(query)\(parameter)=\(page.number + 1)" : nil
    }
}
