/// A request for cluster funding or discussion (`ID<FundingRequest>`).
public enum FundingRequest {}

/// How a type of request is decided.
public enum DecisionRoute: String, Sendable, CaseIterable, Codable {
    /// At the cluster's meetings: planning nominates, allocation decides.
    case meeting
    /// Between meetings, by the locality lead and a headteacher not involved, from the reserve.
    case emergency
}

/// How an award of this type is paid.
public enum PaymentPlan: String, Sendable, CaseIterable, Codable {
    /// In equal instalments over the terms asked, the remainder pence in the last.
    case instalments
    /// One sum to the lead school.
    case lumpSum = "lump_sum"
    /// Nothing is paid: the outcome is advice and actions.
    case none
}

/// A type of request, as a row of `request_types` holds it: the code reads these rules rather than naming types, so a
/// council adds a type (say, for the Individual Support Plans of the 2026 Schools White Paper) without a release.
public struct RequestType: Hashable, Sendable {
    public var code: String
    public var name: String
    /// The fewest pupils named.
    public var minPupils: Int
    /// The most pupils named; nil for no bound.
    public var maxPupils: Int?
    /// Whether the request describes a cohort (size, phases, areas of need) instead of naming pupils.
    public var describesCohort: Bool
    /// Whether it carries costed provision lines and asks for money (and so needs headteachers' endorsement).
    public var isCosted: Bool
    public var route: DecisionRoute
    public var payment: PaymentPlan
    /// Whether the council's per-pupil threshold applies (the school's own provision for the pupil must reach it).
    public var appliesThreshold: Bool

    public init(code: String, name: String, minPupils: Int, maxPupils: Int?, describesCohort: Bool, isCosted: Bool, route: DecisionRoute,
                payment: PaymentPlan, appliesThreshold: Bool) {
        self.code = code
        self.name = name
        self.minPupils = minPupils
        self.maxPupils = maxPupils
        self.describesCohort = describesCohort
        self.isCosted = isCosted
        self.route = route
        self.payment = payment
        self.appliesThreshold = appliesThreshold
    }

    /// Whether the lead and partner schools' headteachers endorse it before it goes to panel.
    public var needsEndorsement: Bool { isCosted && route == .meeting }

    /// The five types of DOMAIN.md, as `sql/0021` seeds them.
    public static let standard: [RequestType] = [
        RequestType(code: "discussion", name: "Solution-focused discussion", minPupils: 0, maxPupils: 1, describesCohort: false, isCosted: false,
                    route: .meeting, payment: .none, appliesThreshold: false),
        RequestType(code: "individual", name: "Individual", minPupils: 1, maxPupils: 1, describesCohort: false, isCosted: true, route: .meeting,
                    payment: .instalments, appliesThreshold: true),
        RequestType(code: "group", name: "Group", minPupils: 2, maxPupils: nil, describesCohort: false, isCosted: true, route: .meeting,
                    payment: .instalments, appliesThreshold: false),
        RequestType(code: "project", name: "Project", minPupils: 0, maxPupils: 0, describesCohort: true, isCosted: true, route: .meeting,
                    payment: .lumpSum, appliesThreshold: false),
        RequestType(code: "emergency", name: "Emergency", minPupils: 1, maxPupils: nil, describesCohort: false, isCosted: true, route: .emergency,
                    payment: .instalments, appliesThreshold: false),
    ]

    /// The problem with naming `count` pupils on a request of this type, if any.
    public func pupilCountProblem(_ count: Int) -> String? {
        if count >= minPupils, maxPupils.map({ count <= $0 }) ?? true { return nil }
        let range: String = switch (minPupils, maxPupils) {
        case (0, 0?): "names no pupils: it describes a cohort"
        case (let low, let high?) where low == high: "names exactly \(low) pupil" + (low == 1 ? "" : "s")
        case (0, let high?): "names at most \(high) pupil" + (high == 1 ? "" : "s")
        case (let low, let high?): "names \(low) to \(high) pupils"
        case (let low, nil): "names at least \(low) pupil" + (low == 1 ? "" : "s")
        }
        return "A request of the type \(name.lowercased()) \(range); this one names \(count)."
    }
}
