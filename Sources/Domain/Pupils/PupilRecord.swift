import Foundation

/// A pupil's year group, as schools count them: nursery, reception, years 1 to 14.
public struct YearGroup: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// -1 nursery, 0 reception, 1-14 years 1 to 14.
    public let number: Int

    public static let all = (-1...14).map(YearGroup.init(unchecked:))

    init(unchecked number: Int) { self.number = number }

    public init?(_ number: Int) {
        guard (-1...14).contains(number) else { return nil }
        self.number = number
    }

    public var description: String {
        switch number {
        case -1: "Nursery"
        case 0: "Reception"
        default: "Year \(number)"
        }
    }

    /// The birth dates of the pupils in this year group in `year`: a child starts reception in the September after
    /// their fourth birthday, so reception in 2026/27 is those born 1 September 2021 to 31 August 2022.
    public func cohort(in year: AcademicYear) -> DateSpan {
        let first = year.startYear - 5 - number
        return DateSpan(startsOn: CalendarDate(year: first, month: 9, day: 1) ?? .latest,
                        endsOn: CalendarDate(year: first + 1, month: 8, day: 31) ?? .latest)
    }

    public static func < (lhs: YearGroup, rhs: YearGroup) -> Bool { lhs.number < rhs.number }
}

/// The DfE's types of special educational need, as the school census codes them, with the broad area of need each
/// belongs to in the SEND Code of Practice.
public enum NeedType: String, Sendable, CaseIterable, Codable {
    case spld = "SPLD", mld = "MLD", sld = "SLD", pmld = "PMLD", semh = "SEMH", slcn = "SLCN", hi = "HI", vi = "VI", msi = "MSI",
         pd = "PD", asd = "ASD", oth = "OTH", nsa = "NSA"

    public var label: String {
        switch self {
        case .spld: "Specific learning difficulty"
        case .mld: "Moderate learning difficulty"
        case .sld: "Severe learning difficulty"
        case .pmld: "Profound and multiple learning difficulty"
        case .semh: "Social, emotional and mental health"
        case .slcn: "Speech, language and communication needs"
        case .hi: "Hearing impairment"
        case .vi: "Vision impairment"
        case .msi: "Multi-sensory impairment"
        case .pd: "Physical disability"
        case .asd: "Autistic spectrum disorder"
        case .oth: "Other difficulty or disability"
        case .nsa: "SEN support but no specialist assessment of type of need"
        }
    }

    public var area: String {
        switch self {
        case .slcn, .asd: "Communication and interaction"
        case .spld, .mld, .sld, .pmld: "Cognition and learning"
        case .semh: "Social, emotional and mental health"
        case .hi, .vi, .msi, .pd: "Sensory and/or physical"
        case .oth, .nsa: "Other"
        }
    }
}

/// Where a pupil stands in the SEND system.
public enum SENStatus: String, Sendable, CaseIterable, Codable {
    case senSupport = "sen_support", ehcp, underAssessment = "under_assessment", none

    public var label: String {
        switch self {
        case .senSupport: "SEN support"
        case .ehcp: "Education, health and care plan"
        case .underAssessment: "Undergoing EHC needs assessment"
        case .none: "None"
        }
    }
}

/// The least a decision about a pupil needs (DOMAIN.md, "Pupils and consent"), as entered, before it is checked.
public struct PupilDetails: Hashable, Sendable {
    public var givenNames: String
    public var familyName: String
    public var dateOfBirth: CalendarDate
    public var upn: String
    public var yearGroup: Int
    /// At most two, ranked: the primary need first.
    public var needs: [NeedType]
    public var senStatus: SENStatus
    public var lookedAfter: Bool
    /// The council the pupil lives in, by its three-digit LA code, when it is not the school's.
    public var homeLACode: String?
    /// Why the date of birth lies outside the year group's cohort (a pupil taught out of year group).
    public var outOfCohortReason: String?

    public init(givenNames: String, familyName: String, dateOfBirth: CalendarDate, upn: String, yearGroup: Int, needs: [NeedType],
                senStatus: SENStatus, lookedAfter: Bool, homeLACode: String?, outOfCohortReason: String?) {
        self.givenNames = givenNames
        self.familyName = familyName
        self.dateOfBirth = dateOfBirth
        self.upn = upn
        self.yearGroup = yearGroup
        self.needs = needs
        self.senStatus = senStatus
        self.lookedAfter = lookedAfter
        self.homeLACode = homeLACode
        self.outOfCohortReason = outOfCohortReason
    }
}

