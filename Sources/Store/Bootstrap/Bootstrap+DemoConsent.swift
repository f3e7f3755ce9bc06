import Domain
import Foundation
import PQ

/// A demo pupil as added, for the consent and referrals that follow.
struct DemoPupil {
    var id: ID<Pupil>
    var school: ID<School>
    var seed: Int
    var bornOn: CalendarDate
    var withAccount: Bool
}

extension Bootstrap {
    /// Consent for most demo pupils (nine in ten to share with the panel, one in three to EP involvement), a few
    /// withdrawn since, and a dozen EHC needs-assessment requests at every stage, some deadlines missed. Dates count
    /// back from today, so the stages hold whenever the demo is loaded. Loading again adds only what is missing: consent
    /// for pupils with none, a referral for each chosen pupil who has none.
    static func loadDemoConsentAndReferrals(_ pupils: [DemoPupil], author: ID<User>, today: CalendarDate, in tx: Transaction) async throws {
        let parents = ["A. Applebank", "B. Birchwell", "C. Cloudsley", "D. Dunmore", "E. Elmhirst", "F. Fernleigh"]
        // Consent is recorded by the school's SENCo where the demo has one (officers record only withdrawals).
        let sencos: [(String, ID<User>)] = try await tx.query(
            "SELECT DISTINCT ON (school_id) school_id::text, user_id FROM role_assignments WHERE role = 'senco' ORDER BY school_id, starts_on"
        ).decode((String, ID<User>).self)
        let recorders = Dictionary(sencos, uniquingKeysWith: { first, _ in first })
        let recordedIDs: [String] = try await tx.query("SELECT DISTINCT pupil_id::text FROM pupil_consents").decode(String.self)
        let recorded = Set(recordedIDs)
        for pupil in pupils where !recorded.contains(pupil.id.description) {
            let givenOn = today.adding(days: -(30 + pupil.seed % 60))
            let parent = parents[pupil.seed % parents.count]
            var records: [(ConsentPurpose, ConsentKind, CalendarDate)] = []
            if pupil.seed % 10 != 0 { records.append((.panelSharing, .given, givenOn)) }
            if pupil.seed % 3 == 0 { records.append((.epInvolvement, .given, givenOn)) }
            if pupil.seed % 17 == 0, pupil.seed % 10 != 0 { records.append((.panelSharing, .withdrawn, today.adding(days: -(pupil.seed % 20)))) }
            for (purpose, kind, on) in records {
                try await tx.execute(
                    """
                    INSERT INTO pupil_consents (pupil_id, purpose, kind, given_by_name, relationship, given_on, method, evidence_reference, school_id,
                                                recorded_by)
                    VALUES (\(pupil.id), \(purpose.rawValue), \(kind.rawValue), \(parent), 'parent', \(on), \(kind == .given ? "signed_form" : "email"),
                            \("Demo form \(pupil.seed)"), \(pupil.school), \(recorders[pupil.school.description] ?? author))
                    """
                )
            }
        }
        // Twelve requests, one per stage, at pupils of schools with demo accounts: (weeks ago received, by, decision
        // and its week, no-plan notice week, draft week, final week, outcome and its week, appeal week).
        typealias Stage = (Int, String, String?, Int?, Int?, Int?, Int?, String?, Int?, Int?)
        let stages: [Stage] = [
            (1, "school", nil, nil, nil, nil, nil, nil, nil, nil),
            (4, "parent", nil, nil, nil, nil, nil, "withdrawn", 3, nil),
            (8, "school", nil, nil, nil, nil, nil, nil, nil, nil),
            (9, "parent", "not_assess", 4, nil, nil, nil, nil, nil, 7),
            (10, "school", "assess", 5, nil, nil, nil, nil, nil, nil),
            (12, "other", "assess", 6, nil, 11, nil, nil, nil, nil),
            (18, "school", "assess", 5, 15, nil, nil, "plan_not_issued", 15, nil),
            (21, "parent", "assess", 5, nil, nil, nil, nil, nil, nil),
            (22, "school", "assess", 7, nil, 14, 19, "plan_issued", 19, nil),
            (25, "school", "assess", 6, nil, 16, 21, "plan_issued", 21, nil),
            (30, "parent", "assess", 6, nil, 14, 18, "plan_issued", 18, 22),
            (2, "other", nil, nil, nil, nil, nil, nil, nil, nil),
        ]
        for (stage, pupil) in zip(stages, pupils.filter { $0.withAccount && $0.seed % 4 == 1 }) {
            guard try await tx.one("SELECT count(*) FROM ehcp_referrals WHERE pupil_id = \(pupil.id)").decode(Int.self, at: 0) == 0 else { continue }
            let received = today.adding(days: -stage.0 * 7)
            func on(_ week: Int?) -> CalendarDate? { week.map { received.adding(days: $0 * 7) } }
            try await tx.execute(
                """
                INSERT INTO ehcp_referrals (pupil_id, school_id, requested_by, received_on, decision, decided_on, no_plan_notice_on, draft_plan_on,
                                            final_plan_on, outcome, outcome_on, appeal_on, created_by)
                VALUES (\(pupil.id), \(pupil.school), \(stage.1), \(received), \(stage.2), \(on(stage.3)), \(on(stage.4)), \(on(stage.5)), \(on(stage.6)),
                        \(stage.7), \(on(stage.8)), \(on(stage.9)), \(author))
                """
            )
        }
    }
}
