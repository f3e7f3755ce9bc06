import Domain
import Hummingbird

/// A list's filters read from the query string, every unreadable one reported at once.
///
/// ```swift
/// var filters = QueryFilters(request, emptyIsAbsent: true)
/// let term = filters.value("term", "Choose autumn, spring or summer.") { Term(rawValue: $0) }
/// try filters.check()   // throws DomainError.validation naming /term when it was not a term
/// ```
struct QueryFilters {
    let request: Request
    /// A page's form sends an empty field for "any"; the API takes an empty value as a mistake.
    let emptyIsAbsent: Bool
    private(set) var issues: [DomainError.FieldIssue] = []

    init(_ request: Request, emptyIsAbsent: Bool) {
        self.request = request
        self.emptyIsAbsent = emptyIsAbsent
    }

    /// The parameter's text; nil when absent or (on a page) empty.
    mutating func text(_ name: String) -> String? {
        guard let value = request.uri.queryParameters[Substring(name)] else { return nil }
        if value.isEmpty {
            if !emptyIsAbsent { issues.append(.init(pointer: "/" + name, detail: "Leave \(name) out rather than empty.")) }
            return nil
        }
        return String(value)
    }

    /// The parameter read by `read`; nil when absent, and an issue saying `detail` when `read` cannot read it.
    mutating func value<Value>(_ name: String, _ detail: String, _ read: (String) -> Value?) -> Value? {
        guard let text = text(name) else { return nil }
        guard let value = read(text) else {
            issues.append(.init(pointer: "/" + name, detail: detail))
            return nil
        }
        return value
    }

    /// An academic year by the year it starts, 2000 to 2100.
    mutating func year(_ name: String = "year") -> AcademicYear? {
        value(name, "Choose an academic year by the year it starts, from 2000 to 2100.") { text in
            Int(text).flatMap { CalendarController.years.contains($0) ? AcademicYear($0) : nil }
        }
    }

    /// A funding year by the year it starts, 2000 to 2100.
    mutating func fundingYear(_ name: String = "fundingYear") -> FundingYear? {
        value(name, "Choose the funding year by the year it starts, from 2000 to 2100.") { text in
            Int(text).flatMap { CalendarController.years.contains($0) ? FundingYear($0) : nil }
        }
    }

    func check() throws(DomainError) {
        guard issues.isEmpty else { throw .validation(issues) }
    }
}