/// A pupil record that has passed every check.
public struct CheckedPupil: Hashable, Sendable {
    public var givenNames: String
    public var familyName: String
    public var dateOfBirth: CalendarDate
    public var upn: UPN
    public var yearGroup: YearGroup
    public var needs: [NeedType]
    public var senStatus: SENStatus
    public var lookedAfter: Bool
    public var homeLACode: String?
    public var outOfCohortReason: String?

    /// Initials, for the pseudonymised view: the first letter of each given name and of the family name.
    public var initials: String {
        (givenNames.split(separator: " ") + familyName.split(separator: " ")).compactMap { $0.first.map { String($0).uppercased() } }.joined()
    }
}

extension PupilDetails {
    /// Checks every field at once, against the council's LA code and the academic year holding `today`: a name of
    /// plain text, a UPN with the right check letter, a date of birth in the year group's cohort (or within a year of
    /// it with a reason; never further), at most two different needs, a home council only when it differs.
    public func checked(councilLACode: String?, today: CalendarDate) throws(DomainError) -> CheckedPupil {
        var issues = Self.textIssues(givenNames: givenNames, familyName: familyName, upn: upn)
        let given = Self.tidied(givenNames)
        let family = Self.tidied(familyName)
        let upn = UPN(upn)
        let group = YearGroup(yearGroup)
        if group == nil { issues.append(.init(pointer: "/yearGroup", detail: "Choose a year group from nursery to year 14.")) }
        let reason = outOfCohortReason?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        if let reason, reason.count > 500 || SchoolDetails.hasControlCharacters(reason) {
            issues.append(.init(pointer: "/outOfCohortReason", detail: "Say why in at most 500 characters of plain text."))
        }
        if let group {
            let cohort = group.cohort(in: AcademicYear.holding(today))
            let widened = DateSpan(startsOn: cohort.startsOn.moved(toYear: cohort.startsOn.year - 1),
                                   endsOn: cohort.endsOn.moved(toYear: cohort.endsOn.year + 1))
            if !widened.contains(dateOfBirth) {
                issues.append(.init(pointer: "/dateOfBirth", detail: "A pupil in \(group) this year was born between \(cohort.startsOn.iso) and \(cohort.endsOn.iso); check the date of birth and year group."))
            } else if !cohort.contains(dateOfBirth), reason == nil {
                issues.append(.init(pointer: "/outOfCohortReason", detail: "The date of birth is outside \(group)'s year; say why the pupil is taught out of their year group."))
            }
        }
        if needs.count > 2 {
            issues.append(.init(pointer: "/needs", detail: "Choose at most two types of need, the primary need first."))
        } else if needs.count == 2, needs[0] == needs[1] {
            issues.append(.init(pointer: "/needs", detail: "Choose two different types of need, or one."))
        }
        let home = homeLACode?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        if let home, home.count != 3 || !home.allSatisfy(\.isASCIIDigitOnly) {
            issues.append(.init(pointer: "/homeLACode", detail: "Enter the home council's three-digit LA code, or leave it empty when it is this council."))
        } else if let home, home == councilLACode {
            issues.append(.init(pointer: "/homeLACode", detail: "Leave the home council empty when the pupil lives in this council."))
        }
        guard issues.isEmpty, let upn, let group else { throw .validation(issues) }
        return CheckedPupil(givenNames: given, familyName: family, dateOfBirth: dateOfBirth, upn: upn, yearGroup: group, needs: needs,
                            senStatus: senStatus, lookedAfter: lookedAfter, homeLACode: home, outOfCohortReason: cohortReason(group, reason, today))
    }

    static func tidied(_ name: String) -> String { name.split(whereSeparator: \.isWhitespace).joined(separator: " ") }

    /// The problems with the names and UPN alone, so that a form whose date or year group cannot even be read still
    /// names them all at once. - Parameter upn: nil when the UPN is not being entered (a change keeps it).
    public static func textIssues(givenNames: String, familyName: String, upn: String?) -> [DomainError.FieldIssue] {
        var issues: [DomainError.FieldIssue] = []
        for (pointer, label, text) in [("/givenNames", "given names", givenNames), ("/familyName", "family name", familyName)] {
            let clean = tidied(text)
            if clean.isEmpty || clean.count > 100 || SchoolDetails.hasControlCharacters(clean) {
                issues.append(.init(pointer: pointer, detail: "Enter the pupil's \(label) as on their birth certificate, in at most 100 characters."))
            }
        }
        if let upn, let problem = UPN.problem(with: upn) {
            issues.append(.init(pointer: "/upn", detail: problem))
        }
        return issues
    }

    /// The reason is kept only while the date of birth is out of the cohort.
    func cohortReason(_ group: YearGroup, _ reason: String?, _ today: CalendarDate) -> String? {
        group.cohort(in: AcademicYear.holding(today)).contains(dateOfBirth) ? nil : reason
    }
}
