import Domain
import Foundation
import PQ

/// One demo request's shape: its type and where it has got to.
private struct DemoRequestShape {
    enum Stage { case draft, submitted, scheduled, nominated, returned, held, withdrawn }

    var type: String
    var stage: Stage
    var title: String
}

extension Bootstrap {
    /// About sixty requests at the demo schools with a SENCo and a headteacher, of every type and at every stage: joint
    /// bids, held ones, returned ones with the panel's questions, and some with EP advice. Ashgrove's and Brookfield's
    /// first requests, naming pupils, are on North Locality's next planning meeting. Loaded once: a council that has
    /// any request already gets none.
    static func loadDemoRequests(today: CalendarDate, in tx: Transaction) async throws {
        guard try await tx.one("SELECT count(*) FROM funding_requests").decode(Int.self, at: 0) == 0 else { return }
        let year = AcademicYear.holding(today).startYear
        let schools = try await tx.query(
            """
            SELECT s.id, cm.cluster_id, sen.user_id, su.display_name, head.user_id, hu.display_name
            FROM schools s JOIN cluster_memberships cm ON cm.school_id = s.id AND cm.academic_year = \(year)
            JOIN LATERAL (SELECT user_id FROM role_assignments WHERE school_id = s.id AND role = 'senco' ORDER BY starts_on LIMIT 1) sen ON true
            JOIN users su ON su.id = sen.user_id
            JOIN LATERAL (SELECT user_id FROM role_assignments WHERE school_id = s.id AND role = 'headteacher' ORDER BY starts_on LIMIT 1) head ON true
            JOIN users hu ON hu.id = head.user_id
            ORDER BY s.urn
            """
        ).decode((ID<School>, ID<Cluster>, ID<User>, String, ID<User>, String).self)
        guard let officer = try await tx.first("SELECT id, display_name FROM users WHERE lower(email) = 'officer@example-city.test'")?
            .decode((ID<User>, String).self) else { return }
        let shapes: [DemoRequestShape] = [
            .init(type: "individual", stage: .scheduled, title: "One-to-one support for communication"),
            .init(type: "group", stage: .scheduled, title: "Speech and language group, Key Stage 1"),
            .init(type: "discussion", stage: .nominated, title: "Advice on a pupil's emotional regulation"),
            .init(type: "project", stage: .submitted, title: "Cluster training in attention and autism"),
            .init(type: "emergency", stage: .submitted, title: "Urgent support after a placement breakdown"),
            .init(type: "individual", stage: .draft, title: "Support for fine motor skills"),
            .init(type: "group", stage: .returned, title: "Nurture group for Year 3"),
            .init(type: "individual", stage: .held, title: "Sensory support at lunchtimes"),
        ]
        for (index, school) in schools.enumerated() {
            let meetings = try await tx.query(
                """
                SELECT id, meets_on, cut_off_on FROM meetings WHERE cluster_id = \(school.1) AND kind = 'planning' AND status = 'scheduled'
                ORDER BY meets_on
                """
            ).decode((ID<Meeting>, CalendarDate, CalendarDate).self)
            let upcoming = meetings.filter { $0.2 >= today }
            let past = meetings.last { $0.1 < today }
            let pupils = try await tx.query(
                """
                SELECT p.id, coalesce(ps.in_force, false), coalesce(ep.in_force, false) FROM pupils p
                LEFT JOIN pupil_consent_states ps ON ps.pupil_id = p.id AND ps.purpose = 'panel_sharing'
                LEFT JOIN pupil_consent_states ep ON ep.pupil_id = p.id AND ep.purpose = 'ep_involvement'
                WHERE p.school_id = \(school.0) ORDER BY p.upn
                """
            ).decode((ID<Pupil>, Bool, Bool).self)
            var consenting = pupils.filter(\.1)
            let withdrawn = pupils.first { !$0.1 }
            // A partner: another school of the same cluster with a SENCo, for the joint bid.
            let partner = schools.first { $0.1 == school.1 && $0.0 != school.0 }
            let ep = try await tx.first(
                "SELECT r.user_id, u.display_name FROM role_assignments r JOIN users u ON u.id = r.user_id WHERE r.role = 'educational_psychologist' AND r.cluster_id = \(school.1) LIMIT 1"
            )?.decode((ID<User>, String).self)
            for (number, shape) in shapes.enumerated() {
                var stage = number == 4 && index % 2 == 1 ? .withdrawn : shape.stage
                var meeting: ID<Meeting>?
                switch stage {
                case .scheduled: meeting = upcoming.first?.0
                case .held: meeting = upcoming.dropFirst().first?.0 ?? upcoming.first?.0
                case .nominated: meeting = past?.0 ?? upcoming.first?.0
                default: break
                }
                if [.scheduled, .held, .nominated].contains(stage), meeting == nil { stage = .submitted }
                var named: [ID<Pupil>] = []
                switch shape.type {
                case "individual", "discussion", "emergency":
                    if stage == .held, let withdrawn { named = [withdrawn.0] } else if let next = consenting.first { named = [next.0]; consenting.removeFirst() }
                case "group":
                    named = consenting.prefix(3).map(\.0)
                    consenting.removeFirst(min(3, consenting.count))
                default: break
                }
                if stage == .held, named.isEmpty || shape.type == "individual" && withdrawn == nil { stage = .scheduled }
                let state: String = switch stage {
                case .draft, .returned: "draft"
                case .submitted: "submitted"
                case .scheduled, .held: "scheduled"
                case .nominated: "nominated"
                case .withdrawn: "withdrawn"
                }
                let id = ID<FundingRequest>(UUID())
                let costed = shape.type != "discussion"
                let endorsed = ["scheduled", "nominated"].contains(state)
                try await tx.execute(
                    """
                    INSERT INTO funding_requests (id, type_code, lead_school_id, state, title, need, tried, terms_asked, cohort, meeting_id, lead_endorsed_by,
                                                  lead_endorsed_at, created_by, created_at, updated_at, areas_of_need)
                    VALUES (\(id), \(shape.type), \(school.0), \(state), \(shape.title),
                            'Progress has stalled despite support at SEN Support; the school needs help beyond its own provision to meet the need.',
                            \(costed ? "Assessed with the SENCo and class teacher; planned targeted support; reviewed each half term with the family." : ""),
                            \(costed ? 2 : nil), \(shape.type == "project" ? "About 40 pupils across Key Stages 1 and 2, mainly communication and interaction needs." : nil),
                            \(meeting), \(endorsed ? school.4 : nil), \(endorsed ? Date() : nil), \(school.2),
                            now() - make_interval(days => \(20 + number)::int), now() - make_interval(hours => \(index * 8 + number)::int),
                            \([AreaOfNeed.allCases[number % 4].rawValue])::text[])
                    """)
                if number == 1, let partner, stage != .draft {
                    try await tx.execute(
                        """
                        INSERT INTO funding_request_partners (request_id, school_id, confirmed_by, confirmed_at, endorsed_by, endorsed_at)
                        VALUES (\(id), \(partner.0), \(partner.2), now(), \(endorsed ? partner.4 : nil), \(endorsed ? Date() : nil))
                        """)
                }
                for pupil in named {
                    try await tx.execute("INSERT INTO funding_request_pupils (request_id, pupil_id, school_id) VALUES (\(id), \(pupil), \(school.0))")
                }
                if costed {
                    try await tx.execute(
                        """
                        INSERT INTO funding_request_outcomes (request_id, position, outcome, measure, baseline, target) VALUES
                            (\(id), 0, 'Communicates needs to adults without distress', 'Observed instances a week', '2 a week', '10 a week'),
                            (\(id), 1, 'Takes part in whole-class learning', 'Minutes a day in class', '20 minutes', '90 minutes')
                        """)
                    try await tx.execute(
                        """
                        INSERT INTO funding_request_documents (request_id, position, title, dated_on, kept_at)
                        VALUES (\(id), 0, 'Support plan and last review', \(today.adding(days: -40)), 'The school''s SEN file')
                        """)
                    let lines: [(String, String, String?, Int64, Int, String)] = switch shape.type {
                    case "individual": [("staffing", "One-to-one support, 10 hours a week", "Teaching assistant", 1_500, 400, "school"),
                                        ("staffing", "Additional one-to-one support, 5 hours a week", "Teaching assistant", 1_500, 200, "cluster"),
                                        ("resources_and_equipment", "Visual timetable and communication aids", nil, 25_000, 1, "cluster")]
                    case "group": [("therapy", "Speech and language therapy sessions", nil, 6_000, 30, "cluster"),
                                   ("training", "Training for the group's teaching assistants", nil, 45_000, 1, "cluster")]
                    case "project": [("training", "Whole-cluster training day", nil, 120_000, 1, "cluster"),
                                     ("resources_and_equipment", "Sensory resource kits", nil, 35_000, 4, "cluster")]
                    default: [("staffing", "Emergency one-to-one cover", "Teaching assistant", 1_800, 120, "cluster")]
                    }
                    for (position, line) in lines.enumerated() {
                        try await tx.execute(
                            """
                            INSERT INTO funding_request_lines (request_id, position, category, description, staff_role, unit_cost_pence, quantity, funder)
                            VALUES (\(id), \(position), \(line.0), \(line.1), \(line.2), \(line.3), \(line.4), \(line.5))
                            """)
                    }
                }
                var history: [(String, String, String, ID<User>, String, String?)] = [("create", "draft", "draft", school.2, school.3, nil)]
                if stage != .draft, stage != .withdrawn { history.append(("submit", "draft", "submitted", school.2, school.3, nil)) }
                if [.scheduled, .held, .nominated, .returned].contains(stage) {
                    history.append(("endorse", "submitted", "scheduled", school.4, school.5, "Placed on the planning meeting."))
                }
                if stage == .nominated { history.append(("nominate", "scheduled", "nominated", officer.0, officer.1, nil)) }
                if stage == .returned {
                    history.append(("return", "scheduled", "draft", officer.0, officer.1,
                                    "Please say how the group's progress will be measured, and what the school funds from its own budget."))
                }
                if stage == .withdrawn { history.append(("withdraw", "draft", "withdrawn", school.2, school.3, nil)) }
                for (offset, event) in history.enumerated() {
                    try await tx.execute(
                        """
                        INSERT INTO funding_request_events (request_id, action, from_state, to_state, actor_user_id, actor_name, occurred_at, note)
                        VALUES (\(id), \(event.0), \(event.1), \(event.2), \(event.3), \(event.4), now() - make_interval(days => \(20 - 2 * offset)::int), \(event.5))
                        """)
                }
                // Advice where the EP may give it: a request naming no pupil, or only pupils consenting to EP involvement.
                let consentsToEP = named.allSatisfy { id in pupils.contains { $0.0 == id && $0.2 } }
                if let ep, consentsToEP, state != "draft", number % 2 == 0 || shape.type == "project" {
                    try await tx.execute(
                        """
                        INSERT INTO ep_advice (request_id, cluster_id, author_user_id, author_name, given_on, kind, summary, recommendations, follow_up_on)
                        VALUES (\(id), \(school.1), \(ep.0), \(ep.1), \(today.adding(days: -7)), 'consultation',
                                'Consultation with the SENCo and class teacher: the plan is well matched to the need.',
                                'Short daily sessions, reviewed after six weeks against the baseline.', \(today.adding(days: number % 4 == 0 ? 21 : -2)))
                        """)
                }
            }
        }
    }
}
