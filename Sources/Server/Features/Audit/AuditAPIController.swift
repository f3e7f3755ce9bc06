import Domain
import Hummingbird
import Store

/// `GET /api/v1/audit-events` for officers, with the same filters as the page.
struct AuditAPIController {
    let audit: AuditStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInAPI.get("/api/v1/audit-events", use: list)
    }

    @Sendable func list(_ request: Request, context: SignedInContext) async throws -> PageBody<AuditEntry> {
        let actor = context.actor
        let query = request.uri.queryParameters
        let values = AuditController.values(request)
        let present = Set(AuditController.FilterValues.names.filter { query[Substring($0)] != nil })
        let (filter, issues) = AuditController.filter(from: values, present: present)
        if !issues.isEmpty { throw DomainError.validation(issues) }
        let (number, size) = try PageBody<AuditEntry>.requested(request)
        return PageBody(try await audit.list(actor, filter: filter, page: number, size: size))
    }
}
