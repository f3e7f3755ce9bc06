import Domain
import Foundation
import PQ

extension Bootstrap {
    /// Example City's whole structure (`DemoCity`), after `loadDemoCouncil`: seven clusters of about ten schools, the
    /// trusts, two January censuses of figures, memberships for last, this and next academic year (with the moves
    /// `DemoCity.moves` lists), and a SENCo and a headteacher at one school of every cluster, and a second EP. Safe to
    /// run again: what exists is left as it is.
    public func loadExampleCity(password: String) async throws -> [DemoAccount] {
        let hash = try await hasher.hash(password)
        let users = UserStore(database: database, clock: clock, configuration: identity)
        let request = RequestInfo.commandLine("demo-data")
        let today = CalendarDate.today(at: clock.now())
        let academicYear = AcademicYear.holding(today).startYear
        let census = Census.latest(before: today)
        return try await database.transaction(actingAs: nil) { tx in
            try await tx.execute(
                """
                INSERT INTO trusts (code, name) SELECT * FROM unnest(\(DemoCity.trusts.map(\.code))::text[], \(DemoCity.trusts.map(\.name))::text[])
                ON CONFLICT (code) DO NOTHING
                """
            )
            var clusterIDs: [String: ID<Cluster>] = [:]
            var schoolIDs: [String: ID<School>] = [:]
            for (clusterName, schools) in DemoCity.clusters {
                clusterIDs[clusterName] = try await tx.one(
                    "INSERT INTO clusters (name) VALUES (\(clusterName)) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id"
                ).decode(ID<Cluster>.self, at: 0)
                for school in schools {
                    schoolIDs[school.urn] = try await tx.one(
                        """
                        INSERT INTO schools (urn, name, phase, type, trust_code) VALUES (\(school.urn), \(school.name), \(school.phase), \(school.type), \(school.trustCode))
                        ON CONFLICT (urn) DO UPDATE SET type = EXCLUDED.type, trust_code = EXCLUDED.trust_code RETURNING id
                        """
                    ).decode(ID<School>.self, at: 0)
                }
            }
            for (clusterName, schools) in DemoCity.clusters {
                for school in schools {
                    guard let schoolID = schoolIDs[school.urn] else { continue }
                    for offset in -1...1 {
                        guard let clusterID = clusterIDs[DemoCity.cluster(of: school.urn, home: clusterName, yearOffset: offset)] else { continue }
                        try await tx.execute(
                            """
                            INSERT INTO cluster_memberships (school_id, cluster_id, academic_year) VALUES (\(schoolID), \(clusterID), \(academicYear + offset))
                            ON CONFLICT (school_id, academic_year) DO NOTHING
                            """
                        )
                    }
                    for back in 0...1 {
                        let figures = DemoCity.figures(urn: school.urn, phase: school.phase, censusesBack: back)
                        try await tx.execute(
                            """
                            INSERT INTO school_census_figures (school_id, census_year, on_roll, sen_support, ehcp, fsm)
                            VALUES (\(schoolID), \(census - back), \(figures.onRoll), \(figures.senSupport), \(figures.ehcp), \(figures.fsm))
                            ON CONFLICT (school_id, census_year) DO NOTHING
                            """
                        )
                    }
                }
            }
            // The demo officer leads every cluster that has no lead yet.
            try await tx.execute(
                """
                UPDATE clusters SET locality_lead_user_id = (SELECT id FROM users WHERE lower(email) = 'officer@example-city.test')
                WHERE locality_lead_user_id IS NULL
                """
            )
            // This and next academic year's meetings: each cluster on its own weekday, planning in week 3 and allocation in
            // week 5 of each term, at 15:30.
            let workingDays = try await MeetingStore.workingDays(in: tx)
            let rule = try await CouncilSettingsStore.read(in: tx).settings.submissionCutOff
            for year in [AcademicYear(academicYear), AcademicYear(academicYear + 1)] {
                guard let terms = try await CalendarStore.termDates(year: year, in: tx) else { continue }
                for (index, (clusterName, _)) in DemoCity.clusters.enumerated() {
                    guard let clusterID = clusterIDs[clusterName], let weekday = Weekday(rawValue: 1 + index % 4),
                          let startsAt = TimeOfDay(hour: 15, minute: 30),
                          let pattern = try? SchedulePattern(planningWeek: 3, allocationWeek: 5, weekday: weekday, startsAt: startsAt) else { continue }
                    _ = try await MeetingStore.schedule(pattern.slots(for: terms, workingDays: workingDays), cluster: clusterID, year: year,
                                                        startsAt: startsAt, place: "\(clusterName) hub, Example City Civic Centre", onlineLink: nil,
                                                        rule: rule, in: tx)
                }
            }
            try await Self.confirmDemoBudget(FundingYear.holding(today), in: tx)
            let names = Dictionary(DemoCity.clusters.flatMap { $0.schools.map { ($0.name, $0.urn) } }, uniquingKeysWith: { first, _ in first })
            let startOfYear = AcademicYear(academicYear).firstDay
            var people: [(email: String, name: String, role: Role, scope: Scope, scopeName: String)] = DemoCity.people().compactMap { person in
                guard let urn = names[person.school], let school = schoolIDs[urn] else { return nil }
                return (person.email, person.name, person.role, .school(school), person.school)
            }
            for cluster in ["South Locality", "Riverside Locality"] {
                if let id = clusterIDs[cluster] { people.append(("ep.south@example-city.test", "Efe Psychologist", .educationalPsychologist, .cluster(id), cluster)) }
            }
            var accounts: [DemoAccount] = []
            for person in people {
                let id: ID<User>
                if let existing = try await tx.first("SELECT id FROM users WHERE lower(email) = lower(\(person.email))")?.decode(ID<User>.self, at: 0) {
                    id = existing
                } else {
                    id = try await users.insertUser(email: person.email, displayName: person.name, actor: nil, request: request, in: tx)
                }
                try await tx.execute("UPDATE users SET password_hash = \(hash), active = true WHERE id = \(id)")
                let (school, cluster): (ID<School>?, ID<Cluster>?) = switch person.scope {
                case .school(let school): (school, nil)
                case .cluster(let cluster): (nil, cluster)
                case .council: (nil, nil)
                }
                let held = try await tx.first(
                    """
                    SELECT 1 FROM role_assignments WHERE user_id = \(id) AND role = \(person.role.rawValue)::role_name AND ends_on IS NULL
                      AND school_id IS NOT DISTINCT FROM \(school) AND cluster_id IS NOT DISTINCT FROM \(cluster)
                    """
                )
                if held == nil {
                    _ = try await users.insertAssignment(userID: id, role: person.role, scope: person.scope, startsOn: startOfYear, actor: nil, request: request, in: tx)
                }
                accounts.append(DemoAccount(email: person.email, displayName: person.name, role: person.role, scope: person.scopeName))
            }
            if let officer = try await tx.first("SELECT id FROM users WHERE lower(email) = 'officer@example-city.test'")?.decode(ID<User>.self, at: 0) {
                let withAccounts = Set(["990001", "990002"] + DemoCity.people().compactMap { names[$0.school] })
                let schools = DemoCity.clusters.flatMap(\.schools).compactMap { school in schoolIDs[school.urn].map { (school.urn, school.phase, $0) } }
                try await Self.loadDemoPupils(schools: schools, withAccounts: withAccounts, author: officer, today: today, in: tx)
                try await Self.loadDemoRequests(today: today, in: tx)
            }
            return accounts
        }
    }

    /// The funding year's budget, unless it has one: £1,400,000.00 shared by the default formula and confirmed by the
    /// demo officer, so a new user sees real balances on first start.
    static func confirmDemoBudget(_ year: FundingYear, in tx: Transaction) async throws {
        guard try await tx.first("SELECT 1 FROM budgets WHERE funding_year = \(year.startYear)") == nil,
              let officer = try await tx.first("SELECT id FROM users WHERE lower(email) = 'officer@example-city.test'")?.decode(ID<User>.self, at: 0)
        else { return }
        let reserve = try await CouncilSettingsStore.read(in: tx).settings.defaultReservePercent
        let terms = BudgetTerms(total: Pence(140_000_000), weights: .standard, reservePercent: reserve)
        let plan = try BudgetPlan.make(terms, figures: try await BudgetStore.figures(year, in: tx).figures, overrides: []).confirmable()
        try await BudgetStore.writeTerms(terms, year: year, in: tx)
        try await BudgetStore.writeConfirmation(plan, year: year, by: officer, in: tx)
    }
}
