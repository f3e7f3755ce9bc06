import Domain
import Foundation
import Hummingbird
import Store

/// The pupils pages: a school's SENCo and headteacher see their school's pupils (officers all, by school), the SENCo
/// adds and changes them. Every page that shows a pupil writes a read event, through the store.
struct PupilsController {
    let pages: Pages
    let pupils: PupilStore
    let structure: StructureStore
    let advice: AdviceStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInPages.get("/pupils", use: list)
        routes.signedInPages.get("/pupils/new", use: newPupil)
        routes.signedInPages.post("/pupils", use: create)
        routes.signedInPages.get("/pupils/{pupilId}", use: show)
        routes.signedInPages.get("/pupils/{pupilId}/edit", use: edit)
        routes.signedInPages.post("/pupils/{pupilId}", use: update)
    }

    struct Row: Sendable {
        var id: String
        var name: String
        var upn: String
        var yearGroup: String
        var school: String
        var senStatus: String
    }

    struct ListPage: Sendable {
        var layout: Layout
        var errors = FormErrors()
        var q: String
        var schools: [SelectOption]
        var showsSchools: Bool
        var canAdd: Bool
        var rows: [Row]
        var hasRows: Bool
        var pagination: Pagination?
    }

    @Sendable func list(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try PupilRules.requireReader(session.actor)
        let q = request.uri.queryParameters["q"].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        let schoolText = request.uri.queryParameters["schoolId"].map(String.init) ?? ""
        let school = ID<School>(schoolText)
        // A search longer than any name or UPN is refused, not cut short silently (the list then shows nothing).
        let tooLong = q.count > 100
        let found = tooLong ? Page<PupilRecordView>.empty
            : try await pupils.list(session.actor, filter: PupilFilter(schoolID: school, search: q.isEmpty ? nil : q),
                                    page: request.uri.queryParameters["page"].flatMap { Int(String($0)) }, view: "page.list",
                                    request: context.requestInfo(request))
        let schools = session.actor.isOfficer ? try await structure.schools(session.actor).map { ($0.id.description, $0.name) } : []
        let page = ListPage(
            layout: Layout(title: "Pupils", path: "/pupils", session: session),
            errors: tooLong ? FormErrors([.init(pointer: "/q", detail: "Search by at most 100 characters of a name, or a UPN.")]) : FormErrors(), q: q,
            schools: SelectOption.list(schools, chosen: schoolText, any: "Every school"), showsSchools: session.actor.isOfficer,
            canAdd: !session.actor.schools(as: .senco).isEmpty,
            rows: found.items.map { Row(id: $0.id.description, name: "\($0.familyName), \($0.givenNames)", upn: $0.upn, yearGroup: $0.yearGroup.description,
                                        school: $0.schoolName, senStatus: $0.senStatus.label) },
            hasRows: !found.items.isEmpty,
            pagination: Pagination(found, path: "/pupils", query: (q.isEmpty ? "" : "q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&")
                + (school.map { "schoolId=\($0)&" } ?? "")))
        return try pages.render("pupils", page, status: tooLong ? .unprocessableContent : .ok)
    }

    // MARK: One pupil

    struct RecordPage: Sendable {
        struct Enrolment: Sendable {
            var school: String
            var from: String
            var to: String
        }

        var layout: Layout
        var id: String
        var name: String
        var upn: String
        var dateOfBirth: String
        var yearGroup: String
        var school: String
        var needs: String
        var senStatus: String
        var lookedAfter: String
        var homeLACode: String
        var outOfCohortReason: String?
        var enrolments: [Enrolment]
        var canChange: Bool
        var consent: PupilConsentSection
        var referrals: PupilReferralSection
        var canExport: Bool
        var advice: [RequestPageModel.Advice]
        var hasAdvice: Bool
        var canAdvise: Bool
    }

    @Sendable func show(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try PupilRules.requireReader(session.actor)
        let pupil = try await pupils.pupil(session.actor, try PupilsAPIController.pupilID(context), view: "page.record", request: context.requestInfo(request))
        let advice = try await self.advice.advice(session.actor, on: .pupil(pupil.id)).map(RequestPageModel.Advice.init)
        let page = RecordPage(
            layout: Layout(title: "\(pupil.givenNames) \(pupil.familyName)", path: "/pupils", session: session), id: pupil.id.description,
            name: "\(pupil.givenNames) \(pupil.familyName)", upn: pupil.upn, dateOfBirth: MeetingController.longDate(pupil.dateOfBirth),
            yearGroup: pupil.yearGroup.description, school: pupil.schoolName,
            needs: pupil.needs.isEmpty ? "None recorded" : pupil.needs.map { "\($0.label) (\($0.area))" }.joined(separator: "; "),
            senStatus: pupil.senStatus.label, lookedAfter: pupil.lookedAfter ? "Yes" : "No", homeLACode: pupil.homeLACode ?? "This council",
            outOfCohortReason: pupil.outOfCohortReason,
            enrolments: pupil.enrolments.map { .init(school: $0.schoolName, from: MeetingController.longDate($0.fromOn), to: $0.toOn.map(MeetingController.longDate) ?? "Now") },
            canChange: session.actor.schools(as: .senco).contains(pupil.schoolID),
            consent: PupilConsentSection(pupil, actor: session.actor), referrals: PupilReferralSection(pupil, actor: session.actor, today: pupils.today()),
            canExport: session.actor.isOfficer, advice: advice, hasAdvice: !advice.isEmpty,
            canAdvise: session.actor.roles.contains(.educationalPsychologist))
        return try pages.render("pupil", page)
    }

    // MARK: Add and change

    /// The record's pointers, renamed to the page's fields (`/needs` is the two need lists).
    static func onPage(_ error: DomainError) -> DomainError {
        guard case .validation(let issues) = error else { return error }
        return .validation(issues.map { $0.pointer == "/needs" ? .init(pointer: "/secondaryNeed", detail: $0.detail) : $0 })
    }

    struct FormPage: Sendable {
        var layout: Layout
        var errors: FormErrors
        var heading: String
        var action: String
        var isNew: Bool
        var form: PupilPageForm
        var schools: [SelectOption]
        var yearGroups: [SelectOption]
        var primaryNeeds: [SelectOption]
        var secondaryNeeds: [SelectOption]
        var statuses: [SelectOption]
        var lookedAfter: Bool
    }

    func formPage(_ session: Authenticated, form: PupilPageForm, pupilID: ID<Pupil>?, errors: FormErrors = FormErrors()) async throws -> FormPage {
        let own = session.actor.schools(as: .senco)
        let schools = try await structure.schools(session.actor).filter { own.contains($0.id) }.map { ($0.id.description, $0.name) }
        let needs = NeedType.allCases.map { ($0.rawValue, "\($0.label) (\($0.rawValue))") }
        return FormPage(
            layout: Layout(title: pupilID == nil ? "Add a pupil" : "Change the pupil's record", path: "/pupils", session: session), errors: errors,
            heading: pupilID == nil ? "Add a pupil" : "Change the pupil's record", action: pupilID.map { "/pupils/\($0)" } ?? "/pupils",
            isNew: pupilID == nil, form: form,
            schools: SelectOption.list(schools, chosen: form.schoolId ?? schools.first?.0),
            yearGroups: SelectOption.list(YearGroup.all.map { (String($0.number), $0.description) }, chosen: form.yearGroup, any: "Choose a year group"),
            primaryNeeds: SelectOption.list(needs, chosen: form.primaryNeed, any: "None recorded"),
            secondaryNeeds: SelectOption.list(needs, chosen: form.secondaryNeed, any: "None"),
            statuses: SelectOption.list(SENStatus.allCases.map { ($0.rawValue, $0.label) }, chosen: form.senStatus ?? SENStatus.senSupport.rawValue),
            lookedAfter: form.lookedAfter == "true")
    }

    @Sendable func newPupil(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try PupilRules.requireEditorSomewhere(session.actor)
        return try pages.render("pupil-form", try await formPage(session, form: PupilPageForm(), pupilID: nil))
    }

    @Sendable func create(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try PupilRules.requireReader(session.actor)
        let form = try await URLEncodedFormDecoder().decode(PupilPageForm.self, from: request, context: context)
        do {
            let id = try await pupils.create(session.actor, school: try form.school(), details: try form.details(), request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/pupils/\(id)")
        } catch let error as DomainError {
            if case .forbidden = error { throw error }
            let page = try await formPage(session, form: form, pupilID: nil, errors: FormErrors(Self.onPage(error)))
            return try pages.render("pupil-form", page, status: .unprocessableContent)
        }
    }

    @Sendable func edit(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try PupilRules.requireReader(session.actor)
        let pupil = try await pupils.pupil(session.actor, try PupilsAPIController.pupilID(context), view: "page.edit", request: context.requestInfo(request))
        try PupilRules.requireEditor(session.actor, school: pupil.schoolID)
        return try pages.render("pupil-form", try await formPage(session, form: PupilPageForm(pupil), pupilID: pupil.id))
    }

    @Sendable func update(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        try PupilRules.requireReader(session.actor)
        let id = try PupilsAPIController.pupilID(context)
        var form = try await URLEncodedFormDecoder().decode(PupilPageForm.self, from: request, context: context)
        do {
            var details = try form.details(upnRequired: false)
            details.upn = ""
            try await pupils.update(session.actor, id, details: details, request: context.requestInfo(request))
            return HTMLResponses.redirect(to: "/pupils/\(id)")
        } catch let error as DomainError {
            if case .forbidden = error { throw error }
            if error.isNotFound { throw error }
            form.upn = nil
            let page = try await formPage(session, form: form, pupilID: id, errors: FormErrors(Self.onPage(error)))
            return try pages.render("pupil-form", page, status: .unprocessableContent)
        }
    }
}

