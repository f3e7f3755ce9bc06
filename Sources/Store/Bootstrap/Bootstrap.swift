import Domain
import Foundation
import PQ

/// One demo account, for `scripts/run` to print.
public struct DemoAccount: Sendable {
    public var email: String
    public var displayName: String
    public var role: Role
    public var scope: String
}

/// Set-up that runs from the command line as the owner role, before any officer exists.
public struct Bootstrap: Sendable {
    let database: Database
    let hasher: PasswordHasher
    let clock: WallClock

    let identity: IdentityConfiguration

    public init(database: Database, hasher: PasswordHasher, clock: WallClock = .system, identity: IdentityConfiguration = .init()) {
        self.identity = identity
        self.database = database
        self.hasher = hasher
        self.clock = clock
    }

    /// Creates the first officer (or gives an existing user the officer role) and returns a set-password link.
    public func createOfficer(email: String, displayName: String) async throws -> PasswordLink {
        let details = try PersonDetails.validated(email: email, displayName: displayName)
        let (email, name) = (details.email, details.displayName)
        let users = UserStore(database: database, clock: clock, configuration: identity)
        let request = RequestInfo.commandLine("create-officer")
        let today = CalendarDate.today(at: clock.now())
        return try await database.transaction(actingAs: nil) { tx in
            let existing = try await tx.first("SELECT id FROM users WHERE lower(email) = lower(\(email))")?.decode(ID<User>.self, at: 0)
            let id: ID<User>
            if let existing {
                id = existing
            } else {
                id = try await users.insertUser(email: email, displayName: name, actor: nil, request: request, in: tx)
            }
            let isOfficer = try await tx.first(
                "SELECT 1 FROM role_assignments WHERE user_id = \(id) AND role = 'officer' AND (ends_on IS NULL OR ends_on >= \(today))"
            ) != nil
            if !isOfficer {
                _ = try await users.insertAssignment(userID: id, role: .officer, scope: .council, startsOn: today, actor: nil, request: request, in: tx)
            }
            return try await users.insertPasswordLink(userID: id, actor: nil, request: request, in: tx)
        }
    }

    /// Turns the council-wide second factor on or off (officers always use one). Audited; returns the previous value.
    public func setSecondFactorForEveryone(_ required: Bool) async throws -> Bool {
        try await database.transaction(actingAs: nil) { tx in
            let before = try await tx.one("SELECT second_factor_for_everyone FROM council_settings").decode(Bool.self, at: 0)
            try await tx.execute("UPDATE council_settings SET second_factor_for_everyone = \(required)")
            try await AuditLog.append(
                .init(actor: nil, action: "council_settings.changed", entityType: "council_settings",
                      before: ["secondFactorForEveryone": String(before)], after: ["secondFactorForEveryone": String(required)]),
                request: .commandLine("council-settings"), in: tx
            )
            return before
        }
    }

