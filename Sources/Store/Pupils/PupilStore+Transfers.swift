import Domain
import Foundation
import PQ

/// A move between schools as those who may see it read it: officers every move; both schools' staff the moves between
/// them. The pupil's name is shown only to those who reach the pupil (the old school until the move, the new one after).
public struct TransferView: Sendable {
    public var id: ID<Transfer>
    public var pupilID: ID<Pupil>
    /// Nil when the reader does not reach the pupil (the new school before the move is confirmed).
    public var pupilName: String?
    public var fromSchoolID: ID<School>
    public var fromSchool: String
    public var toSchool: String
    public var status: TransferStatus
    public var requestedAt: Date
    public var movedOn: CalendarDate?
}

extension PupilStore {
    /// Asks to move the pupil with this UPN and date of birth to `school` (its SENCo). A miss, for whatever reason, gets
    /// the one answer any miss gets and counts towards the same limit as refused additions (ten in 15 minutes).
    public func requestTransfer(_ actor: Actor, upn: String, dateOfBirth: CalendarDate, to school: ID<School>, request: RequestInfo) async throws -> ID<Transfer> {
        try TransferRules.requireRequester(actor, school: school)
        let upn = upn.trimmingCharacters(in: .whitespaces).uppercased()
        guard UPN(upn) != nil else { throw DomainError.validation([.init(pointer: "/upn", detail: UPN.problem(with: upn) ?? "Enter the UPN.")]) }
        let found = try await database.transaction(actingAs: actor.userID) { tx -> (ID<Transfer>, ID<Pupil>)? in
            let refusals = try await tx.one("SELECT pupil_add_refusals_recent()").decode(Int.self, at: 0)
            guard refusals < 10 else { throw DomainError.throttled(retryAfterSeconds: 15 * 60) }
            guard let transfer = try await tx.one("SELECT pupil_transfer_request(\(upn), \(dateOfBirth), \(school))").decode(ID<Transfer>?.self, at: 0) else {
                try await AuditLog.append(.init(actor: actor.userID, action: "pupil.add_refused", entityType: "school", entityID: school.description,
                                                after: ["reason": "transfer_no_match"]), request: request, in: tx)
                return nil
            }
            let pupil = try await tx.one("SELECT pupil_id FROM pupil_transfers WHERE id = \(transfer)").decode(ID<Pupil>.self, at: 0)
            try await AuditLog.append(.init(actor: actor.userID, action: "pupil.transfer_requested", entityType: "pupil", entityID: pupil.description,
                                            after: ["transferId": transfer.description, "toSchoolId": school.description]), request: request, in: tx)
            return (transfer, pupil)
        }
        guard let found else { throw DomainError.conflict(PupilRules.upnRecorded) }
        return found.0
    }

    /// Confirms (the pupil moves today, with the enrolment history kept) or refuses a move: the old school's SENCo or
    /// an officer.
    public func decideTransfer(_ actor: Actor, _ id: ID<Transfer>, confirm: Bool, request: RequestInfo) async throws {
        let today = today()
        try await database.transaction(actingAs: actor.userID) { tx in
            guard let from = try await tx.first("SELECT from_school_id FROM pupil_transfers WHERE id = \(id)")?.decode(ID<School>.self, at: 0) else {
                throw DomainError.notFound("There is no such move.")
            }
            try TransferRules.requireDecider(actor, from: from)
            let pupil: ID<Pupil>
            do {
                pupil = try await tx.one("SELECT pupil_transfer_decide(\(id), \(confirm), \(today))").decode(ID<Pupil>.self, at: 0)
            } catch let error as PostgresError where error.sqlState == SQLState("55000") {
                throw DomainError.conflict("This move was already confirmed or refused.")
            }
            try await AuditLog.append(.init(actor: actor.userID, action: confirm ? "pupil.transfer_confirmed" : "pupil.transfer_refused", entityType: "pupil",
                                            entityID: pupil.description, after: ["transferId": id.description, "fromSchoolId": from.description]),
                                      request: request, in: tx)
        }
    }

    /// Moves the actor may see, newest first, optionally by status (or one move by its id). When any pupil is named,
    /// one audit event names them.
    public func transfers(_ actor: Actor, status: TransferStatus?, only: ID<Transfer>? = nil, page number: Int?, size: Int? = nil,
                          request: RequestInfo) async throws -> Page<TransferView> {
        try PupilRules.requireReader(actor)
        let (number, size, offset) = Page<TransferView>.bounds(number: number, size: size)
        return try await database.transaction(actingAs: actor.userID) { tx in
            let rows = try await tx.query(
                """
                SELECT t.id, t.pupil_id, p.given_names || ' ' || p.family_name, t.from_school_id, f.name, n.name, t.status, t.requested_at, t.moved_on,
                       count(*) OVER ()
                FROM pupil_transfers t JOIN schools f ON f.id = t.from_school_id JOIN schools n ON n.id = t.to_school_id
                LEFT JOIN pupils p ON p.id = t.pupil_id
                WHERE (\(status?.rawValue)::text IS NULL OR t.status = \(status?.rawValue)) AND (\(only)::uuid IS NULL OR t.id = \(only))
                ORDER BY t.requested_at DESC, t.id LIMIT \(size) OFFSET \(offset)
                """
            ).decode((ID<Transfer>, ID<Pupil>, String?, ID<School>, String, String, String, Date, CalendarDate?, Int).self)
            let items = rows.map { row in
                TransferView(id: row.0, pupilID: row.1, pupilName: row.2, fromSchoolID: row.3, fromSchool: row.4, toSchool: row.5,
                             status: TransferStatus(rawValue: row.6) ?? .pending, requestedAt: row.7, movedOn: row.8)
            }
            let named = items.filter { $0.pupilName != nil }
            if !named.isEmpty {
                try await AuditLog.append(
                    .init(actor: actor.userID, action: "pupils.listed", entityType: "pupil_list",
                          after: ["view": "transfers", "pupilIds": named.map(\.pupilID.description).joined(separator: ","), "count": String(named.count)]),
                    request: request, in: tx)
            }
            return Page(items: items, number: number, size: size, total: rows.first?.9 ?? 0)
        }
    }
}