/// The pupil form, as typed.
struct PupilPageForm: Decodable, Sendable {
    var schoolId: String?
    var givenNames: String?
    var familyName: String?
    var dateOfBirth: String?
    var upn: String?
    var yearGroup: String?
    var primaryNeed: String?
    var secondaryNeed: String?
    var senStatus: String?
    var lookedAfter: String?
    var homeLACode: String?
    var outOfCohortReason: String?

    init() {}

    init(_ pupil: PupilRecordView) {
        givenNames = pupil.givenNames
        familyName = pupil.familyName
        dateOfBirth = pupil.dateOfBirth.iso
        yearGroup = String(pupil.yearGroup.number)
        primaryNeed = pupil.needs.first?.rawValue
        secondaryNeed = pupil.needs.dropFirst().first?.rawValue
        senStatus = pupil.senStatus.rawValue
        lookedAfter = String(pupil.lookedAfter)
        homeLACode = pupil.homeLACode
        outOfCohortReason = pupil.outOfCohortReason
    }

    func school() throws(DomainError) -> ID<School> {
        guard let id = schoolId.flatMap(ID<School>.init) else { throw .validation([.init(pointer: "/schoolId", detail: "Choose the pupil's school.")]) }
        return id
    }

    /// Problems in the order of the form's fields.
    static func order(_ pointer: String) -> Int {
        ["/schoolId", "/upn", "/givenNames", "/familyName", "/dateOfBirth", "/yearGroup", "/outOfCohortReason", "/primaryNeed", "/secondaryNeed",
         "/senStatus", "/homeLACode"].firstIndex(of: pointer) ?? 99
    }

