import Domain
import Foundation
import Hummingbird
import Store

/// The officers' pages over pupils' records: the referral timeliness list and the subject access export.
extension PupilRecordsController {
    struct TimelinessPage: Sendable {
        struct Row: Sendable {
            var pupilID: String
            var pupil: String
            var school: String
            var received: String
            var decision: String
            var plan: String
            var outcome: String
            var standing: String
            var isMissed: Bool
        }

        var layout: Layout
        var errors: FormErrors
        var years: [SelectOption]
        var standings: [SelectOption]
        var summary: String
        var rows: [Row]
        var hasRows: Bool
        var pagination: Pagination?
    }

    static func label(_ deadline: ReferralTimeline.Deadline) -> String {
        let due = MeetingController.longDate(deadline.due)
        return switch deadline.standing {
        case .met: "Met (due \(due))"
        case .missed: "Missed (due \(due))"
        case .pending: "Due \(due)"
        case .notApplicable: "Not applicable"
        }
    }

    @Sendable func timeliness(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try ReferralRules.requireDecider(session.actor)
        let today = referrals.today()
        let current = AcademicYear.holding(today)
        let yearText = request.uri.queryParameters["academicYear"].map(String.init) ?? ""
        let standingText = request.uri.queryParameters["standing"].map(String.init) ?? ""
        var issues: [DomainError.FieldIssue] = []
        let chosenYear = yearText.isEmpty ? nil : Int(yearText).flatMap { (2000...2100).contains($0) ? $0 : nil }
        if !yearText.isEmpty, chosenYear == nil { issues.append(.init(pointer: "/academicYear", detail: "Choose an academic year from the list.")) }
        let standing = ReferralTimeline.Standing(rawValue: standingText).flatMap { $0 == .notApplicable ? nil : $0 }
        if !standingText.isEmpty, standing == nil { issues.append(.init(pointer: "/standing", detail: "Choose met, missed or pending.")) }
        let year = chosenYear.map(AcademicYear.init)
        let found = try await referrals.timeliness(session.actor, year: year, standing: standing,
                                                   page: request.uri.queryParameters["page"].flatMap { Int(String($0)) }, request: context.requestInfo(request))
        let years = (0..<5).map { current.startYear - $0 }.map { (String($0), AcademicYear($0).description) }
        let counts = found.counts
        let page = TimelinessPage(
            layout: Layout(title: "EHC needs assessment timeliness", path: "/referrals", session: session), errors: FormErrors(issues),
            years: SelectOption.list(years, chosen: year.map { String($0.startYear) }, any: "The last twelve months"),
            standings: SelectOption.list([("missed", "A deadline missed"), ("pending", "Deadlines still open"), ("met", "Every deadline met")],
                                         chosen: standingText, any: "Every referral"),
            summary: "\(counts[.missed] ?? 0) with a deadline missed, \(counts[.pending] ?? 0) still open, \(counts[.met] ?? 0) with every deadline met.",
            rows: found.page.items.map { row in
                let t = row.referral.entry.timeline
                let planDeadline = t.outcome == .planNotIssued ? t.noPlanNoticeDeadline(today: today) : t.finalPlanDeadline(today: today)
                return .init(pupilID: row.referral.pupilID.description, pupil: row.pupilName, school: row.referral.schoolName,
                             received: MeetingController.longDate(t.receivedOn), decision: Self.label(t.decisionDeadline(today: today)),
                             plan: Self.label(planDeadline), outcome: t.outcome.map(Self.outcomeLabel) ?? "Open",
                             standing: Self.standingLabel(row.standing), isMissed: row.standing == .missed)
            },
            hasRows: !found.page.items.isEmpty,
            pagination: Pagination(found.page, path: "/referrals", query: (year.map { "academicYear=\($0.startYear)&" } ?? "") + (standing.map { "standing=\($0.rawValue)&" } ?? "")))
        return try pages.render("referrals", page, status: issues.isEmpty ? .ok : .unprocessableContent)
    }

