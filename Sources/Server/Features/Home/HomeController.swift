import Domain
import Hummingbird
import Store

/// The home page: an introduction before sign-in, and a card per role in force after it
/// (the dashboards of later issues fill these cards).
struct HomeController {
    let pages: Pages
    let structure: StructureStore

    func addRoutes(to routes: RouteTable) {
        routes.pages.get("/", use: home)
    }

    struct HomePage: Sendable {
        var layout: Layout
        var signedIn: Bool
        var displayName: String
        var roles: [RoleCard]
    }

    struct RoleCard: Sendable {
        var title: String
        var scope: String
        var description: String
    }

    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let session = context.identity else {
            return try pages.render("home", HomePage(layout: Layout(title: "SEND cluster funding", path: "/"), signedIn: false, displayName: "", roles: []))
        }
        let schools = Dictionary(uniqueKeysWithValues: try await structure.schools(session.actor).map { ($0.id, $0.name) })
        let clusters = Dictionary(uniqueKeysWithValues: try await structure.clusters(session.actor).map { ($0.id, $0.name) })
        let cards = session.actor.assignments.map { assignment in
            let scope = switch assignment.scope {
            case .school(let id): schools[id] ?? "A school"
            case .cluster(let id): clusters[id] ?? "A cluster"
            case .council: "The whole council"
            }
            return RoleCard(title: assignment.role.title, scope: scope, description: Self.describe(assignment.role))
        }
        let page = HomePage(
            layout: Layout(title: "Home", path: "/", session: session), signedIn: true, displayName: session.actor.displayName, roles: cards
        )
        return try pages.render("home", page)
    }

    static func describe(_ role: Role) -> String {
        switch role {
        case .senco: "Start and follow your school's requests under Requests; keep pupils and consent under Pupils."
        case .headteacher: "Requests waiting for your endorsement are under Requests, \"Waiting for you\"."
        case .educationalPsychologist: "The requests of the clusters you support, and your follow-ups, are under Caseload."
        case .officer: "Council set-up, meetings, escalations and reports will appear here. Manage users and read the audit trail from the menu."
        }
    }
}
