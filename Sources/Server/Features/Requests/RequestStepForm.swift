import Domain
import Foundation

/// Reads one editor step's form into the draft. Rows of outcomes and lines come as `outcomes/2/measure`; a row left
/// empty is ignored and a row ticked for removal is dropped. Anything that cannot be read is a field error naming it.
enum RequestStepForm {
    static let lineFields = ["category", "description", "staffRole", "unitCost", "quantity", "funder"]
    static let documentFields = ["title", "datedOn", "keptAt"]

    /// The rows a repeated group sent, in order, each with `fields`' values, up to 100 rows.
    static func rows(_ form: FormValues, _ group: String, _ fields: [String]) -> [[String]] {
        var rows: [[String]] = []
        for index in 0..<100 {
            let values = fields.map { form["\(group)/\(index)/\($0)"] }
            guard values.contains(where: { $0 != nil }) else { break }
            rows.append(values.map { ($0 ?? "").trimmingCharacters(in: .whitespacesAndNewlines) })
        }
        return rows
    }

    /// The rows to keep: not ticked for removal, and not left wholly empty.
    static func kept(_ form: FormValues, _ group: String, _ fields: [String]) -> [(index: Int, values: [String])] {
        rows(form, group, fields).enumerated().compactMap { index, row in
            form["\(group)/\(index)/remove"] == "true" || row.allSatisfy(\.isEmpty) ? nil : (index, row)
        }
    }

    static func apply(_ step: RequestStep, form: FormValues, to draft: inout RequestDraft, partners: inout [ID<School>]?) throws(DomainError) {
        var issues: [DomainError.FieldIssue] = []
        switch step {
        case .about:
            draft.title = form["title"] ?? draft.title
            draft.need = form["need"] ?? draft.need
            draft.tried = form["tried"] ?? draft.tried
            if let cohort = form["cohort"] { draft.cohort = cohort }
            let areas = form.all("areasOfNeed")
            draft.areasOfNeed = areas.compactMap(AreaOfNeed.init(rawValue:))
            if draft.areasOfNeed.count != areas.count { issues.append(.init(pointer: "/areasOfNeed", detail: "Choose areas of need from the list.")) }
            if let terms = form["termsAsked"] {
                if terms.isEmpty { draft.termsAsked = nil } else if let number = Int(terms) { draft.termsAsked = number } else {
                    issues.append(.init(pointer: "/termsAsked", detail: "Choose how many terms from the list."))
                }
            }
        case .schools:
            let ids = form.all("partnerSchoolIds")
            partners = ids.compactMap(ID<School>.init)
            if partners?.count != ids.count { issues.append(.init(pointer: "/partnerSchoolIds", detail: "Choose partner schools from the list.")) }
        case .outcomes:
            draft.outcomes = kept(form, "outcomes", ["outcome", "measure", "baseline", "target"]).map {
                IntendedOutcome(outcome: $0.values[0], measure: $0.values[1], baseline: $0.values[2], target: $0.values[3])
            }
        case .costs:
            draft.lines = []
            for (index, row) in kept(form, "lines", lineFields) {
                let at = "/lines/\(index)"
                let category = ProvisionCategory(rawValue: row[0])
                let funder = ProvisionFunder(rawValue: row[5])
                let cost = Pence(poundsText: row[3])
                let quantity = Int(row[4])
                if category == nil { issues.append(.init(pointer: "\(at)/category", detail: "Line \(index + 1): choose a category.")) }
                if cost == nil { issues.append(.init(pointer: "\(at)/unitCost", detail: "Line \(index + 1): enter the unit cost in pounds, like 25.50.")) }
                if quantity == nil { issues.append(.init(pointer: "\(at)/quantity", detail: "Line \(index + 1): enter the quantity as a whole number.")) }
                if funder == nil { issues.append(.init(pointer: "\(at)/funder", detail: "Line \(index + 1): choose who funds it.")) }
                if let category, let funder, let cost, let quantity {
                    draft.lines.append(ProvisionLine(category: category, description: row[1], staffRole: row[2].isEmpty ? nil : row[2], unitCost: cost,
                                                     quantity: quantity, funder: funder))
                }
            }
        case .documents:
            draft.documents = kept(form, "documents", documentFields).map { index, row in
                DocumentReference(title: row[0], datedOn: optionalDate(row[1], "/documents/\(index)/datedOn", typed: true, issues: &issues), keptAt: row[2])
            }
        case .pupils:
            break
        }
        guard issues.isEmpty else { throw .validation(issues) }
    }

    /// A line's bounds problem (`/lines/2`) is shown at its unit cost and quantity; the rest as they are.
    static func onPage(_ error: DomainError) -> DomainError {
        guard case .validation(let issues) = error else { return error }
        return .validation(issues.flatMap { issue -> [DomainError.FieldIssue] in
            let parts = issue.pointer.split(separator: "/")
            guard parts.count == 2, parts[0] == "lines" else { return [issue] }
            return [.init(pointer: issue.pointer + "/unitCost", detail: issue.detail), .init(pointer: issue.pointer + "/quantity", detail: issue.detail)]
        })
    }
}
