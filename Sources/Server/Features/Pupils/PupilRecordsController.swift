import Domain
import Foundation
import Hummingbird
import Store

/// The pages beneath a pupil: record consent or its withdrawal (or correct a record), record an EHC needs-assessment
/// referral and the council's decisions on it. Each form comes back with an error summary and the input kept.
struct PupilRecordsController {
    let pages: Pages
    let pupils: PupilStore
    let referrals: ReferralStore
    let audit: AuditStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInPages.get("/pupils/{pupilId}/consents/new", use: newConsent)
        routes.signedInPages.post("/pupils/{pupilId}/consents", use: recordConsent)
        routes.signedInPages.get("/pupils/{pupilId}/referrals/new", use: newReferral)
        routes.signedInPages.post("/pupils/{pupilId}/referrals", use: createReferral)
        routes.signedInPages.get("/pupils/{pupilId}/referrals/{referralId}/edit", use: editReferral)
        routes.signedInPages.post("/pupils/{pupilId}/referrals/{referralId}", use: updateReferral)
        routes.signedInPages.get("/referrals", use: timeliness)
        routes.signedInPages.get("/pupils/{pupilId}/export", use: export)
        routes.signedInPages.get("/pupils/{pupilId}/export.json", use: exportJSON)
    }

    struct FormPage: Sendable {
        var layout: Layout
        var errors: FormErrors
        var heading: String
        /// The caption above the heading: whose record this is.
        var pupilName: String
        var backHref: String
        var backLabel: String
        var action: String
        var intro: String
        var fields: [FormField]
        var hidden: [SelectOption]
        var button: String
    }

    // MARK: Consent

    func consentPage(_ session: Authenticated, pupil: PupilRecordView, form: ConsentBody, errors: FormErrors = FormErrors()) -> FormPage {
        let officerOnly = !session.actor.schools(as: .senco).contains(pupil.schoolID)
        let correcting = !(form.replaces ?? "").isEmpty
        var fields: [FormField] = [
            .select("purpose", "What it covers", choices: ConsentPurpose.allCases.map { ($0.rawValue, $0.label) }, value: form.purpose, errors: errors),
            .select("kind", "Given or withdrawn",
                    hint: officerOnly ? "An officer records a withdrawal; consent given is recorded by the school's SENCo." : nil,
                    choices: ConsentKind.allCases.filter { !officerOnly || $0 == .withdrawn }.map { ($0.rawValue, $0.label) }, value: form.kind, errors: errors),
            .text("givenByName", "Name of the person", value: form.givenByName, errors: errors),
            .select("relationship", "Their relationship to the pupil", choices: ConsentRelationship.allCases.map { ($0.rawValue, $0.label) },
                    value: form.relationship, errors: errors),
            .date("givenOn", "Date given or withdrawn", value: form.givenOn, errors: errors),
            .select("method", "How", choices: ConsentMethod.allCases.map { ($0.rawValue, $0.label) }, value: form.method, errors: errors),
            .text("evidenceReference", "Where the evidence is kept",
                  hint: "For example the signed form's reference, or the date and subject of the email.", value: form.evidenceReference, errors: errors),
        ]
        if correcting {
            fields.append(.text("correctionReason", "What was wrong with the record this corrects", value: form.correctionReason, errors: errors))
        }
        let name = "\(pupil.givenNames) \(pupil.familyName)"
        return FormPage(
            layout: Layout(title: correcting ? "Correct a consent record" : "Record consent", path: "/pupils", session: session), errors: errors,
            heading: correcting ? "Correct a consent record" : "Record consent or its withdrawal", pupilName: name, backHref: "/pupils/\(pupil.id)",
            backLabel: "Back to the pupil",
            action: "/pupils/\(pupil.id)/consents",
            intro: correcting
                ? "A correction is a new record that replaces the old one; both stay in the history."
                : "Nothing is edited or deleted: a withdrawal is a new record, and takes effect as soon as it is saved.",
            fields: fields, hidden: correcting ? [SelectOption(value: form.replaces ?? "", label: "replaces", selected: false)] : [],
            button: "Save the record")
    }

    @Sendable func newConsent(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try PupilRules.requireReader(session.actor)
        let pupil = try await pupils.pupil(session.actor, try PupilsAPIController.pupilID(context), view: "page.consent_form", request: context.requestInfo(request))
        let query = request.uri.queryParameters
        var form = ConsentBody()
        form.kind = query["kind"].map(String.init) ?? (session.actor.schools(as: .senco).contains(pupil.schoolID) ? "given" : "withdrawn")
        try ConsentRules.requireRecorder(session.actor, school: pupil.schoolID, kind: ConsentKind(rawValue: form.kind ?? "") ?? .withdrawn)
        form.purpose = query["purpose"].map(String.init)
        if let replaces = query["replaces"].map(String.init), let record = pupil.consents.first(where: { $0.id.description == replaces }) {
            let body = ConsentEntryForm(record.entry)
            form = body.form
            form.replaces = replaces
        }
        return try pages.render("record-form", consentPage(session, pupil: pupil, form: form))
    }

    @Sendable func recordConsent(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try PupilRules.requireReader(session.actor)
        let id = try PupilsAPIController.pupilID(context)
        let form = try await URLEncodedFormDecoder().decode(ConsentBody.self, from: request, context: context)
        do {
            _ = try await pupils.recordConsent(session.actor, pupil: id, entry: try form.entry(typedDates: true), request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/pupils/\(id)#consent")
        } catch let error as DomainError {
            if case .forbidden = error { throw error }
            if error.isNotFound { throw error }
            let pupil = try await pupils.pupil(session.actor, id, view: "page.consent_form", request: context.requestInfo(request))
            return try pages.render("record-form", consentPage(session, pupil: pupil, form: form, errors: FormErrors(error)), status: .unprocessableContent)
        }
    }

    // MARK: Referrals

    func referralPage(_ session: Authenticated, pupil: PupilRecordView, referral: ID<Referral>?, form: ReferralBody,
                      errors: FormErrors = FormErrors()) -> FormPage {
        let officer = session.actor.isOfficer
        var fields: [FormField] = [
            .select("requestedBy", "Who asked for the assessment",
                    choices: ReferralRequester.allCases.filter { officer || $0 == .school }.map { ($0.rawValue, $0.label) }, value: form.requestedBy,
                    errors: errors),
            .date("receivedOn", "Date the council received the request", value: form.receivedOn, errors: errors),
        ]
        if officer {
            fields += [
                .select("decision", "Decision whether to assess", choices: [("assess", "Assess"), ("not_assess", "Not assess")], value: form.decision,
                        any: "Not decided yet", errors: errors),
                .date("decidedOn", "Date of the decision (due within 6 weeks)", value: form.decidedOn, errors: errors),
                .date("noPlanNoticeOn", "Notice that no plan will be issued (due within 16 weeks)", value: form.noPlanNoticeOn, errors: errors),
                .date("draftPlanOn", "Draft plan sent", value: form.draftPlanOn, errors: errors),
                .date("finalPlanOn", "Final plan issued (due within 20 weeks)", value: form.finalPlanOn, errors: errors),
                .select("outcome", "Outcome", choices: [("plan_issued", "Plan issued"), ("plan_not_issued", "Plan not issued"), ("withdrawn", "Request withdrawn")],
                        value: form.outcome, any: "Not yet", errors: errors),
                .date("outcomeOn", "Date of the outcome", value: form.outcomeOn, errors: errors),
                .date("appealOn", "Appeal to the tribunal lodged", value: form.appealOn, errors: errors),
            ]
        }
        let heading = referral == nil ? "Record an EHC needs assessment request" : "Record the council's decisions"
        return FormPage(
            layout: Layout(title: heading, path: "/pupils", session: session), errors: errors, heading: heading,
            pupilName: "\(pupil.givenNames) \(pupil.familyName)", backHref: "/pupils/\(pupil.id)", backLabel: "Back to the pupil",
            action: referral.map { "/pupils/\(pupil.id)/referrals/\($0)" } ?? "/pupils/\(pupil.id)/referrals",
            intro: officer ? "Dates are calendar dates; leave empty what has not happened yet. Deadlines count from the date received."
                : "Record a request the school made. A council officer records the council's decisions and dates. Nothing here waits for cluster funding.",
            fields: fields, hidden: [], button: "Save the referral")
    }

    @Sendable func newReferral(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try PupilRules.requireReader(session.actor)
        let pupil = try await pupils.pupil(session.actor, try PupilsAPIController.pupilID(context), view: "page.referral_form", request: context.requestInfo(request))
        try ReferralRules.requireRecorder(session.actor, school: pupil.schoolID, requestedBy: .school)
        var form = ReferralBody()
        form.requestedBy = "school"
        return try pages.render("record-form", referralPage(session, pupil: pupil, referral: nil, form: form))
    }

    @Sendable func createReferral(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try PupilRules.requireReader(session.actor)
        let id = try PupilsAPIController.pupilID(context)
        let form = try await URLEncodedFormDecoder().decode(ReferralBody.self, from: request, context: context)
        do {
            _ = try await referrals.create(session.actor, pupil: id, entry: try form.entry(typedDates: true), request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/pupils/\(id)#referrals")
        } catch let error as DomainError {
            if case .forbidden = error { throw error }
            if error.isNotFound { throw error }
            let pupil = try await pupils.pupil(session.actor, id, view: "page.referral_form", request: context.requestInfo(request))
            return try pages.render("record-form", referralPage(session, pupil: pupil, referral: nil, form: form, errors: FormErrors(error)),
                                    status: .unprocessableContent)
        }
    }

    @Sendable func editReferral(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try PupilRules.requireReader(session.actor)
        let pupil = try await pupils.pupil(session.actor, try PupilsAPIController.pupilID(context), view: "page.referral_form", request: context.requestInfo(request))
        let id = try PupilRecordsAPIController.referralID(context)
        guard let referral = pupil.referrals.first(where: { $0.id == id }) else { throw DomainError.notFound("There is no such referral.") }
        try ReferralRules.requireDecider(session.actor)
        return try pages.render("record-form", referralPage(session, pupil: pupil, referral: id, form: ReferralBody(referral.entry)))
    }

    @Sendable func updateReferral(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try PupilRules.requireReader(session.actor)
        let pupilID = try PupilsAPIController.pupilID(context)
        let id = try PupilRecordsAPIController.referralID(context)
        let form = try await URLEncodedFormDecoder().decode(ReferralBody.self, from: request, context: context)
        do {
            try await referrals.update(session.actor, pupil: pupilID, id, entry: try form.entry(typedDates: true), request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/pupils/\(pupilID)#referrals")
        } catch let error as DomainError {
            if case .forbidden = error { throw error }
            if error.isNotFound { throw error }
            let pupil = try await pupils.pupil(session.actor, pupilID, view: "page.referral_form", request: context.requestInfo(request))
            return try pages.render("record-form", referralPage(session, pupil: pupil, referral: id, form: form, errors: FormErrors(error)),
                                    status: .unprocessableContent)
        }
    }
}

/// A stored record's fields as the consent form shows them, to start a correction from.
struct ConsentEntryForm {
    var form = ConsentBody()

    init(_ entry: ConsentEntry) {
        form.purpose = entry.purpose.rawValue
        form.kind = entry.kind.rawValue
        form.givenByName = entry.givenByName
        form.relationship = entry.relationship.rawValue
        form.givenOn = entry.givenOn.iso
        form.method = entry.method.rawValue
        form.evidenceReference = entry.evidenceReference
    }
}
