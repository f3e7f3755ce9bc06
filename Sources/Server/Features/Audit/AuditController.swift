import Domain
import Foundation
import Hummingbird
import Store

/// The audit trail page for officers, filtered by person, record and dates, with records and people named.
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
        var recordTypes: [AuditEventRow.Option]
        var events: [AuditEventRow]
        var hasEvents: Bool
        var pagination: Pagination
    }

    /// The filter as typed. The page asks for `person` and `record` (a name, an email or an id); the API also takes
    /// the ids alone, as `userId` and `entityId`.
    struct FilterValues: Sendable {
        var userId: String
        var person: String
        var entityType: String
        var entityId: String
        var record: String
        var from: String
        var to: String

        static let names = ["userId", "person", "entityType", "entityId", "record", "from", "to"]

        var fields: [(String, String)] {
            [("userId", userId), ("person", person), ("entityType", entityType), ("entityId", entityId), ("record", record), ("from", from), ("to", to)]
        }
    }

    @Sendable func list(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        var values = Self.values(request)
        // Links from other pages (a user's page) name the record by id; the form shows it in its one "record" field.
        if values.person.isEmpty { values.person = values.userId }
        if values.record.isEmpty { values.record = values.entityId }
        values.userId = ""
        values.entityId = ""
        let (filter, issues) = Self.filter(from: values)
        let page = try await audit.list(session.actor, filter: filter, page: request.uri.queryParameters["page"].flatMap { Int(String($0)) })
        let keep = values.fields.filter { !$0.1.isEmpty }.map { "\($0.0)=\(Self.encode($0.1))&" }.joined()
        return try pages.render(
            "audit",
            AuditPage(
                layout: Layout(title: "Audit trail", path: "/audit", session: session), errors: FormErrors(issues), filter: values,
                recordTypes: AuditEventRow.recordTypeOptions(selected: values.entityType), events: page.items.map(AuditEventRow.init),
                hasEvents: !page.items.isEmpty, pagination: Pagination(page, path: "/audit", query: keep)
            ),
            status: issues.isEmpty ? .ok : .unprocessableContent
        )
    }

    /// The filter fields from the query. A GET form sends spaces as `+`, which the query parser leaves alone.
    static func values(_ request: Request) -> FilterValues {
        let query = request.uri.queryParameters
        func field(_ name: String) -> String { query[Substring(name)].map { String($0).replacingOccurrences(of: "+", with: " ") } ?? "" }
        return FilterValues(
            userId: field("userId"), person: field("person"), entityType: field("entityType"), entityId: field("entityId"),
            record: field("record"), from: field("from"), to: field("to")
        )
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
        for (field, text) in values.fields where present.contains(field) && text.isEmpty {
            issues.append(.init(pointer: "/\(field)", detail: "\(field) is empty; leave it out to mean any."))
        }
        if !values.userId.isEmpty {
            if let id = ID<User>(values.userId) { filter.actor = id } else { issues.append(.init(pointer: "/userId", detail: "Enter a user id as shown on the user's page.")) }
        }
        // Counted as the API document's maxLength counts: in Unicode code points, not in characters as shown.
        func tooLong(_ text: String) -> Bool { text.unicodeScalars.count > 100 }
        for (field, text) in values.fields where ["person", "entityType", "entityId", "record"].contains(field) && tooLong(text) {
            issues.append(.init(pointer: "/\(field)", detail: "\(field) is at most 100 characters."))
        }
        let person = values.person.trimmingCharacters(in: .whitespaces)
        if !person.isEmpty, !tooLong(person) {
            // A pasted user id still finds that user's events, as the id field it replaces did.
            if filter.actor == nil, let id = ID<User>(person) { filter.actor = id } else { filter.person = person }
        }
        let record = values.record.trimmingCharacters(in: .whitespaces)
        if !record.isEmpty, !tooLong(record) { filter.record = record }
        if !values.entityType.isEmpty, !tooLong(values.entityType) { filter.entityType = values.entityType }
        if !values.entityId.isEmpty, !tooLong(values.entityId) { filter.entityID = values.entityId }
        for (field, text) in [("from", values.from), ("to", values.to)] where !text.isEmpty {
            guard let date = CalendarDate(iso: text) else {
                issues.append(.init(pointer: "/\(field)", detail: "Enter a real date as YYYY-MM-DD."))
                continue
            }
            if field == "from" { filter.from = date } else { filter.to = date }
        }
        return (filter, issues)
    }
}
