import Domain
import Foundation
import PQ

/// The names officers read in the trail and search it by: records are stored by id, and named as they are now.
extension AuditStore {
    /// A uuid in its text form; only such entity ids are cast to `uuid` (a refused route's id is `GET /users`).
    static let uuidPattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

    /// The name of what an event (`p`, with its entity id as `p.entity_uuid`) touched: a user's display name, a school's
    /// or a cluster's name. A role is named from `roleName(holder:role:place:)`; sessions and refused routes have none.
    static let entityName: SQL = """
        CASE p.entity_type
            WHEN 'user' THEN (SELECT x.display_name FROM users x WHERE x.id = p.entity_uuid)
            WHEN 'school' THEN (SELECT s.name FROM schools s WHERE s.id = p.entity_uuid)
            WHEN 'cluster' THEN (SELECT c.name FROM clusters c WHERE c.id = p.entity_uuid)
        END
        """

    /// The holder, role and place of the role assignment an event (`p`) touched, as three columns (null for others).
    static let roleParts: SQL = """
        LEFT JOIN role_assignments ra ON p.entity_type = 'role_assignment' AND ra.id = p.entity_uuid
        LEFT JOIN users holder ON holder.id = ra.user_id
        LEFT JOIN schools rs ON rs.id = ra.school_id
        LEFT JOIN clusters rc ON rc.id = ra.cluster_id
        """

    /// "Jo Bloggs, SENCo at Ashgrove Primary", in the words of the users page.
    static func roleName(holder: String?, role: String?, place: String?) -> String? {
        guard let holder, let role else { return nil }
        let title = Role(rawValue: role)?.title ?? role
        return place.map { "\(holder), \(title) at \($0)" } ?? "\(holder), \(title)"
    }

    /// The filter as one condition on `audit_events e`; every value is a bound parameter, and text is matched with
    /// `strpos` on lower case, so a person's `%` or `_` means itself.
    static func conditions(_ filter: AuditFilter) -> SQL {
        let person = filter.person?.lowercased()
        let record = filter.record?.lowercased()
        return """
            (\(filter.actor)::uuid IS NULL OR e.actor_user_id = \(filter.actor))
            AND (\(filter.entityType)::text IS NULL OR e.entity_type = \(filter.entityType))
            AND (\(filter.entityID)::text IS NULL OR e.entity_id = \(filter.entityID))
            AND (\(filter.from)::date IS NULL OR (e.occurred_at AT TIME ZONE 'Europe/London')::date >= \(filter.from))
            AND (\(filter.to)::date IS NULL OR (e.occurred_at AT TIME ZONE 'Europe/London')::date <= \(filter.to))
            AND (\(person)::text IS NULL
                 OR e.actor_user_id IN (SELECT u.id FROM users u
                                        WHERE strpos(lower(u.display_name), \(person)) > 0 OR strpos(lower(u.email), \(person)) > 0)
                 OR (e.actor_user_id IS NULL AND starts_with(e.request_id, \(RequestInfo.commandLinePrefix))
                     AND strpos(lower(substr(e.request_id, length(\(RequestInfo.commandLinePrefix)) + 1)), \(person)) > 0))
            AND (\(record)::text IS NULL
                 OR lower(e.entity_id) = \(record)
                 OR e.entity_id IN (SELECT u.id::text FROM users u
                                    WHERE strpos(lower(u.display_name), \(record)) > 0 OR strpos(lower(u.email), \(record)) > 0)
                 OR e.entity_id IN (SELECT ra.id::text FROM role_assignments ra JOIN users u ON u.id = ra.user_id
                                    LEFT JOIN schools s ON s.id = ra.school_id LEFT JOIN clusters c ON c.id = ra.cluster_id
                                    WHERE ra.user_id::text = \(record) OR strpos(lower(u.display_name), \(record)) > 0
                                       OR strpos(lower(u.email), \(record)) > 0 OR strpos(lower(s.name), \(record)) > 0
                                       OR strpos(lower(c.name), \(record)) > 0)
                 OR e.entity_id IN (SELECT s.id::text FROM schools s WHERE strpos(lower(s.name), \(record)) > 0)
                 OR e.entity_id IN (SELECT c.id::text FROM clusters c WHERE strpos(lower(c.name), \(record)) > 0)
                 -- A pupil, by id: the reads of their record and the lists that showed them; by name, their record's events.
                 OR (length(\(record)) = 36 AND e.entity_type = 'pupil_list' AND strpos(e.after ->> 'pupilIds', \(record)) > 0)
                 OR (e.entity_type = 'pupil' AND e.entity_id IN (SELECT p.id::text FROM pupils p
                                                                 WHERE strpos(lower(p.given_names || ' ' || p.family_name), \(record)) > 0)))
            """
    }

    /// Fills each entry's `names` with the users, schools and clusters whose ids its `before` and `after` hold,
    /// in one query for the whole page.
    static func nameReferences(in entries: inout [AuditEntry], tx: Transaction) async throws {
        let ids = Set(entries.flatMap { entry in
            [entry.before, entry.after].compactMap { $0 }.flatMap(\.values).compactMap { UUID(uuidString: $0) }
        })
        guard !ids.isEmpty else { return }
        let found = try await tx.query(
            """
            SELECT u.id, u.display_name FROM users u WHERE u.id = ANY(\(Array(ids))::uuid[])
            UNION ALL SELECT s.id, s.name FROM schools s WHERE s.id = ANY(\(Array(ids))::uuid[])
            UNION ALL SELECT c.id, c.name FROM clusters c WHERE c.id = ANY(\(Array(ids))::uuid[])
            """
        ).decode((UUID, String).self)
        let names = Dictionary(found.map { ($0.0.uuidString.lowercased(), $0.1) }, uniquingKeysWith: { first, _ in first })
        for index in entries.indices {
            let values = [entries[index].before, entries[index].after].compactMap { $0 }.flatMap(\.values)
            let named = names.filter { id, _ in values.contains { $0.lowercased() == id } }
            entries[index].names = named.isEmpty ? nil : named
        }
    }
}
