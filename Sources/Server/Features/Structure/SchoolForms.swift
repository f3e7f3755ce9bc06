import Domain
import Foundation
import Hummingbird
import Store

/// "Add a school" and "Change a school": `POST /schools`, `POST /schools/{id}`, `POST /api/v1/schools` and
/// `PATCH /api/v1/schools/{id}` (which starts from the school as it is, so a field left out stays).
struct SchoolForm: Codable, Sendable {
    var urn: String?
    var name: String?
    var phase: String?
    var type: String?
    var trustCode: String?
    var trustName: String?

    init(urn: String? = nil, name: String? = nil, phase: String? = nil, type: String? = nil, trustCode: String? = nil, trustName: String? = nil) {
        (self.urn, self.name, self.phase, self.type, self.trustCode, self.trustName) = (urn, name, phase, type, trustCode, trustName)
    }

    enum CodingKeys: String, CodingKey { case urn, name, phase, type, trustCode, trustName }

    /// Each field is text or left out; `null` is refused (400), so a PATCH never reads null as "leave it".
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func field(_ key: CodingKeys) throws -> String? { try container.decodeUnlessNull(String.self, forKey: key) }
        self.init(urn: try field(.urn), name: try field(.name), phase: try field(.phase), type: try field(.type),
                  trustCode: try field(.trustCode), trustName: try field(.trustName))
    }

    init(_ item: SchoolListItem) {
        self.init(urn: item.urn, name: item.name, phase: item.phase.rawValue, type: item.type.rawValue, trustCode: item.trustCode,
                  trustName: item.trustName)
    }

    /// This form's fields over `base` (for PATCH: what was left out keeps its value).
    func over(_ base: SchoolForm) -> SchoolForm {
        SchoolForm(urn: urn ?? base.urn, name: name ?? base.name, phase: phase ?? base.phase, type: type ?? base.type,
                   trustCode: trustCode ?? base.trustCode, trustName: trustName ?? (trustCode == nil ? base.trustName : nil))
    }

    /// The details, every unreadable field reported at once with the rules `SchoolDetails` checks.
    func details() throws(DomainError) -> SchoolDetails {
        var issues: [DomainError.FieldIssue] = []
        let phase = SchoolPhase(rawValue: phase ?? "")
        if phase == nil { issues.append(.init(pointer: "/phase", detail: "Choose the school's phase.")) }
        let type = SchoolType(rawValue: type ?? "")
        if type == nil { issues.append(.init(pointer: "/type", detail: "Choose how the school is run.")) }
        let details = SchoolDetails(urn: urn ?? "", name: name ?? "", phase: phase ?? .primary, type: type ?? .other,
                                    trustCode: trustCode, trustName: trustName)
        do {
            let checked = try details.validated()
            if issues.isEmpty { return checked }
        } catch {
            if case .validation(let more) = error { issues = more + issues }
        }
        throw .validation(issues)
    }
}

/// The list's filters as a query string gives them: `?phase=primary&clusterId=…&trust=16342&status=open&year=2026&sort=name&order=asc`.
struct SchoolListQuery: Sendable {
    var filter: SchoolFilter

    /// - Parameter emptyIsAbsent: a page's form sends an empty field for "any"; the API takes an empty value as a mistake.
    init(_ request: Request, today: CalendarDate, emptyIsAbsent: Bool = true) throws(DomainError) {
        var filters = QueryFilters(request, emptyIsAbsent: emptyIsAbsent)
        let phase = filters.value("phase", "Choose a phase from the list.") { SchoolPhase(rawValue: $0) }
        let status = filters.value("status", "Choose open or closed.") { SchoolStatus(rawValue: $0) }
        let cluster = filters.value("clusterId", "Choose a cluster from the list.") { ID<Cluster>($0) }
        let trust = filters.value("trust", "Enter a trust's DfE code, digits only.") { SchoolDetails.isTrustCode($0) ? $0 : nil }
        let year = filters.year()
        let sort = filters.value("sort", "Sort by name, urn, phase or cluster.") { SchoolFilter.Sort(rawValue: $0) }
        let order = filters.value("order", "Order asc or desc.") { $0 == "asc" || $0 == "desc" ? $0 : nil }
        try filters.check()
        filter = SchoolFilter(phase: phase, clusterID: cluster, trustCode: trust, status: status,
                              academicYear: year ?? AcademicYear.holding(today), sort: sort ?? .name,
                              descending: order == "desc")
    }

    /// The query again, for links that keep the filters (pagination, sort headers), without `page`.
    func query(sort: SchoolFilter.Sort? = nil, descending: Bool? = nil) -> String {
        var parts: [String] = []
        if let phase = filter.phase { parts.append("phase=\(phase.rawValue)") }
        if let cluster = filter.clusterID { parts.append("clusterId=\(cluster)") }
        if let trust = filter.trustCode { parts.append("trust=\(trust)") }
        if let status = filter.status { parts.append("status=\(status.rawValue)") }
        parts.append("year=\(filter.academicYear.startYear)")
        parts.append("sort=\((sort ?? filter.sort).rawValue)")
        parts.append("order=\((descending ?? filter.descending) ? "desc" : "asc")")
        return parts.joined(separator: "&") + "&"
    }
}
