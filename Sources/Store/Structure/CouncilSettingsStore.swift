import Domain
import Foundation
import PQ

/// The council's settings as stored, with when they last changed.
public struct CouncilSettingsRecord: Sendable {
    public var settings: CouncilSettings
    public var updatedAt: Date
}

/// The council's own rules (`CouncilSettings`): everyone signed in reads them, because cut-offs and caps apply to
/// everyone; officers change them, and every change is one audit event with the changed fields before and after.
public struct CouncilSettingsStore: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Asks the policy whether `actor` changes the settings, before a handler reads a form it would otherwise validate.
    public func authorize(_ actor: Actor) throws(DomainError) {
        try Policy.require(actor, .configureCouncil, on: .council)
    }

    public func current(_ actor: Actor) async throws -> CouncilSettingsRecord {
        try await database.transaction(actingAs: actor.userID) { tx in try await Self.read(in: tx) }
    }

    /// Applies `change` to the settings as they are now (read under a row lock, so two officers' edits never
    /// interleave), checks every rule, and writes and audits only the fields that changed.
    public func update(
        _ actor: Actor, request: RequestInfo, _ change: @Sendable (CouncilSettings) throws(DomainError) -> CouncilSettings
    ) async throws -> CouncilSettingsRecord {
        try authorize(actor)
        return try await database.transaction(actingAs: actor.userID) { tx in
            let before = try await Self.read(in: tx, locking: true)
            let after = try change(before.settings)
            try after.validate()
            let (old, new) = Self.difference(before.settings, after)
            guard !new.isEmpty else { return before }
            let (days, weekday) = Self.columns(after.submissionCutOff)
            try await tx.execute(
                """
                UPDATE council_settings SET la_code = \(after.laCode), cut_off_days_before = \(days), cut_off_weekday_before = \(weekday),
                    request_cap_per_school_per_meeting = \(after.requestCapPerSchoolPerMeeting),
                    individual_threshold_pence = \(after.individualThreshold), longest_funding_terms = \(after.longestFundingTerms),
                    default_reserve_percent = \(after.defaultReservePercent), decision_notice_working_days = \(after.decisionNoticeWorkingDays),
                    second_factor_for_everyone = \(after.secondFactorForEveryone), updated_at = now()
                """
            )
            try await AuditLog.append(
                .init(actor: actor.userID, action: "council_settings.changed", entityType: "council_settings", before: old, after: new),
                request: request, in: tx
            )
            return try await Self.read(in: tx)
        }
    }

    static func read(in tx: Transaction, locking: Bool = false) async throws -> CouncilSettingsRecord {
        let lock: SQL = locking ? "FOR UPDATE" : ""
        let row = try await tx.one(
            """
            SELECT la_code, cut_off_days_before, cut_off_weekday_before, request_cap_per_school_per_meeting, individual_threshold_pence,
                   longest_funding_terms, default_reserve_percent, decision_notice_working_days, second_factor_for_everyone, updated_at
            FROM council_settings \(lock)
            """
        ).decode((String?, Int?, Int?, Int?, Pence, Int, Int, Int, Bool, Date).self)
        let cutOff: SubmissionCutOff = if let weekday = row.2.flatMap(Weekday.init(rawValue:)) {
            .weekdayOfWeekBefore(weekday)
        } else {
            .daysBefore(row.1 ?? SubmissionCutOff.standardDays)
        }
        let settings = CouncilSettings(
            laCode: row.0, submissionCutOff: cutOff, requestCapPerSchoolPerMeeting: row.3, individualThreshold: row.4,
            longestFundingTerms: row.5, defaultReservePercent: row.6, decisionNoticeWorkingDays: row.7, secondFactorForEveryone: row.8)
        return CouncilSettingsRecord(settings: settings, updatedAt: row.9)
    }

    static func columns(_ cutOff: SubmissionCutOff) -> (days: Int?, weekday: Int?) {
        switch cutOff {
        case .daysBefore(let days): (days, nil)
        case .weekdayOfWeekBefore(let weekday): (nil, weekday.rawValue)
        }
    }

    /// The fields that differ, by their API names, as the audit trail records them.
    static func difference(_ before: CouncilSettings, _ after: CouncilSettings) -> (before: [String: String], after: [String: String]) {
        let fields: [(String, (CouncilSettings) -> String)] = [
            ("laCode", { $0.laCode ?? "" }),
            ("submissionCutOff", { $0.submissionCutOff.description }),
            ("requestCapPerSchoolPerMeeting", { $0.requestCapPerSchoolPerMeeting.map(String.init) ?? "none" }),
            ("individualThresholdPence", { String($0.individualThreshold.value) }),
            ("longestFundingTerms", { String($0.longestFundingTerms) }),
            ("defaultReservePercent", { String($0.defaultReservePercent) }),
            ("decisionNoticeWorkingDays", { String($0.decisionNoticeWorkingDays) }),
            ("secondFactorForEveryone", { String($0.secondFactorForEveryone) }),
        ]
        var old: [String: String] = [:]
        var new: [String: String] = [:]
        for (name, value) in fields where value(before) != value(after) {
            old[name] = value(before)
            new[name] = value(after)
        }
        return (old, new)
    }
}
