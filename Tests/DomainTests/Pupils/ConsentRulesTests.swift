import Domain
import Foundation
import Testing

@Suite("consent: who records it, what a record holds, what is in force")
struct ConsentRulesTests {
    static let born = CalendarDate(iso: "2010-03-15")!
    static let today = CalendarDate(iso: "2026-11-18")!

    static func entry(_ purpose: ConsentPurpose = .panelSharing, _ kind: ConsentKind = .given, on: String = "2026-11-01",
                      relationship: ConsentRelationship = .parent, replaces: ID<Consent>? = nil, reason: String? = nil) -> ConsentEntry {
        ConsentEntry(purpose: purpose, kind: kind, givenByName: "A. Parent", relationship: relationship, givenOn: CalendarDate(iso: on)!,
                     method: .signedForm, evidenceReference: "Form 12", replaces: replaces, correctionReason: reason)
    }

    static func record(_ entry: ConsentEntry, at seconds: TimeInterval, replacedBy: ID<Consent>? = nil) -> ConsentRecord {
        ConsentRecord(id: ID(UUID()), entry: entry, recordedByName: "S. Senco", recordedAt: Date(timeIntervalSince1970: seconds), replacedBy: replacedBy)
    }

    @Test("the young person consents for themselves from their 16th birthday, not the day before")
    func youngPerson() throws {
        let dayBefore = Self.entry(on: "2026-03-14", relationship: .youngPerson)
        #expect(throws: DomainError.self) { try ConsentRules.checked(dayBefore, dateOfBirth: Self.born, today: Self.today, replaced: nil) }
        let birthday = Self.entry(on: "2026-03-15", relationship: .youngPerson)
        #expect(try ConsentRules.checked(birthday, dateOfBirth: Self.born, today: Self.today, replaced: nil) == birthday)
        // A 29 February birthday counts from 1 March in a year without one.
        let leap = CalendarDate(iso: "2012-02-29")!
        #expect(ConsentRules.sixteenth(leap) == CalendarDate(iso: "2028-02-29"))
        #expect(ConsentRules.sixteenth(CalendarDate(iso: "2008-02-29")!) == CalendarDate(iso: "2024-02-29"))
        #expect(ConsentRules.sixteenth(CalendarDate(iso: "2009-03-01")!) == CalendarDate(iso: "2025-03-01"))
    }

    @Test("a record needs a name, the evidence, a date not in the future nor before birth; every problem at once")
    func everyProblem() {
        var entry = Self.entry(on: "2026-11-19")
        entry.givenByName = "  "
        entry.evidenceReference = ""
        #expect(throws: DomainError.validation([
            .init(pointer: "/givenByName", detail: "Enter the name of the person who gave consent, in at most 200 characters."),
            .init(pointer: "/evidenceReference", detail: "Enter where the evidence is kept (for example the form's reference or the email's date and subject), in at most 200 characters."),
            .init(pointer: "/givenOn", detail: "The date cannot be in the future."),
        ])) { try ConsentRules.checked(entry, dateOfBirth: Self.born, today: Self.today, replaced: nil) }
        #expect(throws: DomainError.self) { try ConsentRules.checked(Self.entry(on: "2010-03-14"), dateOfBirth: Self.born, today: Self.today, replaced: nil) }
    }

    @Test("a correction replaces one record of the same purpose and kind, once, and says why")
    func correction() throws {
        let original = Self.record(Self.entry(), at: 1)
        let fixed = Self.entry(on: "2026-10-30", replaces: original.id, reason: "Wrong date typed")
        #expect(try ConsentRules.checked(fixed, dateOfBirth: Self.born, today: Self.today, replaced: original).replaces == original.id)
        let noReason = Self.entry(on: "2026-10-30", replaces: original.id)
        #expect(throws: DomainError.self) { try ConsentRules.checked(noReason, dateOfBirth: Self.born, today: Self.today, replaced: original) }
        let otherKind = Self.entry(.panelSharing, .withdrawn, replaces: original.id, reason: "x")
        #expect(throws: DomainError.self) { try ConsentRules.checked(otherKind, dateOfBirth: Self.born, today: Self.today, replaced: original) }
        let already = Self.record(Self.entry(), at: 1, replacedBy: ID(UUID()))
        #expect(throws: DomainError.self) {
            try ConsentRules.checked(Self.entry(replaces: already.id, reason: "again"), dateOfBirth: Self.born, today: Self.today, replaced: already)
        }
        // Naming a record that is not this pupil's (the store found none) is refused.
        #expect(throws: DomainError.self) { try ConsentRules.checked(fixed, dateOfBirth: Self.born, today: Self.today, replaced: nil) }
    }

    @Test("in force: the latest record no correction replaces, by date given then order recorded; per purpose")
    func inForce() {
        let given = Self.record(Self.entry(on: "2026-09-01"), at: 1)
        let withdrawn = Self.record(Self.entry(.panelSharing, .withdrawn, on: "2026-10-01"), at: 2)
        let ep = Self.record(Self.entry(.epInvolvement, on: "2026-09-02"), at: 3)
        #expect(ConsentRules.inForce([given, withdrawn, ep], purpose: .panelSharing) == withdrawn)
        #expect(ConsentRules.inForce([given, withdrawn, ep], purpose: .epInvolvement) == ep)
        let againLater = Self.record(Self.entry(on: "2026-11-01"), at: 4)
        #expect(ConsentRules.inForce([given, withdrawn, againLater], purpose: .panelSharing)?.entry.kind == .given)
        // A withdrawal that was itself replaced (typed against the wrong pupil, say) no longer counts.
        let struck = Self.record(withdrawn.entry, at: 2, replacedBy: ID(UUID()))
        #expect(ConsentRules.inForce([given, struck], purpose: .panelSharing) == given)
        #expect(ConsentRules.inForce([], purpose: .panelSharing) == nil)
    }

    static func actor(_ role: Role, _ scope: Scope) -> Actor {
        Actor(userID: ID(UUID()), displayName: role.title, assignments: [RoleAssignment(id: ID(UUID()), role: role, scope: scope, startsOn: Self.born)])
    }

    @Test("the school's SENCo records consent and withdrawal; an officer only a withdrawal; nobody else")
    func recorders() throws {
        let school = ID<School>(UUID())
        let senco = Self.actor(.senco, .school(school))
        let officer = Self.actor(.officer, .council)
        let head = Self.actor(.headteacher, .school(school))
        let otherSenco = Self.actor(.senco, .school(ID(UUID())))
        for kind in ConsentKind.allCases { try ConsentRules.requireRecorder(senco, school: school, kind: kind) }
        try ConsentRules.requireRecorder(officer, school: school, kind: .withdrawn)
        #expect(throws: DomainError.forbidden("Only the SENCo of the pupil's school records consent given; an officer may record a withdrawal.")) {
            try ConsentRules.requireRecorder(officer, school: school, kind: .given)
        }
        for actor in [head, otherSenco] {
            #expect(throws: DomainError.forbidden("Only the SENCo of the pupil's school records consent.")) {
                try ConsentRules.requireRecorder(actor, school: school, kind: .withdrawn)
            }
        }
    }

    @Test("the audit trail's copy never holds the name of the person who gave consent")
    func audited() {
        let copy = ConsentRules.audited(Self.entry(), school: ID(UUID()))
        #expect(!copy.values.contains("A. Parent") && copy["givenByName"] == "recorded" && copy["purpose"] == "panel_sharing")
    }
}
