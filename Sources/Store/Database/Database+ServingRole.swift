import Domain
import PQ

extension Database {
    /// Why the role this database is opened as must not serve requests, or nil when it may: row-level security is the
    /// second lock on children's records, and it binds only `clusterfund_app`, which is no superuser, does not bypass
    /// RLS, and owns nothing (an owner could switch the policies off).
    public func servingRoleProblem() async throws -> String? {
        try await transaction(actingAs: nil) { tx in
            let (name, superuser, bypassesRLS, owned) = try await tx.one(
                """
                SELECT r.rolname, r.rolsuper, r.rolbypassrls,
                       (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid)
                     + (SELECT count(*) FROM pg_proc p WHERE p.proowner = r.oid)
                     + (SELECT count(*) FROM pg_namespace n WHERE n.nspowner = r.oid)
                FROM pg_roles r WHERE r.rolname = current_user
                """
            ).decode((String, Bool, Bool, Int).self)
            return ServingRole.problem(name: name, superuser: superuser, bypassesRLS: bypassesRLS, ownedObjects: owned)
        }
    }
}
