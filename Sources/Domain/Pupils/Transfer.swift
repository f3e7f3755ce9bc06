/// A pupil's move between schools (`ID<Transfer>`).
public enum Transfer {}

public enum TransferStatus: String, Sendable, CaseIterable, Codable {
    case pending, confirmed, refused

    public var label: String {
        switch self {
        case .pending: "Waiting for the pupil's school or an officer"
        case .confirmed: "Moved"
        case .refused: "Refused"
        }
    }
}

/// Who asks for and who decides a move (DOMAIN.md, "Pupils and consent": the UPN identifies a pupil across schools).
/// The school the pupil joins asks, with the UPN and date of birth; the school they leave, or an officer, confirms.
/// A match alone moves nothing, because neither the UPN nor the date of birth is a secret.
public enum TransferRules {
    /// Asking to move a pupil to `school`: its SENCo only.
    public static func requireRequester(_ actor: Actor, school: ID<School>) throws(DomainError) {
        guard actor.schools(as: .senco).contains(school) else {
            throw .forbidden("Only the SENCo of the school the pupil joins asks for the pupil's record to move.")
        }
    }

    /// Confirming or refusing a move away from `from`: that school's SENCo, or an officer.
    public static func requireDecider(_ actor: Actor, from: ID<School>) throws(DomainError) {
        guard actor.isOfficer || actor.schools(as: .senco).contains(from) else {
            throw .forbidden("Only the SENCo of the school the pupil is leaving, or an officer, confirms a move.")
        }
    }

    /// What the school that asked is told: it sees nothing of the record until the move is confirmed.
    public static let requested = "Asked. The pupil's current school or a council officer must confirm the move; until then nothing of the record is shown here."
}
