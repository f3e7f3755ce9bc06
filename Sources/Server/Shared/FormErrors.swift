import Domain
import Mustache

/// The error summary at the top of a form and the message beside each field, from a validation failure.
/// In a template: `{{#errors.hasErrors}}…{{/errors.hasErrors}}`, `{{errors.email}}` for one field's message.
struct FormErrors: Sendable, MustacheParent {
    struct Item: Sendable {
        var href: String?
        var text: String
    }

    var items: [Item] = []
    private var byField: [String: String] = [:]

    init() {}

    /// From field issues (`/email` pointers become links to `#email`).
    init(_ issues: [DomainError.FieldIssue]) {
        for issue in issues {
            let field = String(issue.pointer.drop { $0 == "/" })
            items.append(Item(href: field.isEmpty ? nil : "#" + field, text: issue.detail))
            if byField[field] == nil { byField[field] = issue.detail }
        }
    }

    /// From any domain error: a validation failure's field issues, otherwise its message about the whole form.
    init(_ error: DomainError) {
        if case .validation(let issues) = error { self.init(issues) } else { self.init(message: error.message) }
    }

    /// A message about the whole form, not one field.
    init(message: String) { items = [Item(href: nil, text: message)] }

    var hasErrors: Bool { !items.isEmpty }

    /// The first problem with one field, by its name.
    func message(for field: String) -> String? { byField[field] }

    func child(named name: String) -> Any? {
        switch name {
        case "hasErrors": hasErrors
        case "items": items
        default: byField[name]
        }
    }
}

extension DomainError {
    /// A form's page cannot be shown again for a record that is not there: the handler lets this error through (404).
    var isNotFound: Bool {
        if case .notFound = self { return true }
        return false
    }
}
