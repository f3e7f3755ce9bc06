import Foundation

/// One record of consent (`ID<Consent>`).
public enum Consent {}

/// What a family's consent covers.
public enum ConsentPurpose: String, Sendable, CaseIterable, Codable {
    /// Sharing the pupil's details with the cluster panel: needed before a named pupil goes to panel.
    case panelSharing = "panel_sharing"
    /// An educational psychologist's involvement: optional; without it no EP reaches the pupil.
    case epInvolvement = "ep_involvement"

    public var label: String {
        switch self {
        case .panelSharing: "Sharing with the cluster panel"
        case .epInvolvement: "Educational psychologist involvement"
        }
    }
}

public enum ConsentKind: String, Sendable, CaseIterable, Codable {
    case given, withdrawn

    public var label: String { self == .given ? "Given" : "Withdrawn" }
}

/// Who gave (or withdrew) consent, in relation to the pupil.
public enum ConsentRelationship: String, Sendable, CaseIterable, Codable {
    case parent, carer
    case parentalResponsibility = "parental_responsibility"
    /// The young person themselves, only when 16 or over on the day.
    case youngPerson = "young_person"

    public var label: String {
        switch self {
        case .parent: "Parent"
        case .carer: "Carer"
        case .parentalResponsibility: "Other person with parental responsibility"
        case .youngPerson: "The young person (16 or over)"
        }
    }
}

public enum ConsentMethod: String, Sendable, CaseIterable, Codable {
    case signedForm = "signed_form"
    case email, verbal

    public var label: String {
        switch self {
        case .signedForm: "Signed form"
        case .email: "Email"
        case .verbal: "Verbal"
        }
    }
}

/// A record of consent as typed: given or withdrawn, or a correction of an earlier record (same purpose and kind).
public struct ConsentEntry: Sendable, Hashable {
    public var purpose: ConsentPurpose
    public var kind: ConsentKind
    public var givenByName: String
    public var relationship: ConsentRelationship
    public var givenOn: CalendarDate
    public var method: ConsentMethod
    public var evidenceReference: String
    public var replaces: ID<Consent>?
    public var correctionReason: String?

    public init(purpose: ConsentPurpose, kind: ConsentKind, givenByName: String, relationship: ConsentRelationship, givenOn: CalendarDate,
                method: ConsentMethod, evidenceReference: String, replaces: ID<Consent>? = nil, correctionReason: String? = nil) {
        self.purpose = purpose
        self.kind = kind
        self.givenByName = givenByName
        self.relationship = relationship
        self.givenOn = givenOn
        self.method = method
        self.evidenceReference = evidenceReference
        self.replaces = replaces
        self.correctionReason = correctionReason
    }
}

/// A stored record, as the history shows it.
public struct ConsentRecord: Sendable, Hashable {
    public var id: ID<Consent>
    public var entry: ConsentEntry
    public var recordedByName: String
    public var recordedAt: Date
    /// The record that corrects this one, if any: a replaced record no longer counts.
    public var replacedBy: ID<Consent>?

    public init(id: ID<Consent>, entry: ConsentEntry, recordedByName: String, recordedAt: Date, replacedBy: ID<Consent>? = nil) {
        self.id = id
        self.entry = entry
        self.recordedByName = recordedByName
        self.recordedAt = recordedAt
        self.replacedBy = replacedBy
    }
}

/// The rules of consent (DOMAIN.md, "Pupils and consent"): who records it, what a record must hold, and what is in
/// force. Nothing is edited or deleted; a withdrawal and a correction are new records.
public enum ConsentRules {
    /// The SENCo of the pupil's school records consent given and withdrawn; an officer records a withdrawal only
    /// (a family may tell the council), never consent given (Decision 50).
    public static func requireRecorder(_ actor: Actor, school: ID<School>, kind: ConsentKind) throws(DomainError) {
        if actor.schools(as: .senco).contains(school) { return }
        if actor.isOfficer, kind == .withdrawn { return }
        throw .forbidden(actor.isOfficer
            ? "Only the SENCo of the pupil's school records consent given; an officer may record a withdrawal."
            : "Only the SENCo of the pupil's school records consent.")
    }

    /// Reading the history (with the names of those who gave consent): officers and the pupil's school.
    public static func canReadHistory(_ actor: Actor, school: ID<School>) -> Bool {
        actor.isOfficer || actor.schools().contains(school)
    }

