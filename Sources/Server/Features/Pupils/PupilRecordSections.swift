import Domain
import Foundation
import Store

/// The pupil page's consent section: what is in force for each purpose, and the history for those who may read it.
struct PupilConsentSection: Sendable {
    struct Purpose: Sendable {
        var label: String
        var state: String
    }

    struct Row: Sendable {
        var id: String
        var date: String
        var purpose: String
        var kind: String
        var by: String
        var how: String
        var recorded: String
        var note: String
        var canCorrect: Bool
    }

    var purposes: [Purpose]
    var showsHistory: Bool
    var rows: [Row]
    var hasRows: Bool
    var canRecord: Bool
    var recordLabel: String
    var pupilID: String

    init(_ pupil: PupilRecordView, actor: Actor) {
        let isSenco = actor.schools(as: .senco).contains(pupil.schoolID)
        purposes = ConsentPurpose.allCases.map { purpose in
            let record = ConsentRules.inForce(pupil.consents, purpose: purpose)
            let state = if pupil.consentInForce.contains(purpose) {
                "Given" + (record.map { " on \(MeetingController.longDate($0.entry.givenOn))" } ?? "")
            } else if let record, record.entry.kind == .withdrawn {
                "Withdrawn on \(MeetingController.longDate(record.entry.givenOn))"
            } else { "Not given" }
            return Purpose(label: purpose.label, state: state)
        }
        showsHistory = ConsentRules.canReadHistory(actor, school: pupil.schoolID)
        let replaced = Set(pupil.consents.compactMap(\.entry.replaces))
        rows = pupil.consents.reversed().map { record in
            let e = record.entry
            var notes: [String] = []
            if let reason = e.correctionReason { notes.append("Corrects an earlier record: \(reason)") }
            if replaced.contains(record.id) { notes.append("Replaced by a correction") }
            return Row(id: record.id.description, date: MeetingController.longDate(e.givenOn), purpose: e.purpose.label, kind: e.kind.label,
                       by: "\(e.givenByName) (\(e.relationship.label.lowercased()))", how: "\(e.method.label): \(e.evidenceReference)",
                       recorded: record.recordedByName, note: notes.joined(separator: ". "), canCorrect: isSenco && record.replacedBy == nil)
        }
        hasRows = !rows.isEmpty
        canRecord = isSenco || actor.isOfficer
        recordLabel = isSenco ? "Record consent or its withdrawal" : "Record a withdrawal of consent"
        pupilID = pupil.id.description
    }
}

/// The pupil page's referrals section, with each deadline's standing.
struct PupilReferralSection: Sendable {
    struct Row: Sendable {
        var id: String
        var received: String
        var requestedBy: String
        var decision: String
        var plan: String
        var outcome: String
        var appeal: String
    }

    var rows: [Row]
    var hasRows: Bool
    var canRecord: Bool
    var canDecide: Bool
    var pupilID: String

    init(_ pupil: PupilRecordView, actor: Actor, today: CalendarDate) {
        rows = pupil.referrals.map { referral in
            let t = referral.entry.timeline
            let plan = t.outcome == .planNotIssued ? t.noPlanNoticeDeadline(today: today) : t.finalPlanDeadline(today: today)
            let decided = t.decision.map { $0 == .assess ? "Assess" : "Not assess" }
            return Row(id: referral.id.description, received: MeetingController.longDate(t.receivedOn), requestedBy: referral.entry.requestedBy.label,
                       decision: (decided.map { $0 + ". " } ?? "") + PupilRecordsController.label(t.decisionDeadline(today: today)),
                       plan: PupilRecordsController.label(plan), outcome: t.outcome.map(PupilRecordsController.outcomeLabel) ?? "Open",
                       appeal: referral.entry.appealOn.map(MeetingController.longDate) ?? "None")
        }
        hasRows = !rows.isEmpty
        canRecord = actor.isOfficer || actor.schools(as: .senco).contains(pupil.schoolID)
        canDecide = actor.isOfficer
        pupilID = pupil.id.description
    }
}
