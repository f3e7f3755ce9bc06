import Domain
import Foundation
@testable import Store
import Testing
import TestSupport

@Suite("the audit trail as officers read it")
struct AuditNamesTests {
    @Test("events of the command line name the command, and the users and school they touched by name")
    func commandLineAndRecordNames() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer).session.actor
            let trail = try await fixture.audit.list(officer, filter: AuditFilter(person: "demo-data"), page: 1, size: 200).items
            #expect(!trail.isEmpty)
            #expect(trail.allSatisfy { $0.command == "demo-data" && $0.actorUserId == nil })

            let created = try #require(trail.first { $0.action == "user.created" && $0.after?["email"] == IdentityFixture.Person.senco.rawValue })
            #expect(created.entityName == "Sam Senco")
            #expect(created.entityId.flatMap { ID<User>($0) } != nil, "the id stays beside the name")

            let school = try #require(trail.first { $0.action == "role.assigned" && $0.entityName == "Sam Senco, SENCo at Ashgrove Primary School" })
            let schoolID = try #require(school.after?["school"])
            #expect(school.names?[schoolID] == "Ashgrove Primary School")
            #expect(school.names?[try #require(school.after?["user"])] == "Sam Senco")
            #expect(school.entityId != nil)
        }
    }

    @Test("officers find events by part of a person's name or email, in any case, and by a record's name")
    func findByNames() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer).session.actor
            let senco = try await fixture.signIn(.senco).session.actor
            _ = try await fixture.signIn(.headteacher)

            let byName = try await fixture.audit.list(officer, filter: AuditFilter(person: "sam SEN"), page: 1, size: 200).items
            #expect(!byName.isEmpty)
            #expect(byName.allSatisfy { $0.actorUserId == senco.userID }, "only Sam Senco's own actions")
            let byEmail = try await fixture.audit.list(officer, filter: AuditFilter(person: "SENCO.ashgrove@"), page: 1, size: 200).items
            #expect(byEmail.map(\.seq) == byName.map(\.seq))
            #expect(try await fixture.audit.list(officer, filter: AuditFilter(person: "nobody-by-this-name"), page: 1).items.isEmpty)

            // A record by a school's name: the roles given at that school, and nothing at another.
            let atAshgrove = try await fixture.audit.list(officer, filter: AuditFilter(record: "ashgrove"), page: 1, size: 200).items
            let roles = atAshgrove.filter { $0.entityType == "role_assignment" }.compactMap(\.entityName)
            #expect(Set(roles) == ["Sam Senco, SENCo at Ashgrove Primary School", "Hana Head, Headteacher at Ashgrove Primary School"])
            #expect(!atAshgrove.contains { $0.entityName?.contains("Brookfield") == true || $0.entityName?.contains("Bea") == true })
            // A record by its holder's name: the user and their role, whoever acted.
            let aboutSam = try await fixture.audit.list(officer, filter: AuditFilter(record: "Sam Senco"), page: 1, size: 200).items
            #expect(Set(aboutSam.map(\.entityType)) == ["user", "role_assignment"])
            #expect(aboutSam.allSatisfy { $0.entityName?.hasPrefix("Sam Senco") == true })
            // A record by its id finds that user's events and their roles' too.
            let byID = try await fixture.audit.list(officer, filter: AuditFilter(record: senco.userID.description.uppercased()), page: 1, size: 200).items
            #expect(byID.map(\.seq) == aboutSam.map(\.seq))
            // Text a person types is matched as text, never as a pattern.
            #expect(try await fixture.audit.list(officer, filter: AuditFilter(person: "%"), page: 1).items.isEmpty)
        }
    }
}
