/// The database role the server may serve as: `clusterfund_app`, which row-level security binds. Any other (the
/// schema's owner, a superuser, a role that bypasses RLS or owns tables) would read every child's record whatever the
/// policies say, so the server refuses to start as it.
///
/// ```swift
/// ServingRole.problem(name: "clusterfund_owner", superuser: false, bypassesRLS: false, ownedObjects: 40)   // "… owns 40 …"
/// ```
public enum ServingRole {
    public static let expectedName = "clusterfund_app"

    public static func problem(name: String, superuser: Bool, bypassesRLS: Bool, ownedObjects: Int) -> String? {
        let fix = "set DATABASE_URL to the \(expectedName) role's address (migrations use DATABASE_OWNER_URL)"
        if superuser { return "the database role \(name) is a superuser, which row-level security does not bind: \(fix)" }
        if bypassesRLS { return "the database role \(name) bypasses row-level security: \(fix)" }
        if ownedObjects > 0 { return "the database role \(name) owns \(ownedObjects) tables, functions or schemas, so it could switch row-level security off: \(fix)" }
        if name != expectedName { return "the server serves as \(expectedName), whom the row-level security policies are written for, not \(name): \(fix)" }
        return nil
    }
}
