import Foundation

/// A school's phase of education, as Clusterfund groups schools (the GIAS import derives it, see `GIASMapping`).
public enum SchoolPhase: String, Sendable, CaseIterable, Codable {
    case nursery, infant, junior, primary, middle, secondary
    case allThrough = "all_through"
    case special
    case alternativeProvision = "alternative_provision"
    case post16 = "post_16"

    public var label: String {
        switch self {
        case .nursery: "Nursery"
        case .infant: "Infant"
        case .junior: "Junior"
        case .primary: "Primary"
        case .middle: "Middle"
        case .secondary: "Secondary"
        case .allThrough: "All-through"
        case .special: "Special"
        case .alternativeProvision: "Alternative provision"
        case .post16: "16 plus"
        }
    }
}

/// How a school is run: maintained by the council, an academy (of a trust), a free school, independent, or other.
public enum SchoolType: String, Sendable, CaseIterable, Codable {
    case maintained, academy, free, independent, other

    public var label: String {
        switch self {
        case .maintained: "Maintained"
        case .academy: "Academy"
        case .free: "Free school"
        case .independent: "Independent"
        case .other: "Other"
        }
    }
}

public enum SchoolStatus: String, Sendable, CaseIterable, Codable {
    case open, closed
}

/// A school's details as an officer or an import gives them, checked together.
///
/// ```swift
/// let details = try SchoolDetails(urn: "990001", name: "Ashgrove Primary School", phase: .primary, type: .maintained).validated()
/// ```
public struct SchoolDetails: Sendable, Equatable {
    public var urn: String
    public var name: String
    public var phase: SchoolPhase
    public var type: SchoolType
    /// The DfE code of the school's multi-academy trust, and its name, when it has one.
    public var trustCode: String?
    public var trustName: String?

    public init(urn: String, name: String, phase: SchoolPhase, type: SchoolType, trustCode: String? = nil, trustName: String? = nil) {
        self.urn = urn
        self.name = name
        self.phase = phase
        self.type = type
        self.trustCode = trustCode
        self.trustName = trustName
    }

    /// A URN is six digits (GIAS's unique reference number).
    public static func isURN(_ text: String) -> Bool {
        text.utf8.count == 6 && text.utf8.allSatisfy { (48...57).contains($0) }
    }

    /// A trust code is the DfE's number for the trust: digits only, at most ten.
    public static func isTrustCode(_ text: String) -> Bool {
        (1...10).contains(text.utf8.count) && text.utf8.allSatisfy { (48...57).contains($0) }
    }

    /// Line breaks, tabs and other control characters have no place in a name (and would break the lists).
    public static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// The details trimmed, with every problem reported at once (`/urn`, `/name`, `/trustCode`, `/trustName`).
    public func validated() throws(DomainError) -> SchoolDetails {
        var issues: [DomainError.FieldIssue] = []
        var clean = self
        clean.urn = urn.trimmingCharacters(in: .whitespacesAndNewlines)
        clean.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        clean.trustCode = trustCode?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        clean.trustName = trustName?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        if !Self.isURN(clean.urn) { issues.append(.init(pointer: "/urn", detail: "Enter the URN as six digits, like 100000.")) }
        if clean.name.isEmpty || clean.name.count > 200 || Self.hasControlCharacters(clean.name) {
            issues.append(.init(pointer: "/name", detail: "Enter the school's name, in at most 200 characters, on one line."))
        }
        if let code = clean.trustCode, !Self.isTrustCode(code) {
            issues.append(.init(pointer: "/trustCode", detail: "Enter the trust's DfE code as digits, like 16342, or leave it empty."))
        }
        if let name = clean.trustName, name.count > 200 || Self.hasControlCharacters(name) {
            issues.append(.init(pointer: "/trustName", detail: "Enter the trust's name in at most 200 characters, on one line."))
        }
        if clean.trustName != nil && clean.trustCode == nil {
            issues.append(.init(pointer: "/trustCode", detail: "Enter the trust's DfE code as well as its name."))
        }
        guard issues.isEmpty else { throw .validation(issues) }
        return clean
    }
}

/// A school's figures in one January census; nil where nothing is recorded yet (GIAS gives the roll and free school
/// meals, the DfE's SEN statistics the SEN support and EHCP counts).
public struct CensusFigures: Sendable, Equatable, Codable {
    public var onRoll: Int?
    public var senSupport: Int?
    public var ehcp: Int?
    public var fsm: Int?

    public init(onRoll: Int? = nil, senSupport: Int? = nil, ehcp: Int? = nil, fsm: Int? = nil) {
        self.onRoll = onRoll
        self.senSupport = senSupport
        self.ehcp = ehcp
        self.fsm = fsm
    }

    /// The most any one figure may be; England's largest schools have a few thousand pupils.
    public static let largest = 100_000
}

/// Censuses are named by the year of their January (2026 is the census of January 2026).
public enum Census {
    /// The latest January census before `today`: this year's from February on, last year's in January (the census
    /// day is in the third week of January, and its figures are not yet published).
    public static func latest(before today: CalendarDate) -> Int {
        today.month >= 2 ? today.year : today.year - 1
    }

    /// The census years Clusterfund keeps.
    public static let years = 2000...2100
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
