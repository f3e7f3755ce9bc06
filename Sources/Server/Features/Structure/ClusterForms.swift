import Domain
import Foundation
import Hummingbird
import Store

/// "Add a cluster" and "Change the cluster": a name and, optionally, the officer who leads it.
struct ClusterForm: Decodable, Sendable {
    var name: String?
    var localityLeadUserId: String?

    enum CodingKeys: String, CodingKey { case name, localityLeadUserId }

    /// Each field is text or left out; `null` is refused (400), so a PATCH never reads null as "leave it".
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func field(_ key: CodingKeys) throws -> String? { try container.decodeUnlessNull(String.self, forKey: key) }
        name = try field(.name)
        localityLeadUserId = try field(.localityLeadUserId)
    }

    /// The lead as an id: empty for none. - Throws: `validation` for anything that is not an id.
    func lead() throws(DomainError) -> ID<User>? {
        guard let text = localityLeadUserId?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let id = ID<User>(text) else {
            throw .validation([.init(pointer: "/localityLeadUserId", detail: "Choose a council officer as the locality lead.")])
        }
        return id
    }
}

/// "Put a school in the cluster" for a year (moving it from another cluster of that year).
struct MembershipForm: Decodable, Sendable {
    var schoolId: String?
    var academicYear: Int?

    func school() throws(DomainError) -> ID<School> {
        guard let text = schoolId, let id = ID<School>(text) else {
            throw .validation([.init(pointer: "/schoolId", detail: "Choose a school from the list.")])
        }
        return id
    }
}

/// "Copy a year's clusters into another".
struct CopyYearForm: Decodable, Sendable {
    var from: Int?
    var to: Int?

    func years() throws(DomainError) -> (AcademicYear, AcademicYear) {
        var issues: [DomainError.FieldIssue] = []
        let valid = CalendarController.years
        if from.map(valid.contains) != true { issues.append(.init(pointer: "/from", detail: "Choose the year to copy from, 2000 to 2100.")) }
        if to.map(valid.contains) != true { issues.append(.init(pointer: "/to", detail: "Choose the year to copy into, 2000 to 2100.")) }
        guard issues.isEmpty, let from, let to else { throw .validation(issues) }
        guard from != to else { throw .validation([.init(pointer: "/to", detail: "Choose a different year to copy into.")]) }
        return (AcademicYear(from), AcademicYear(to))
    }
}

extension ClusterController {
    /// `?year=2026`, or this academic year. - Throws: `validation` for a year outside 2000-2100.
    static func year(_ request: Request, today: CalendarDate, emptyMeansToday: Bool = true) throws(DomainError) -> AcademicYear {
        try CalendarController.queryYear(request, today: today, emptyMeansToday: emptyMeansToday)
    }

    static func clusterID(_ context: some RequestContext) throws -> ID<Cluster> {
        guard let text = context.parameters.get("clusterId"), let id = ID<Cluster>(text) else {
            throw DomainError.notFound("There is no such cluster.")
        }
        return id
    }
}
