import Foundation
import Testing
@testable import Domain

@Suite("giving and ending roles")
struct RoleTenureTests {
    static func date(_ text: String) -> CalendarDate { CalendarDate(iso: text) ?? CalendarDate(firstOfJanuary: 1) }
    static let today = date("2026-11-18")
    static let school = ID<School>(UUID())

    @Test("a role starting tomorrow is not current; one that ended yesterday is past; both ends count")
    func standing() {
        #expect(RoleTenure.standing(startsOn: Self.date("2026-11-19"), endsOn: nil, on: Self.today) == .upcoming)
        #expect(RoleTenure.standing(startsOn: Self.today, endsOn: nil, on: Self.today) == .current)
        #expect(RoleTenure.standing(startsOn: Self.date("2026-09-01"), endsOn: Self.today, on: Self.today) == .current)
        #expect(RoleTenure.standing(startsOn: Self.date("2026-09-01"), endsOn: Self.date("2026-11-17"), on: Self.today) == .ended)
    }

    @Test("a role's start date must be a real date from 2000 to ten years ahead", arguments: [
        ("0238-01-01", false), ("1999-12-31", false), ("2000-01-01", true), ("2036-11-18", true), ("2036-11-19", false),
        ("5537-03-01", false), ("2026-02-30", false), ("next week", false), (" 2026-09-01 ", true),
    ])
    func startDates(text: String, accepted: Bool) throws {
        if accepted {
            let grant = try RoleTenure.grant(role: "senco", schoolID: Self.school.description, clusterID: nil, startsOn: text, today: Self.today)
            #expect(grant.startsOn.iso == text.trimmingCharacters(in: .whitespaces))
            #expect(grant.scope == .school(Self.school))
        } else {
            let error = #expect(throws: DomainError.self) {
                try RoleTenure.grant(role: "senco", schoolID: Self.school.description, clusterID: nil, startsOn: text, today: Self.today)
            }
            guard case .validation(let issues)? = error else { Issue.record("expected a validation error"); return }
            #expect(issues.map(\.pointer) == ["/startsOn"])
        }
    }

    @Test("every problem with a role is named at once, each on its field")
    func grantProblems() {
        #expect(throws: DomainError.validation([
            .init(pointer: "/role", detail: "Choose a role."),
            .init(pointer: "/startsOn", detail: "Enter a real start date, like 2026-11-18."),
        ])) { try RoleTenure.grant(role: "king", schoolID: nil, clusterID: nil, startsOn: "", today: Self.today) }
        #expect(throws: DomainError.validation([.init(pointer: "/clusterId", detail: "Choose the cluster this educational psychologist is assigned to.")])) {
            try RoleTenure.grant(role: "educational_psychologist", schoolID: Self.school.description, clusterID: nil, startsOn: "2026-11-18", today: Self.today)
        }
        #expect(throws: DomainError.validation([.init(pointer: "/scope", detail: "An officer's role covers the whole council; choose no school or cluster.")])) {
            try RoleTenure.checkScope(.officer, .school(Self.school))
        }
    }

    @Test("an end date typed as text that is not a date is refused; an empty one means today")
    func endDates() throws {
        #expect(try RoleTenure.endDate("", today: Self.today) == Self.today)
        #expect(try RoleTenure.endDate(nil, today: Self.today) == Self.today)
        #expect(throws: DomainError.validation([.init(pointer: "/endsOn", detail: "Enter a real end date, like 2026-11-18.")])) {
            try RoleTenure.endDate("soon", today: Self.today)
        }
    }

    @Test("a role ends no earlier than today or its start, once, and never an officer's own")
    func ending() throws {
        let start = Self.date("2026-09-01")
        try RoleTenure.checkEnd(Self.today, role: .senco, startsOn: start, endedOn: nil, endedByHolder: false, today: Self.today)
        #expect(throws: DomainError.invalidTransition("A role cannot be ended in the past; the earliest end date is today, 2026-11-18.")) {
            try RoleTenure.checkEnd(Self.date("2026-11-17"), role: .senco, startsOn: start, endedOn: nil, endedByHolder: false, today: Self.today)
        }
        #expect(throws: DomainError.invalidTransition("The end date must be on or after the start date, 2027-01-04.")) {
            try RoleTenure.checkEnd(Self.today, role: .senco, startsOn: Self.date("2027-01-04"), endedOn: nil, endedByHolder: false, today: Self.today)
        }
        #expect(throws: DomainError.invalidTransition("This role already ended on 2026-12-01.")) {
            try RoleTenure.checkEnd(Self.date("2026-12-02"), role: .senco, startsOn: start, endedOn: Self.date("2026-12-01"), endedByHolder: false, today: Self.today)
        }
        #expect(throws: DomainError.invalidTransition("You cannot end your own officer role: ask another officer, so the council is never left without one.")) {
            try RoleTenure.checkEnd(Self.today, role: .officer, startsOn: start, endedOn: nil, endedByHolder: true, today: Self.today)
        }
        try RoleTenure.checkEnd(Self.today, role: .officer, startsOn: start, endedOn: nil, endedByHolder: false, today: Self.today)
    }
}
