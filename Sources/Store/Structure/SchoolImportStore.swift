import Domain
import Foundation
import PQ

/// What an import did, or (on a dry run) would do.
public struct SchoolImportReport: Sendable, Codable, Equatable {
    public var kind: String
    public var census: Int
    public var dryRun: Bool
    /// Data rows in the file.
    public var rows: Int
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    /// Schools of the file that exist here and are now marked closed.
    public var closed = 0
    /// GIAS rows of another local authority.
    public var skippedOtherAuthority = 0
    /// GIAS rows of closed establishments this council never recorded.
    public var skippedClosed = 0
    /// SEN rows of schools this council does not record.
    public var skippedUnknown = 0
    public var trustsCreated = 0
}

/// Applies a checked school file in one transaction: every row or none. What is recorded is read once, and only the
/// rows that change are sent, as arrays applied with set-based statements, so a file of 50,000 schools costs a
/// handful of round trips, not 150,000. A row that
/// changes nothing writes nothing; the import is one audit event with its counts.
public struct SchoolImportStore: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    public func authorize(_ actor: Actor) throws(DomainError) {
        try Policy.require(actor, .manageSchools, on: .council)
    }

    /// The council's LA code, which a GIAS import needs. - Throws: `conflict` until an officer sets it.
    public func laCode(_ actor: Actor) async throws -> String {
        let code = try await database.transaction(actingAs: actor.userID) { tx in
            try await tx.one("SELECT la_code FROM council_settings").decode(String?.self, at: 0)
        }
        guard let code else {
            throw DomainError.conflict("Set the council's local-authority code in the settings first: the import keeps only that authority's schools.")
        }
        return code
    }

    struct DryRun: Error { var report: SchoolImportReport }

    /// - Throws: `validation` listing every problem (pointer `/line/<n>/<column>`) when the file has any; nothing applies.
    public func apply(_ actor: Actor, _ file: SchoolFile, census: Int, dryRun: Bool, request: RequestInfo) async throws -> SchoolImportReport {
        try authorize(actor)
        guard file.problems.isEmpty else {
            throw DomainError.validation(file.problems.map { .init(pointer: "/line/\($0.line)/\($0.column)", detail: $0.detail) })
        }
        var report = SchoolImportReport(kind: file.kind.rawValue, census: census, dryRun: dryRun, rows: file.rows,
                                        skippedOtherAuthority: file.otherAuthority)
        do {
            return try await database.transaction(actingAs: actor.userID) { tx in
                switch file.kind {
                case .gias: try await Self.applyGIAS(file.gias, census: census, report: &report, in: tx)
                case .sen: try await Self.applySEN(file.sen, census: census, report: &report, in: tx)
                }
                // A dry run does all the work and then rolls it back, so its counts are exactly what a real run does.
                if dryRun { throw DryRun(report: report) }
                try await AuditLog.append(
                    .init(actor: actor.userID, action: "schools.imported", entityType: "school_import", entityID: "\(file.kind.rawValue)-\(census)",
                          after: Self.audited(report)),
                    request: request, in: tx
                )
                return report
            }
        } catch let dryRun as DryRun {
            return dryRun.report
        }
    }

    static func audited(_ report: SchoolImportReport) -> [String: String] {
        ["kind": report.kind, "census": String(report.census), "rows": String(report.rows), "created": String(report.created),
         "updated": String(report.updated), "unchanged": String(report.unchanged), "closed": String(report.closed),
         "skippedOtherAuthority": String(report.skippedOtherAuthority), "skippedClosed": String(report.skippedClosed),
         "skippedUnknown": String(report.skippedUnknown), "trustsCreated": String(report.trustsCreated)]
    }

    static func applyGIAS(_ rows: [GIASRow], census: Int, report: inout SchoolImportReport, in tx: Transaction) async throws {
        // What is recorded now, read once, decides what changes; the writes then touch only those rows (and return
        // nothing, since a school just added is not yet in the reach row-level security computed for the statement).
        let urns = rows.map(\.details.urn)
        var existing: [String: (name: String, phase: String, type: String, trust: String?, status: String)] = [:]
        for row in try await tx.query(
            "SELECT urn, name, phase, type, trust_code, status FROM schools WHERE urn = ANY (\(urns)::text[])"
        ).decode((String, String, String, String, String?, String).self) {
            existing[row.0] = (row.1, row.2, row.3, row.4, row.5)
        }
        var figures: [String: (onRoll: Int?, fsm: Int?)] = [:]
        for row in try await tx.query(
            """
            SELECT s.urn, f.on_roll, f.fsm FROM school_census_figures f JOIN schools s ON s.id = f.school_id
            WHERE f.census_year = \(census) AND s.urn = ANY (\(urns)::text[])
            """
        ).decode((String, Int?, Int?).self) {
            figures[row.0] = (row.1, row.2)
        }
        // Indices into `rows`, not copies of them: a national file has 50,000.
        let open = rows.indices.filter { rows[$0].status == .open }
        let closed = rows.indices.filter { rows[$0].status == .closed }

        var trusts: [String: String] = [:]
        for index in open { if let code = rows[index].details.trustCode, let name = rows[index].details.trustName { trusts[code] = name } }
        if !trusts.isEmpty {
            let codes = Array(trusts.keys)
            let known = Dictionary(try await tx.query("SELECT code, name FROM trusts WHERE code = ANY (\(codes)::text[])").decode((String, String).self),
                                   uniquingKeysWith: { first, _ in first })
            let changed = codes.filter { known[$0] != trusts[$0] }
            report.trustsCreated = changed.filter { known[$0] == nil }.count
            try await tx.execute(
                """
                INSERT INTO trusts (code, name) SELECT * FROM unnest(\(changed)::text[], \(changed.map { trusts[$0] ?? "" })::text[])
                ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, updated_at = now()
                """
            )
        }

        let schoolChanges = open.filter { index in
            let row = rows[index].details
            guard let now = existing[row.urn] else { return true }
            return now.name != row.name || now.phase != row.phase.rawValue || now.type != row.type.rawValue || now.trust != row.trustCode
                || now.status != "open"
        }
        // New schools are inserted and recorded ones updated, with no ON CONFLICT: PostgreSQL checks an upsert's new
        // row against the read policy, whose reach was computed before the school existed.
        let added = schoolChanges.filter { existing[rows[$0].details.urn] == nil }
        let changed = schoolChanges.filter { existing[rows[$0].details.urn] != nil }
        for (isNew, batch) in [(true, added), (false, changed)] where !batch.isEmpty {
            let input: SQL = """
                unnest(\(batch.map { rows[$0].details.urn })::text[], \(batch.map { rows[$0].details.name })::text[],
                       \(batch.map { rows[$0].details.phase.rawValue })::text[], \(batch.map { rows[$0].details.type.rawValue })::text[],
                       \(NullableArray(batch.map { rows[$0].details.trustCode }))::text[]) AS i(urn, name, phase, type, trust_code)
                """
            if isNew {
                try await tx.execute("INSERT INTO schools (urn, name, phase, type, trust_code, status) SELECT urn, name, phase, type, trust_code, 'open' FROM \(input)")
            } else {
                try await tx.execute(
                    """
                    UPDATE schools s SET name = i.name, phase = i.phase, type = i.type, trust_code = i.trust_code, status = 'open', updated_at = now()
                    FROM \(input) WHERE s.urn = i.urn
                    """
                )
            }
        }
        // A figure left empty in the file keeps what the census already has.
        let figureChanges = open.filter { index in
            let row = rows[index]
            let now = figures[row.details.urn]
            let onRoll = row.onRoll ?? now?.onRoll, fsm = row.fsm ?? now?.fsm
            return (onRoll != nil || fsm != nil) && (now == nil || now?.onRoll != onRoll || now?.fsm != fsm)
        }
        try await Self.writeFigures(
            census: census, urns: figureChanges.map { rows[$0].details.urn }, .rollAndMeals, first: figureChanges.map { rows[$0].onRoll },
            second: figureChanges.map { rows[$0].fsm }, existing: Set(figures.keys), in: tx)
        let toClose = closed.map { rows[$0].details.urn }.filter { existing[$0] != nil && existing[$0]?.status != "closed" }
        try await tx.execute("UPDATE schools SET status = 'closed', updated_at = now() WHERE urn = ANY (\(toClose)::text[])")

        let created = Set(open.map { rows[$0].details.urn }.filter { existing[$0] == nil })
        let updated = Set((schoolChanges + figureChanges).map { rows[$0].details.urn }).subtracting(created)
        let knownClosed = closed.filter { existing[rows[$0].details.urn] != nil }.count
        report.created = created.count
        report.updated = updated.count
        report.closed = toClose.count
        report.skippedClosed = closed.count - knownClosed
        report.unchanged = open.count - created.count - updated.count + (knownClosed - toClose.count)
    }

    static func applySEN(_ rows: [SENRow], census: Int, report: inout SchoolImportReport, in tx: Transaction) async throws {
        let urns = rows.map(\.urn)
        let recorded: [String] = try await tx.query("SELECT urn FROM schools WHERE urn = ANY (\(urns)::text[])").decode(String.self)
        let known = Set(recorded)
        var figures: [String: (senSupport: Int?, ehcp: Int?)] = [:]
        for row in try await tx.query(
            """
            SELECT s.urn, f.sen_support, f.ehcp FROM school_census_figures f JOIN schools s ON s.id = f.school_id
            WHERE f.census_year = \(census) AND s.urn = ANY (\(urns)::text[])
            """
        ).decode((String, Int?, Int?).self) {
            figures[row.0] = (row.1, row.2)
        }
        let changes = rows.filter { row in
            guard known.contains(row.urn) else { return false }
            let now = figures[row.urn]
            let senSupport = row.senSupport ?? now?.senSupport, ehcp = row.ehcp ?? now?.ehcp
            return (senSupport != nil || ehcp != nil) && (now == nil || now?.senSupport != senSupport || now?.ehcp != ehcp)
        }
        try await Self.writeFigures(
            census: census, urns: changes.map(\.urn), .senAndPlans, first: changes.map(\.senSupport),
            second: changes.map(\.ehcp), existing: Set(figures.keys), in: tx)
        report.updated = changes.count
        report.skippedUnknown = rows.filter { !known.contains($0.urn) }.count
        report.unchanged = rows.count - changes.count - report.skippedUnknown
    }

    /// The two figures each file gives.
    enum FigurePair { case rollAndMeals, senAndPlans }

    /// Writes two figures of one census for the schools `urns` names: a new row where the census has none for the
    /// school, else an update in which a figure the file left empty keeps its value.
    static func writeFigures(
        census: Int, urns: [String], _ pair: FigurePair, first: [Int?], second: [Int?], existing: Set<String>, in tx: Transaction
    ) async throws {
        guard !urns.isEmpty else { return }
        let (one, two): (SQL, SQL) = switch pair {
        case .rollAndMeals: ("on_roll", "fsm")
        case .senAndPlans: ("sen_support", "ehcp")
        }
        let fresh = urns.indices.filter { !existing.contains(urns[$0]) }
        let known = urns.indices.filter { existing.contains(urns[$0]) }
        for (isNew, rows) in [(true, fresh), (false, known)] where !rows.isEmpty {
            let input: SQL = """
                unnest(\(rows.map { urns[$0] })::text[], \(NullableArray(rows.map { first[$0] }))::int[],
                       \(NullableArray(rows.map { second[$0] }))::int[]) AS i(urn, a, b)
                """
            if isNew {
                try await tx.execute(
                    "INSERT INTO school_census_figures (school_id, census_year, \(one), \(two)) SELECT s.id, \(census), i.a, i.b FROM \(input) JOIN schools s ON s.urn = i.urn"
                )
            } else {
                try await tx.execute(
                    """
                    UPDATE school_census_figures f SET \(one) = coalesce(i.a, f.\(one)), \(two) = coalesce(i.b, f.\(two)), updated_at = now()
                    FROM \(input) JOIN schools s ON s.urn = i.urn WHERE f.school_id = s.id AND f.census_year = \(census)
                    """
                )
            }
        }
    }
}