    /// The demo council: two clusters of schools and, at two schools of the first, a SENCo and a headteacher each,
    /// an EP for that cluster, and an officer. Safe to run again; every demo account's password is set to `password`,
    /// and the officer (who must use a second factor) is enrolled with the base32 `totpSecret`.
    public func loadDemoCouncil(password: String, totpSecret: String) async throws -> [DemoAccount] {
        guard let key = TOTP.secret(base32: totpSecret), key.count >= 10 else {
            throw DomainError.validation([.init(pointer: "/totpSecret", detail: "The demo TOTP secret must be base32 of at least 10 bytes.")])
        }
        let problems = PasswordRules.problems(with: password, commonPasswords: PasswordHasher.commonPasswords)
        guard problems.isEmpty else { throw DomainError.validation(problems.map { .init(pointer: "/password", detail: $0) }) }
        let hash = try await hasher.hash(password)
        let users = UserStore(database: database, clock: clock, configuration: identity)
        let request = RequestInfo.commandLine("demo-data")
        let today = CalendarDate.today(at: clock.now())
        let academicYear = today.month >= 9 ? today.year : today.year - 1
        let startOfYear = CalendarDate(year: academicYear, month: 9, day: 1) ?? today
        return try await database.transaction(actingAs: nil) { tx in
            var schoolIDs: [String: ID<School>] = [:]
            var clusterIDs: [String: ID<Cluster>] = [:]
            for (clusterName, schools) in DemoCouncil.clusters {
                let cluster = try await tx.one(
                    "INSERT INTO clusters (name) VALUES (\(clusterName)) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id"
                ).decode(ID<Cluster>.self, at: 0)
                clusterIDs[clusterName] = cluster
                for (urn, name, phase) in schools {
                    let school = try await tx.one(
                        """
                        INSERT INTO schools (urn, name, phase) VALUES (\(urn), \(name), \(phase))
                        ON CONFLICT (urn) DO UPDATE SET name = EXCLUDED.name RETURNING id
                        """
                    ).decode(ID<School>.self, at: 0)
                    schoolIDs[name] = school
                    try await tx.execute(
                        """
                        INSERT INTO cluster_memberships (school_id, cluster_id, academic_year) VALUES (\(school), \(cluster), \(academicYear))
                        ON CONFLICT (school_id, academic_year) DO NOTHING
                        """
                    )
                }
            }
            // Example City's local-authority code, for the school import (999 is no real authority's).
            try await tx.execute("UPDATE council_settings SET la_code = '999' WHERE la_code IS NULL")
            for year in academicYear - 1...academicYear + 1 {
                for (term, span) in DemoCouncil.termDates(AcademicYear(year)) {
                    try await tx.execute(
                        """
                        INSERT INTO term_dates (academic_year, term, starts_on, ends_on) VALUES (\(year), \(term.rawValue), \(span.startsOn), \(span.endsOn))
                        ON CONFLICT (academic_year, term) DO NOTHING
                        """
                    )
                }
            }
            var accounts: [DemoAccount] = []
            for person in DemoCouncil.people {
                let scope: Scope
                let scopeName: String
                switch person.place {
                case .council: (scope, scopeName) = (.council, "the whole council")
                case .school(let name): (scope, scopeName) = (schoolIDs[name].map(Scope.school) ?? .council, name)
                case .cluster(let name): (scope, scopeName) = (clusterIDs[name].map(Scope.cluster) ?? .council, name)
                }
                let existing = try await tx.first("SELECT id FROM users WHERE lower(email) = lower(\(person.email))")?.decode(ID<User>.self, at: 0)
                let id: ID<User>
                if let existing {
                    id = existing
                } else {
                    id = try await users.insertUser(email: person.email, displayName: person.name, actor: nil, request: request, in: tx)
                }
                try await tx.execute("UPDATE users SET password_hash = \(hash), active = true WHERE id = \(id)")
                if person.role == .officer {
                    try await tx.execute(
                        """
                        UPDATE users SET totp_secret = \(TOTP.base32(key)), totp_enrolled_at = coalesce(totp_enrolled_at, now()), totp_last_step = NULL
                        WHERE id = \(id)
                        """
                    )
                }
                let roleRow: SQL = "SELECT 1 FROM role_assignments WHERE user_id = \(id) AND role = \(person.role.rawValue)::role_name AND ends_on IS NULL"
                if try await tx.first(roleRow) == nil {
                    _ = try await users.insertAssignment(userID: id, role: person.role, scope: scope, startsOn: startOfYear, actor: nil, request: request, in: tx)
                }
                accounts.append(DemoAccount(email: person.email, displayName: person.name, role: person.role, scope: scopeName))
            }
            return accounts
        }
    }
}

/// The made-up council `demo-data --demo` loads: Example City, with URNs in a range no real school uses.
enum DemoCouncil {
    static let clusters: [(String, [(String, String, String)])] = [
        ("North Locality", [
            ("990001", "Ashgrove Primary School", "primary"), ("990002", "Brookfield Primary School", "primary"),
            ("990003", "Castle Hill Infant School", "infant"), ("990004", "Dene Junior School", "junior"),
            ("990005", "Elmwood Academy", "secondary"), ("990006", "Fernside Special School", "special"),
        ]),
        ("South Locality", [
            ("990011", "Greenbank Primary School", "primary"), ("990012", "Harbour View Primary School", "primary"),
            ("990013", "Ironbridge Primary School", "primary"), ("990014", "Juniper Secondary School", "secondary"),
            ("990015", "Kingsway Nursery School", "nursery"), ("990016", "Larkrise All-Through School", "all_through"),
        ]),
    ]

    enum Place { case council, school(String), cluster(String) }

    /// Plausible term dates for a demo year: autumn from early September to mid December, spring from early January to
    /// late March, summer from mid April to late July, each starting and ending on a weekday.
    static func termDates(_ year: AcademicYear) -> [(Term, DateSpan)] {
        func on(_ month: Int, _ day: Int, of calendarYear: Int, forward: Bool) -> CalendarDate {
            var date = CalendarDate(year: calendarYear, month: month, day: day) ?? year.firstDay
            while date.isWeekend { date = date.adding(days: forward ? 1 : -1) }
            return date
        }
        let start = year.startYear
        return [
            (.autumn, DateSpan(startsOn: on(9, 3, of: start, forward: true), endsOn: on(12, 18, of: start, forward: false))),
            (.spring, DateSpan(startsOn: on(1, 5, of: start + 1, forward: true), endsOn: on(3, 26, of: start + 1, forward: false))),
            (.summer, DateSpan(startsOn: on(4, 13, of: start + 1, forward: true), endsOn: on(7, 21, of: start + 1, forward: false))),
        ]
    }

    static let people: [(email: String, name: String, role: Role, place: Place)] = [
        ("officer@example-city.test", "Olu Officer", .officer, .council),
        ("senco.ashgrove@example-city.test", "Sam Senco", .senco, .school("Ashgrove Primary School")),
        ("head.ashgrove@example-city.test", "Hana Head", .headteacher, .school("Ashgrove Primary School")),
        ("senco.brookfield@example-city.test", "Bea Senco", .senco, .school("Brookfield Primary School")),
        ("head.brookfield@example-city.test", "Ben Head", .headteacher, .school("Brookfield Primary School")),
        ("ep.north@example-city.test", "Eve Psychologist", .educationalPsychologist, .cluster("North Locality")),
    ]
}