    /// - Parameter upnRequired: false when changing a record, whose UPN is fixed.
    func details(upnRequired: Bool = true) throws(DomainError) -> PupilDetails {
        var issues: [DomainError.FieldIssue] = []
        let born = CalendarDate(typed: dateOfBirth ?? "")
        if born == nil { issues.append(.init(pointer: "/dateOfBirth", detail: "Enter the date of birth as day, month and year, like 15/10/2018.")) }
        let group = Int((yearGroup ?? "").trimmingCharacters(in: .whitespaces))
        if group == nil { issues.append(.init(pointer: "/yearGroup", detail: "Choose a year group from nursery to year 14.")) }
        let status = SENStatus(rawValue: senStatus ?? "")
        if status == nil { issues.append(.init(pointer: "/senStatus", detail: "Choose the pupil's SEN status.")) }
        var needs: [NeedType] = []
        for (pointer, text) in [("/primaryNeed", primaryNeed), ("/secondaryNeed", secondaryNeed)] {
            guard let text, !text.isEmpty else { continue }
            if let need = NeedType(rawValue: text) { needs.append(need) } else { issues.append(.init(pointer: pointer, detail: "Choose a type of need from the list.")) }
        }
        if needs.isEmpty, !(secondaryNeed ?? "").isEmpty { issues.append(.init(pointer: "/primaryNeed", detail: "Choose the primary need first.")) }
        guard issues.isEmpty, let born, let group, let status else {
            let text = PupilDetails.textIssues(givenNames: givenNames ?? "", familyName: familyName ?? "", upn: upnRequired ? (upn ?? "") : nil)
            throw .validation((text + issues).sorted { Self.order($0.pointer) < Self.order($1.pointer) })
        }
        return PupilDetails(givenNames: givenNames ?? "", familyName: familyName ?? "", dateOfBirth: born, upn: upnRequired ? (upn ?? "") : "",
                            yearGroup: group, needs: needs, senStatus: status, lookedAfter: lookedAfter == "true",
                            homeLACode: homeLACode, outOfCohortReason: outOfCohortReason)
    }
}
