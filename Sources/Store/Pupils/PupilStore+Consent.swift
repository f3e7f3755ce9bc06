import Domain
import Foundation
import PQ

extension PupilStore {
    /// The consent history of a pupil, oldest first, as the actor may read it (row-level security shows it to
    /// officers and the pupil's school only; an EP gets none).
    static func consents(of pupil: ID<Pupil>, in tx: Transaction) async throws -> [ConsentRecord] {
        let rows = try await tx.query(
            """
            SELECT c.id, c.purpose, c.kind, c.given_by_name, c.relationship, c.given_on, c.method, c.evidence_reference, c.replaces_id,
                   c.correction_reason, coalesce(u.display_name, 'A former user'), c.recorded_at,
                   (SELECT r.id FROM pupil_consents r WHERE r.replaces_id = c.id)
            FROM pupil_consents c LEFT JOIN users u ON u.id = c.recorded_by
            WHERE c.pupil_id = \(pupil) ORDER BY c.recorded_at, c.id LIMIT 500
            """
        ).decode((ID<Consent>, String, String, String, String, CalendarDate, String, String, ID<Consent>?, String?, String, Date, ID<Consent>?).self)
        return rows.compactMap { row in
            guard let purpose = ConsentPurpose(rawValue: row.1), let kind = ConsentKind(rawValue: row.2),
                  let relationship = ConsentRelationship(rawValue: row.4), let method = ConsentMethod(rawValue: row.6) else { return nil }
            let entry = ConsentEntry(purpose: purpose, kind: kind, givenByName: row.3, relationship: relationship, givenOn: row.5, method: method,
                                     evidenceReference: row.7, replaces: row.8, correctionReason: row.9)
            return ConsentRecord(id: row.0, entry: entry, recordedByName: row.10, recordedAt: row.11, replacedBy: row.12)
        }
    }

    /// Whether each purpose's consent is in force, as the database keeps it (readable by everyone who reaches the
    /// pupil, EPs included).
    static func consentInForce(of pupil: ID<Pupil>, in tx: Transaction) async throws -> Set<ConsentPurpose> {
        let rows = try await tx.query("SELECT purpose FROM pupil_consent_states WHERE pupil_id = \(pupil) AND in_force").decode(String.self)
        return Set(rows.compactMap(ConsentPurpose.init(rawValue:)))
    }

    /// Records consent given or withdrawn, or a correction, for a pupil the actor reaches. Its effects (the pupil
    /// leaving EPs' reach, panel views withholding the pupil) follow in the same transaction, from the state the
    /// database keeps; the event names the purpose and kind, never the person who gave it.
    public func recordConsent(_ actor: Actor, pupil id: ID<Pupil>, entry: ConsentEntry, request: RequestInfo) async throws -> ID<Consent> {
        try PupilRules.requireReader(actor)
        let today = today()
        return try await database.transaction(actingAs: actor.userID) { tx in
            // One record at a time per pupil, so the state the trigger keeps follows every record in order.
            try await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended('pupil_consents/' || \(id.description), 0))")
            let pupil = try await Self.read(id, in: tx)
            try ConsentRules.requireRecorder(actor, school: pupil.schoolID, kind: entry.kind)
            let history = try await Self.consents(of: id, in: tx)
            let replaced = entry.replaces.flatMap { replaces in history.first { $0.id == replaces } }
            let checked = try ConsentRules.checked(entry, dateOfBirth: pupil.dateOfBirth, today: today, replaced: replaced)
            let consent = try await tx.one(
                """
                INSERT INTO pupil_consents (pupil_id, purpose, kind, given_by_name, relationship, given_on, method, evidence_reference, replaces_id,
                                            correction_reason, school_id, recorded_by)
                VALUES (\(id), \(checked.purpose.rawValue), \(checked.kind.rawValue), \(checked.givenByName), \(checked.relationship.rawValue),
                        \(checked.givenOn), \(checked.method.rawValue), \(checked.evidenceReference), \(checked.replaces), \(checked.correctionReason),
                        \(pupil.schoolID), \(actor.userID))
                RETURNING id
                """
            ).decode(ID<Consent>.self, at: 0)
            let action = checked.replaces != nil ? "consent.corrected" : checked.kind == .given ? "consent.given" : "consent.withdrawn"
            var after = ConsentRules.audited(checked, school: pupil.schoolID)
            after["consentId"] = consent.description
            try await AuditLog.append(.init(actor: actor.userID, action: action, entityType: "pupil", entityID: id.description, after: after),
                                      request: request, in: tx)
            return consent
        }
    }
}
