/// A pupil, as records name them (`ID<Pupil>`).
public enum Pupil {}

/// Who reaches pupils, and what the audit trail keeps of a change to one.
public enum PupilRules {
    /// The one answer to a UPN already recorded, whatever is wrong: the UPN and date of birth are not secrets, so a
    /// match must not tell anyone more than a mistake would.
    public static let upnRecorded = "A pupil with these details cannot be added here: check the UPN and date of birth, or ask an officer."

    /// Reading pupils at all: officers, SENCos and headteachers (row-level security narrows it to their school's).
    public static func requireReader(_ actor: Actor) throws(DomainError) {
        try Policy.require(actor, .readPupils, on: .council)
    }

    /// Adding or changing a pupil at `school`: its SENCo only.
    public static func requireEditor(_ actor: Actor, school: ID<School>) throws(DomainError) {
        try Policy.require(actor, .editPupils, on: .school(school, clusters: []))
    }

    /// Adding a pupil anywhere: a SENCo of some school (the form then offers their schools).
    public static func requireEditorSomewhere(_ actor: Actor) throws(DomainError) {
        guard let school = actor.schools(as: .senco).sorted(by: { $0.description < $1.description }).first else {
            throw .forbidden("Only the SENCo of the pupil's school adds and changes a pupil's record.")
        }
        try requireEditor(actor, school: school)
    }

    /// The fields of a change as the audit trail keeps them: values for what does not identify the child, and only
    /// the word "changed" for the name, date of birth and UPN, so the append-only trail never holds what the
    /// retention job must later erase from the record itself.
    public static func audited(_ pupil: CheckedPupil, school: ID<School>) -> [String: String] {
        ["schoolId": school.description, "givenNames": "recorded", "familyName": "recorded", "dateOfBirth": "recorded", "upn": "recorded",
         "yearGroup": String(pupil.yearGroup.number), "needs": pupil.needs.map(\.rawValue).joined(separator: ","),
         "senStatus": pupil.senStatus.rawValue, "lookedAfter": String(pupil.lookedAfter), "homeLACode": pupil.homeLACode ?? "",
         "outOfCohortReason": pupil.outOfCohortReason == nil ? "" : "recorded"]
    }

    /// What changed between a stored record's fields and a checked change, as before and after for the audit trail.
    public static func difference(_ before: [String: String], _ after: [String: String]) -> (before: [String: String], after: [String: String]) {
        var old: [String: String] = [:]
        var new: [String: String] = [:]
        for (key, value) in after where before[key] != value {
            let identifying = ["givenNames", "familyName", "dateOfBirth", "upn", "outOfCohortReason"].contains(key)
            old[key] = identifying ? "previous" : before[key] ?? ""
            new[key] = identifying ? "changed" : value
        }
        return (old, new)
    }

    /// Every field of a record, in full, to compare before and after (never written anywhere as it is).
    public static func fields(givenNames: String, familyName: String, dateOfBirth: CalendarDate, upn: String, yearGroup: Int, needs: [NeedType],
                              senStatus: SENStatus, lookedAfter: Bool, homeLACode: String?, outOfCohortReason: String?) -> [String: String] {
        ["givenNames": givenNames, "familyName": familyName, "dateOfBirth": dateOfBirth.iso, "upn": upn, "yearGroup": String(yearGroup),
         "needs": needs.map(\.rawValue).joined(separator: ","), "senStatus": senStatus.rawValue, "lookedAfter": String(lookedAfter),
         "homeLACode": homeLACode ?? "", "outOfCohortReason": outOfCohortReason ?? ""]
    }
}
