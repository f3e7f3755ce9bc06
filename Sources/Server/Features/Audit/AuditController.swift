import Domain
import Foundation
import Hummingbird
import Store

/// The audit trail page for officers, filtered by user, record and dates.
struct AuditController {
    let pages: Pages
    let audit: AuditStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInPages.get("/audit", use: list)
    }

    struct AuditPage: Sendable {
        var layout: Layout
        var errors: FormErrors
        var filter: FilterValues
        var events: [EventRow]
        var hasEvents: Bool
        var pagination: Pagination
    }

    struct FilterValues: Sendable {
        var userId: String
        var entityType: String
        var entityId: String
        var from: String
        var to: String
    }

    struct EventRow: Sendable {
        var seq: Int
        var when: String
        var who: String
        var action: String
        var entity: String
        var changes: String
        var requestId: String
        var address: String
    }

    @Sendable func list(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        let values = Self.values(request)
        let (filter, issues) = Self.filter(from: values)
        let page = try await audit.list(session.actor, filter: filter, page: request.uri.queryParameters["page"].flatMap { Int(String($0)) })
        let rows = page.items.map { event in
            EventRow(
                seq: event.seq, when: HTMLResponses.display(event.occurredAt), who: event.actorName ?? "Nobody signed in",
                action: event.action, entity: [event.entityType, event.entityId].compactMap { $0 }.joined(separator: " "),
                changes: Self.describe(event), requestId: event.requestId ?? "", address: event.clientAddress ?? ""
            )
        }
        let keep = [("userId", values.userId), ("entityType", values.entityType), ("entityId", values.entityId), ("from", values.from), ("to", values.to)]
            .map { "\($0.0)=\(Self.encode($0.1))&" }.joined()
        return try pages.render(
            "audit",
            AuditPage(
                layout: Layout(title: "Audit trail", path: "/audit", session: session), errors: FormErrors(issues), filter: values,
                events: rows, hasEvents: !rows.isEmpty, pagination: Pagination(page, path: "/audit", query: keep)
            ),
            status: issues.isEmpty ? .ok : .unprocessableContent
        )
    }

    /// The filter fields from the query. A GET form sends spaces as `+`, which the query parser leaves alone.
    static func values(_ request: Request) -> FilterValues {
        let query = request.uri.queryParameters
        func field(_ name: String) -> String { query[Substring(name)].map { String($0).replacingOccurrences(of: "+", with: " ") } ?? "" }
        return FilterValues(userId: field("userId"), entityType: field("entityType"), entityId: field("entityId"), from: field("from"), to: field("to"))
    }

    static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }

    /// The filter from query values; an unreadable value is reported and ignored rather than guessed at.
    /// The page treats an empty field as "any" (a GET form sends every field); the API names `present` fields, and
    /// an empty one there is an error.
    static func filter(from values: FilterValues, present: Set<String> = []) -> (AuditFilter, [DomainError.FieldIssue]) {
        var issues: [DomainError.FieldIssue] = []
        var filter = AuditFilter()
        for (field, text) in [("userId", values.userId), ("entityType", values.entityType), ("entityId", values.entityId), ("from", values.from), ("to", values.to)]
        where present.contains(field) && text.isEmpty {
            issues.append(.init(pointer: "/\(field)", detail: "\(field) is empty; leave it out to mean any."))
        }
        if !values.userId.isEmpty {
            if let id = ID<User>(values.userId) { filter.actor = id } else { issues.append(.init(pointer: "/userId", detail: "Enter a user id as shown on the user's page.")) }
        }
        for (field, text) in [("entityType", values.entityType), ("entityId", values.entityId)] where text.count > 100 {
            issues.append(.init(pointer: "/\(field)", detail: "\(field) is at most 100 characters."))
        }
        if !values.entityType.isEmpty, values.entityType.count <= 100 { filter.entityType = values.entityType }
        if !values.entityId.isEmpty, values.entityId.count <= 100 { filter.entityID = values.entityId }
        for (field, text) in [("from", values.from), ("to", values.to)] where !text.isEmpty {
            guard let date = CalendarDate(iso: text) else {
                issues.append(.init(pointer: "/\(field)", detail: "Enter a real date as YYYY-MM-DD."))
                continue
            }
            if field == "from" { filter.from = date } else { filter.to = date }
        }
        return (filter, issues)
    }

    static func describe(_ event: AuditEntry) -> String {
        let keys = Set((event.before ?? [:]).keys).union((event.after ?? [:]).keys).sorted()
        return keys.map { key in
            let before = event.before?[key]
            let after = event.after?[key]
            switch (before, after) {
            case (let b?, let a?): return "\(key): \(b) → \(a)"
            case (nil, let a?): return "\(key): \(a)"
            case (let b?, nil): return "\(key): \(b) (removed)"
            default: return key
            }
        }.joined(separator: "; ")
    }
}