    /// The day a child born on `dateOfBirth` turns 16 (29 February birthdays count from 1 March).
    public static func sixteenth(_ dateOfBirth: CalendarDate) -> CalendarDate {
        CalendarDate(year: dateOfBirth.year + 16, month: dateOfBirth.month, day: dateOfBirth.day)
            ?? CalendarDate(year: dateOfBirth.year + 16, month: 3, day: 1) ?? dateOfBirth.adding(days: 16 * 365 + 4)
    }

    /// Every problem with a record at once. `replaced` is the record a correction replaces, as stored.
    public static func checked(_ entry: ConsentEntry, dateOfBirth: CalendarDate, today: CalendarDate,
                               replaced: ConsentRecord?) throws(DomainError) -> ConsentEntry {
        var entry = entry
        entry.givenByName = entry.givenByName.trimmingCharacters(in: .whitespacesAndNewlines)
        entry.evidenceReference = entry.evidenceReference.trimmingCharacters(in: .whitespacesAndNewlines)
        entry.correctionReason = entry.correctionReason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if entry.correctionReason == "" { entry.correctionReason = nil }
        var issues: [DomainError.FieldIssue] = []
        if entry.givenByName.isEmpty || entry.givenByName.count > 200 {
            issues.append(.init(pointer: "/givenByName", detail: "Enter the name of the person who \(entry.kind == .given ? "gave" : "withdrew") consent, in at most 200 characters."))
        }
        if entry.evidenceReference.isEmpty || entry.evidenceReference.count > 200 {
            issues.append(.init(pointer: "/evidenceReference", detail: "Enter where the evidence is kept (for example the form's reference or the email's date and subject), in at most 200 characters."))
        }
        if entry.givenOn > today {
            issues.append(.init(pointer: "/givenOn", detail: "The date cannot be in the future."))
        } else if entry.givenOn < dateOfBirth {
            issues.append(.init(pointer: "/givenOn", detail: "The date cannot be before the pupil was born."))
        }
        if entry.relationship == .youngPerson, entry.givenOn < sixteenth(dateOfBirth) {
            issues.append(.init(pointer: "/relationship", detail: "The young person can consent for themselves only from their 16th birthday; by their date of birth they were younger on that day. Record who has parental responsibility."))
        }
        if let replaces = entry.replaces {
            if let replaced, replaced.id == replaces {
                if replaced.replacedBy != nil {
                    issues.append(.init(pointer: "/replaces", detail: "That record has already been corrected: correct the newer record instead."))
                }
                if replaced.entry.purpose != entry.purpose || replaced.entry.kind != entry.kind {
                    issues.append(.init(pointer: "/replaces", detail: "A correction keeps the purpose and whether consent was given or withdrawn; record a new consent or withdrawal instead."))
                }
            } else {
                issues.append(.init(pointer: "/replaces", detail: "There is no such record of this pupil's consent to correct."))
            }
            if (entry.correctionReason ?? "").isEmpty || (entry.correctionReason ?? "").count > 500 {
                issues.append(.init(pointer: "/correctionReason", detail: "Say what was wrong with the record this corrects, in at most 500 characters."))
            }
        } else if entry.correctionReason != nil {
            entry.correctionReason = nil
        }
        guard issues.isEmpty else { throw .validation(issues) }
        return entry
    }

    /// What is in force for one purpose: the latest record that no correction replaces, by the date given (then the
    /// order recorded). Nil when nothing was ever recorded. The database keeps the same answer in
    /// `pupil_consent_states`.
    public static func inForce(_ records: [ConsentRecord], purpose: ConsentPurpose) -> ConsentRecord? {
        records.filter { $0.entry.purpose == purpose && $0.replacedBy == nil }
            .max { ($0.entry.givenOn, $0.recordedAt) < ($1.entry.givenOn, $1.recordedAt) }
    }

    /// The audit trail's copy of a record: never the name of the person who gave consent.
    public static func audited(_ entry: ConsentEntry, school: ID<School>) -> [String: String] {
        ["purpose": entry.purpose.rawValue, "kind": entry.kind.rawValue, "relationship": entry.relationship.rawValue, "givenOn": entry.givenOn.iso,
         "method": entry.method.rawValue, "givenByName": "recorded", "evidenceReference": "recorded", "schoolId": school.description,
         "replaces": entry.replaces?.description ?? "", "correctionReason": entry.correctionReason == nil ? "" : "recorded"]
    }
}