    static func outcomeLabel(_ outcome: ReferralTimeline.Outcome) -> String {
        switch outcome {
        case .planIssued: "Plan issued"
        case .planNotIssued: "Plan not issued"
        case .withdrawn: "Request withdrawn"
        }
    }

    static func standingLabel(_ standing: ReferralTimeline.Standing) -> String {
        switch standing {
        case .met: "Met"
        case .missed: "Missed"
        case .pending: "Open"
        case .notApplicable: "Closed"
        }
    }

    // MARK: Subject access export

    struct ExportPage: Sendable {
        struct Event: Sendable {
            var when: String
            var who: String
            var action: String
            var detail: String
        }

        var layout: Layout
        var id: String
        var name: String
        var record: [SelectOption]
        var enrolments: [SelectOption]
        var consents: [String]
        var referrals: [String]
        var events: [Event]
        var exportedAt: String
    }

    @Sendable func export(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try PupilRecordsAPIController.requireExporter(session.actor)
        let today = referrals.today()
        let found = try await PupilRecordsAPIController.gather(session.actor, try PupilsAPIController.pupilID(context), view: "page.export", pupils: pupils,
                                                               audit: audit, today: today, request: context.requestInfo(request))
        let p = found.pupil
        let stamp = ISO8601DateFormatter()
        let page = ExportPage(
            layout: Layout(title: "Everything held on \(p.givenNames) \(p.familyName)", path: "/pupils", session: session), id: p.id,
            name: "\(p.givenNames) \(p.familyName)",
            record: [("Given names", p.givenNames), ("Family name", p.familyName), ("Date of birth", p.dateOfBirth), ("UPN", p.upn),
                     ("Year group", p.yearGroupName), ("School", p.schoolName), ("Types of need", p.needs.joined(separator: ", ")),
                     ("SEN status", p.senStatus), ("Looked after", p.lookedAfter ? "Yes" : "No"), ("Home council", p.homeLACode ?? "This council"),
                     ("Out of year group", p.outOfCohortReason ?? "No"), ("Consent in force for", p.consentInForce.joined(separator: ", "))]
                .map { SelectOption(value: $0.1, label: $0.0, selected: false) },
            enrolments: p.enrolments.map { SelectOption(value: "\($0.fromOn) to \($0.toOn ?? "now")", label: $0.schoolName, selected: false) },
            consents: p.consents.map { c in
                "\(c.givenOn): \(c.purpose) \(c.kind) by \(c.givenByName) (\(c.relationship), \(c.method), evidence: \(c.evidenceReference)); recorded by "
                    + "\(c.recordedBy)" + (c.replaces.map { "; corrects \($0): \(c.correctionReason ?? "")" } ?? "") + (c.replacedBy.map { "; replaced by \($0)" } ?? "")
            },
            referrals: p.referrals.map { r in
                "Received \(r.receivedOn) (asked by \(r.requestedBy)); decision \(r.decision ?? "none") \(r.decidedOn ?? ""); draft plan \(r.draftPlanOn ?? "none"); "
                    + "final plan \(r.finalPlanOn ?? "none"); no-plan notice \(r.noPlanNoticeOn ?? "none"); outcome \(r.outcome ?? "open") \(r.outcomeOn ?? ""); "
                    + "appeal \(r.appealOn ?? "none")"
            },
            events: found.auditTrail.map { e in
                .init(when: stamp.string(from: e.occurredAt), who: e.actorName ?? "The system", action: e.action,
                      detail: (e.after ?? [:]).sorted { $0.key < $1.key }.filter { $0.key != "pupilIds" }.map { "\($0.key): \($0.value)" }.joined(separator: "; "))
            },
            exportedAt: stamp.string(from: found.exportedAt))
        return try pages.render("pupil-export", page)
    }

    @Sendable func exportJSON(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try PupilRecordsAPIController.requireExporter(session.actor)
        let id = try PupilsAPIController.pupilID(context)
        let found = try await PupilRecordsAPIController.gather(session.actor, id, view: "page.export_json", pupils: pupils, audit: audit,
                                                               today: referrals.today(), request: context.requestInfo(request))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"pupil-\(id).json\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(found))))
    }
}
