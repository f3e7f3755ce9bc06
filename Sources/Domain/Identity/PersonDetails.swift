import Foundation

/// The details an officer types for a new user: a work email address and the person's name, checked and tidied.
///
/// ```swift
/// let details = try PersonDetails.validated(email: " Ann@School.example.org ", displayName: "Ann Smith")
/// details.email   // "Ann@School.example.org"
/// ```
public struct PersonDetails: Sendable, Equatable {
    public var email: String
    public var displayName: String

    public static let longestEmail = 254
    public static let longestName = 120

    /// Trims both, and names every field that is wrong.
    public static func validated(email: String, displayName: String) throws(DomainError) -> PersonDetails {
        let email = email.trimmingCharacters(in: .whitespacesAndNewlines)
        let name = displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        var issues: [DomainError.FieldIssue] = []
        if !isWorkEmail(email) || email.count > longestEmail {
            issues.append(.init(pointer: "/email", detail: "Enter an email address in the correct format, like name@example.org."))
        }
        if name.isEmpty || name.unicodeScalars.count > longestName || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            issues.append(.init(pointer: "/displayName", detail: "Enter the person's name, up to \(longestName) characters."))
        }
        if !issues.isEmpty { throw .validation(issues) }
        return PersonDetails(email: email, displayName: name)
    }

    /// The API's pattern `^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$`, exactly: a work address in plain ASCII.
    public static func isWorkEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return false }
        let local = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+'-")
        let label = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return parts[0].allSatisfy(local.contains) && labels.count >= 2 && labels.allSatisfy { !$0.isEmpty && $0.allSatisfy(label.contains) }
    }

    /// The form in which emails are compared and throttled: trimmed and lower-cased.
    public static func key(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}
