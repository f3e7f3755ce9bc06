import Domain
import Foundation
import Testing

@Suite("the access policy")
struct PolicyTests {
    static let school = ID<School>(UUID())
    static let peerSchool = ID<School>(UUID())
    static let farSchool = ID<School>(UUID())
    static let cluster = ID<Cluster>(UUID())
    static let farCluster = ID<Cluster>(UUID())
    static let start = CalendarDate(year: 2026, month: 9, day: 1)!

    static func actor(_ role: Role) -> Actor {
        let scope: Scope = switch role {
        case .senco, .headteacher: .school(school)
        case .educationalPsychologist: .cluster(cluster)
        case .officer: .council
        }
        return Actor(
            userID: ID(UUID()), displayName: role.title,
            assignments: [RoleAssignment(id: ID(UUID()), role: role, scope: scope, startsOn: start)],
            clustersOfOwnSchools: role.scopeKind == .school ? [cluster] : []
        )
    }

    /// Every role, every action, against a target inside and outside the actor's reach.
    static let matrix: [(Role, Action, Target, Decision)] = {
        let own = Target.school(school, clusters: [cluster])
        let peer = Target.school(peerSchool, clusters: [cluster])
        let far = Target.school(farSchool, clusters: [farCluster])
        var rows: [(Role, Action, Target, Decision)] = []
        for role in Role.allCases {
            let isOfficer = role == .officer
            rows.append((role, .manageOwnAccount, .council, .allow))
            rows.append((role, .administerUsers, .council, isOfficer ? .allow : .notPermitted("Only council officers manage users.")))
            rows.append((role, .readAuditTrail, .council, isOfficer ? .allow : .notPermitted("Only council officers read the audit trail.")))
            rows.append((role, .viewSchool, own, .allow))
            rows.append((role, .viewSchool, peer, .allow))
            rows.append((role, .viewSchool, far, isOfficer ? .allow : .notVisible))
            rows.append((role, .viewSchool, .cluster(farCluster), isOfficer ? .allow : .notVisible))
            rows.append((role, .configureCouncil, .council,
                         isOfficer ? .allow : .notPermitted("Only council officers change the council's settings and calendar.")))
            rows.append((role, .manageSchools, .council,
                         isOfficer ? .allow : .notPermitted("Only council officers add, change, close or import schools.")))
            rows.append((role, .manageClusters, .council, isOfficer ? .allow : .notPermitted("Only council officers set up clusters.")))
            rows.append((role, .scheduleMeetings, .council, isOfficer ? .allow : .notPermitted("Only council officers schedule meetings.")))
            rows.append((role, .manageBudgets, .council, isOfficer ? .allow : .notPermitted("Only council officers set budgets and read the ledger.")))
            rows.append((role, .viewBalance, .cluster(cluster), .allow))
            rows.append((role, .viewBalance, .cluster(farCluster), isOfficer ? .allow : .notVisible))
            // Every role may ask; row-level security narrows an EP to the pupils whose families consent (PupilStoreTests).
            rows.append((role, .readPupils, .council, .allow))
            let onlySenco = Decision.notPermitted("Only the SENCo of the pupil's school adds and changes a pupil's record.")
            rows.append((role, .editPupils, own, role == .senco ? .allow : onlySenco))
            rows.append((role, .editPupils, peer, onlySenco))
        }
        return rows
    }()

    @Test("each role gets exactly the decisions of DOMAIN.md's table", arguments: matrix.indices)
    func decision(index: Int) {
        let (role, action, target, expected) = Self.matrix[index]
        #expect(Policy.authorize(Self.actor(role), action, on: target) == expected, "\(role) \(action) \(target)")
    }

    @Test("every action is covered by the matrix")
    func coverage() {
        let covered = Set(Self.matrix.map(\.1.rawValue))
        #expect(covered == Set(Action.allCases.map(\.rawValue)))
    }

    @Test("a record out of scope is not found, a forbidden action is forbidden")
    func errors() {
        let senco = Self.actor(.senco)
        #expect(throws: DomainError.notFound("There is no such record.")) {
            try Policy.require(senco, .viewSchool, on: .school(Self.farSchool, clusters: [Self.farCluster]))
        }
        #expect(throws: DomainError.forbidden("Only council officers manage users.")) { try Policy.require(senco, .administerUsers, on: .council) }
    }

    @Test("a role is in force only between its dates, both inclusive")
    func dates() throws {
        let end = try #require(CalendarDate(year: 2026, month: 12, day: 31))
        let assignment = RoleAssignment(id: ID(UUID()), role: .senco, scope: .school(Self.school), startsOn: Self.start, endsOn: end)
        #expect(assignment.isInForce(on: Self.start))
        #expect(assignment.isInForce(on: end))
        #expect(!assignment.isInForce(on: try #require(CalendarDate(year: 2027, month: 1, day: 1))))
        #expect(!assignment.isInForce(on: try #require(CalendarDate(year: 2026, month: 8, day: 31))))
    }

    @Test("a role's scope must fit its kind")
    func scopes() {
        #expect(RoleAssignment.scopeFits(.senco, .school(Self.school)))
        #expect(!RoleAssignment.scopeFits(.senco, .cluster(Self.cluster)))
        #expect(RoleAssignment.scopeFits(.educationalPsychologist, .cluster(Self.cluster)))
        #expect(!RoleAssignment.scopeFits(.educationalPsychologist, .council))
        #expect(RoleAssignment.scopeFits(.officer, .council))
        #expect(!RoleAssignment.scopeFits(.officer, .school(Self.school)))
    }
}
