import Domain
import Foundation
import Store

/// One event as the audit page shows it: people and records by name, with their ids beside them in small print, and
/// the changed fields as a list a person can read.
struct AuditEventRow: Sendable {
    var seq: Int
    var when: String
    var who: String
    // Optional, not empty: an empty string still opens a Mustache section.
    var whoId: String?
    var action: String
    var actionCode: String
    var record: String
    var recordId: String?
    var changes: [Change]
    var hasChanges: Bool
    var address: String

    /// One changed field: "Active: yes → no".
    struct Change: Sendable {
        var field: String
        var text: String
        /// The ids behind the names in `text`, when it names records.
        var ids: String?
    }

    struct Option: Sendable {
        var value: String
        var label: String
        var selected: Bool
    }

    init(_ event: AuditEntry) {
        seq = event.seq
        when = HTMLResponses.display(event.occurredAt)
        who = Self.who(event)
        whoId = event.actorUserId?.description
        action = Self.sentence(event.action)
        actionCode = event.action
        let type = Self.recordTypes.first { $0.0 == event.entityType }?.1 ?? Self.sentence(event.entityType)
        if event.entityType == "route" {
            // A refused request's record is the request itself ("GET /users"), which names nobody.
            record = "\(type): \(event.entityId ?? "")"
            recordId = nil
        } else {
            record = event.entityName.map { "\(type): \($0)" } ?? type
            recordId = event.entityId
        }
        changes = Self.changes(event)
        hasChanges = !changes.isEmpty
        address = event.clientAddress ?? ""
    }

    /// The user who acted; the command, for the command line; otherwise nobody was signed in (a failed sign-in).
    static func who(_ event: AuditEntry) -> String {
        if let name = event.actorName { return name }
        if let command = event.command { return "\(command) command" }
        return event.actorUserId == nil ? "Nobody signed in" : "A user who no longer exists"
    }

    /// The kinds of record the trail holds, as officers call them.
    static let recordTypes = [
        ("user", "User"), ("role_assignment", "Role"), ("session", "Session"), ("account", "Sign-in"),
        ("route", "Refused request"), ("council_settings", "Council settings"), ("school", "School"), ("cluster", "Cluster"),
    ]

    /// The record-type choices of the filter, with any other type a link asked for kept and selected.
    static func recordTypeOptions(selected: String) -> [Option] {
        var options = [Option(value: "", label: "Any", selected: selected.isEmpty)]
        options += recordTypes.map { Option(value: $0.0, label: $0.1, selected: $0.0 == selected) }
        if !selected.isEmpty, !recordTypes.contains(where: { $0.0 == selected }) {
            options.append(Option(value: selected, label: selected, selected: true))
        }
        return options
    }

    /// `role.assigned` → "Role assigned"; `sign_in.password_accepted` → "Sign in password accepted".
    static func sentence(_ code: String) -> String {
        let words = code.replacingOccurrences(of: ".", with: " ").replacingOccurrences(of: "_", with: " ").lowercased()
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    /// `displayName` → "Display name"; `passwordLinksWithdrawn` → "Password links withdrawn".
    static func fieldName(_ key: String) -> String {
        var words = ""
        for character in key {
            if character.isUppercase, !words.isEmpty { words += " " }
            words += character.lowercased()
        }
        return sentence(words)
    }

    /// Each field that changed, before → after, with ids of records shown as the records' names.
    static func changes(_ event: AuditEntry) -> [Change] {
        let names = event.names ?? [:]
        func shown(_ key: String, _ value: String) -> String {
            if value.isEmpty { return "none" }
            if let name = names[value.lowercased()] { return name }
            if key == "role", let role = Role(rawValue: value) { return role.title }
            switch value {
            case "true": return "yes"
            case "false": return "no"
            default: return value
            }
        }
        let keys = Set((event.before ?? [:]).keys).union((event.after ?? [:]).keys).sorted()
        return keys.map { key in
            let before = event.before?[key]
            let after = event.after?[key]
            let text = switch (before, after) {
            case (let b?, let a?): "\(shown(key, b)) → \(shown(key, a))"
            case (nil, let a?): shown(key, a)
            case (let b?, nil): "\(shown(key, b)) (removed)"
            default: ""
            }
            let ids = [before, after].compactMap { $0 }.filter { names[$0.lowercased()] != nil }
            return Change(field: fieldName(key), text: text, ids: ids.isEmpty ? nil : ids.joined(separator: " → "))
        }
    }
}
