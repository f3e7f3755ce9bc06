/// Who must sign in with a second factor: officers always (they see every child's record and every pound), and
/// everyone when the council says so.
///
/// ```swift
/// SecondFactorRequirement.isRequired(for: officer, councilRequiresForEveryone: false)   // true
/// ```
public enum SecondFactorRequirement {
    public static func isRequired(for actor: Actor, councilRequiresForEveryone: Bool) -> Bool {
        actor.isOfficer || councilRequiresForEveryone
    }

    /// Whether a session may act for `actor` now: one opened without a second factor stops working once its user
    /// needs one, and they sign in again with it (a browser is sent to sign in; an API client gets 401).
    public static func isSatisfied(sessionPassedSecondFactor: Bool, for actor: Actor, councilRequiresForEveryone: Bool) -> Bool {
        sessionPassedSecondFactor || !isRequired(for: actor, councilRequiresForEveryone: councilRequiresForEveryone)
    }
}
