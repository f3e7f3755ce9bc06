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
}
