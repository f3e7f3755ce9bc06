import Foundation
import PQ
@testable import Store
import Testing
import TestSupport

/// The hot statements and a scoped list, planned on a few thousand rows as the role that runs them: none may read a
/// large table from end to end. This is what keeps the indexes behind the policies and the actor lookup in place.
@Suite("query plans on a few thousand rows")
struct QueryPlanTests {
    @Test("the actor lookup and school-scoped lists use indexes, and a dropped index behind them is caught")
    func indexedPlans() async throws {
        try await TestDatabase.with { db in
            let owner = db.pool(role: .owner, size: 1)
            let app = db.pool(role: .app, size: 1)
            try await owner.withConnection { try await $0.executeScript(Self.seed) }
            let user = try await owner.withConnection { lease in
                try #require(try await lease.first("SELECT user_id::text FROM role_assignments ORDER BY user_id LIMIT 1")).decode(String.self, at: 0)
            }

            #expect(try await sequentialScans(owner: owner, app: app, user: user) == [])

            // role_assignments_user serves the lookup's roles; cluster_memberships_cluster serves the memberships policy.
            try await owner.withConnection { try await $0.execute("DROP INDEX role_assignments_user") }
            try await owner.withConnection { try await $0.execute("DROP INDEX cluster_memberships_cluster") }
            let found = try await sequentialScans(owner: owner, app: app, user: user)
            #expect(found.contains("actor lookup: role_assignments"), "the check fails once the lookup's index is gone")
            #expect(found.contains("cluster memberships a SENCo reaches: cluster_memberships"), "and once a policy's index is gone")

            await owner.close()
            await app.close()
        }
    }

    /// Statement and table of every sequential scan of a large table in the plans checked.
    func sequentialScans(owner: ConnectionPool, app: ConnectionPool, user: String) async throws -> [String] {
        var found: [String] = []
        // The lookup runs inside auth_actor as the owner (SECURITY DEFINER), where EXPLAIN on the call would show only
        // "Function Scan": so plan the function's own query, taken from the database, with its parameters bound.
        let lookupPlan = try await owner.withConnection { lease in
            let query = try #require(
                try await lease.first(
                    """
                    SELECT regexp_replace(regexp_replace(substring(prosrc FROM 'RETURN QUERY(.*);\\s*END'),
                           '\\mp_token_hash\\M', '$1', 'g'), '\\mp_today\\M', '$2', 'g')
                    FROM pg_proc WHERE proname = 'auth_actor'
                    """
                )
            ).decode(String.self, at: 0)
            try await lease.execute(SQL(unsafeRaw: "PREPARE actor_lookup(bytea, date) AS \(query)"))
            let plan = try await lease.query(SQL(unsafeRaw: "EXPLAIN EXECUTE actor_lookup('\\x00', '2026-12-03')")).decode((String).self)
            try await lease.execute("DEALLOCATE actor_lookup")
            return plan
        }
        found += Self.largeTablesScanned(lookupPlan).map { "actor lookup: \($0)" }

        let scopedLists: [(String, SQL)] = [
            ("schools a SENCo sees", "SELECT id, urn, name, phase FROM schools ORDER BY name LIMIT 1000"),
            ("cluster memberships a SENCo reaches", "SELECT school_id, cluster_id FROM cluster_memberships"),
            ("a user's own sessions", "SELECT id FROM sessions WHERE user_id = \(user)::uuid AND revoked_at IS NULL"),
        ]
        for (name, sql) in scopedLists {
            let plan = try await app.withTransaction { tx in
                try await tx.execute("SELECT set_config('app.user_id', \(user), true)")
                return try await tx.query("EXPLAIN " + sql).decode((String).self)
            }
            found += Self.largeTablesScanned(plan).map { "\(name): \($0)" }
        }
        return found
    }

    static let largeTables: Set<String> = ["schools", "cluster_memberships", "users", "role_assignments", "sessions"]

    static func largeTablesScanned(_ plan: [String]) -> [String] {
        plan.compactMap { line in
            guard let range = line.range(of: "Seq Scan on ") else { return nil }
            let table = String(line[range.upperBound...].prefix { $0 != " " })
            return largeTables.contains(table) ? table : nil
        }
    }

    /// 3,000 schools in 300 clusters, 3,000 SENCos with one school each, 6,000 sessions; as the owner, through its policies.
    static let seed = SQL(
        unsafeRaw: """
        INSERT INTO clusters (name) SELECT 'Cluster ' || g FROM generate_series(1, 300) g;
        INSERT INTO schools (urn, name, phase) SELECT lpad(g::text, 6, '0'), 'School ' || g, 'primary' FROM generate_series(1, 3000) g;
        INSERT INTO cluster_memberships (school_id, cluster_id, academic_year)
            SELECT s.id, c.id, 2026 FROM (SELECT id, row_number() OVER (ORDER BY urn) AS n FROM schools) s
            JOIN (SELECT id, row_number() OVER (ORDER BY name) AS n FROM clusters) c ON c.n = (s.n % 300) + 1;
        INSERT INTO users (email, display_name) SELECT 'user' || g || '@example.test', 'User ' || g FROM generate_series(1, 3000) g;
        INSERT INTO role_assignments (user_id, role, school_id, starts_on)
            SELECT u.id, 'senco', s.id, date '2026-09-01' FROM (SELECT id, row_number() OVER (ORDER BY email) AS n FROM users) u
            JOIN (SELECT id, row_number() OVER (ORDER BY urn) AS n FROM schools) s ON s.n = u.n;
        INSERT INTO sessions (user_id, token_hash, kind, csrf_token, expires_at)
            SELECT u.id, sha256(convert_to(u.id::text || k, 'UTF8')), 'api', 'csrf', now() + interval '1 day'
            FROM users u CROSS JOIN generate_series(1, 2) k;
        ANALYZE schools, clusters, cluster_memberships, users, role_assignments, sessions;
        """
    )
}
