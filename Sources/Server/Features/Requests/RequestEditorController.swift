import Domain
import Foundation
import Hummingbird
import Store

/// The request editor: one thing per page, each page saved as it is left, so nothing typed is lost; the request page
/// is the "check your answers" at the end, where submission lists every problem at once, each linking to its step.
struct RequestEditorController {
    let pages: Pages
    let requests: RequestStore
    let pupils: PupilStore
    let structure: StructureStore
    let settings: CouncilSettingsStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInPages.get("/requests/{requestId}/edit/{step}", use: show)
        routes.signedInPages.post("/requests/{requestId}/edit/{step}", use: save)
    }

    struct Choice: Sendable {
        var id: String
        var value: String
        var label: String
        var checked: Bool
    }

    struct Group: Sendable {
        var legend: String
        var fields: [FormField]
        var removeName: String?
    }

    struct StepPage: Sendable {
        var layout: Layout
        var errors: FormErrors
        var id: String
        var caption: String
        var heading: String
        var intro: String
        var progress: String
        var action: String
        var fields: [FormField]
        var choicesLegend: String?
        var choicesName: String
        var choices: [Choice]
        var choicesError: String?
        var searchQuery: String
        /// The pupils step: a search above the list.
        var searches: Bool
        var groups: [Group]
        var addsRows: Bool
        var lastStep: Bool
    }

    func step(_ context: SignedInContext, _ view: RequestView) throws -> RequestStep {
        guard let step = context.parameters.get("step").flatMap(RequestStep.init(rawValue:)), RequestStep.steps(for: view.type).contains(step) else {
            throw DomainError.notFound("There is no such step for this type of request.")
        }
        return step
    }

    /// The school whose pupils the actor names: the lead school for its SENCo, otherwise their partner school.
    func namingSchool(_ actor: Actor, _ view: RequestView) -> ID<School>? {
        let own = actor.schools(as: .senco)
        if own.contains(view.leadSchoolID) { return view.leadSchoolID }
        return view.partners.first { own.contains($0.schoolID) }?.schoolID
    }

    func requireEditor(_ actor: Actor, _ view: RequestView, step: RequestStep) throws {
        let may = step == .pupils ? namingSchool(actor, view) != nil : actor.schools(as: .senco).contains(view.leadSchoolID)
        guard may else { throw DomainError.forbidden("Only the lead school's SENCo changes the request; a partner's SENCo names its own pupils.") }
        guard view.state == .draft else { throw DomainError.invalidTransition("Only a draft is changed; this request is \(RequestWords.state(view.state).lowercased()).") }
    }

    @Sendable func show(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        let view = try await requests.request(session.actor, try RequestsAPIController.requestID(context), request: context.requestInfo(request))
        let step = try step(context, view)
        try requireEditor(session.actor, view, step: step)
        let q = request.uri.queryParameters["q"].map(String.init)
        return try pages.render("request-step", try await page(session, view, step: step, typed: nil, search: q, errors: FormErrors(), info: context.requestInfo(request)))
    }

    @Sendable func save(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        let id = try RequestsAPIController.requestID(context)
        let view = try await requests.request(session.actor, id, request: context.requestInfo(request))
        let step = try step(context, view)
        try requireEditor(session.actor, view, step: step)
        let form = try await FormValues.read(request, context: context)
        do {
            if step == .pupils {
                guard let school = namingSchool(session.actor, view) else { throw DomainError.forbidden("Only a school on the request names pupils.") }
                let ids = form.all("pupilIds").compactMap(ID<Pupil>.init)
                try await requests.setPupils(session.actor, id, school: school, pupils: ids, request: context.requestInfo(request))
            } else {
                var draft = view.draft
                var partners: [ID<School>]?
                try RequestStepForm.apply(step, form: form, to: &draft, partners: &partners)
                try await requests.save(session.actor, id, draft: draft, partners: partners, request: context.requestInfo(request))
            }
        } catch let error as DomainError {
            if case .forbidden = error { throw error }
            if error.isNotFound { throw error }
            let page = try await page(session, view, step: step, typed: form, search: nil, errors: FormErrors(RequestStepForm.onPage(error)),
                                      info: context.requestInfo(request))
            return try pages.render("request-step", page, status: .unprocessableContent)
        }
        let steps = RequestStep.steps(for: view.type)
        if form["next"] == "more" { return HTMLResponses.redirect(to: "/requests/\(id)/edit/\(step.rawValue)") }
        guard let index = steps.firstIndex(of: step), index + 1 < steps.count, step != .pupils || session.actor.schools(as: .senco).contains(view.leadSchoolID) else {
            return HTMLResponses.redirect(to: "/requests/\(id)")
        }
        return HTMLResponses.redirect(to: "/requests/\(id)/edit/\(steps[index + 1].rawValue)")
    }

    func page(_ session: Authenticated, _ view: RequestView, step: RequestStep, typed: FormValues?, search: String?, errors: FormErrors,
              info: RequestInfo) async throws -> StepPage {
        let steps = RequestStep.steps(for: view.type)
        let number = (steps.firstIndex(of: step) ?? 0) + 1
        var page = StepPage(
            layout: Layout(title: step.title, path: "/requests", session: session), errors: errors, id: view.id.description, caption: view.draft.title,
            heading: step.title, intro: "", progress: "Step \(number) of \(steps.count)", action: "/requests/\(view.id)/edit/\(step.rawValue)",
            fields: [], choicesLegend: nil, choicesName: "", choices: [], choicesError: nil, searchQuery: "", searches: false, groups: [], addsRows: false,
            lastStep: number == steps.count)
        let d = view.draft
        func value(_ name: String, _ saved: String?) -> String? { typed.map { $0[name] ?? "" } ?? saved }
        switch step {
        case .about:
            page.intro = "Describe the need without naming pupils: they are named on their own page, and only their school sees the names."
            page.fields = [.text("title", "Title", value: value("title", d.title), errors: errors),
                           .textarea("need", "The need", hint: "What the pupil, group or school needs, and why the school cannot meet it alone.",
                                     value: value("need", d.need), errors: errors)]
            if view.type.isCosted {
                page.fields.append(.textarea("tried", "What the school tried already",
                                             hint: "The graduated approach: how you assessed, planned, did and reviewed, and what came of it.",
                                             value: value("tried", d.tried), errors: errors))
                let longest = try await settings.current(session.actor).settings.longestFundingTerms
                page.fields.append(.select("termsAsked", "Terms asked", hint: "The council funds at most \(longest) terms at a time.",
                                           choices: (1...max(longest, 1)).map { (String($0), $0 == 1 ? "1 term" : "\($0) terms") },
                                           value: value("termsAsked", d.termsAsked.map(String.init)), any: "Choose", errors: errors))
            }
            let areas = Set(typed.map { $0.all("areasOfNeed") } ?? d.areasOfNeed.map(\.rawValue))
            page.choicesLegend = "Areas of need" + (view.type.maxPupils == 0 ? "" : " (the pupils' records bring theirs too)")
            page.choicesName = "areasOfNeed"
            page.choices = AreaOfNeed.allCases.map { Choice(id: "area-\($0.rawValue)", value: $0.rawValue, label: $0.label, checked: areas.contains($0.rawValue)) }
            page.choicesError = errors.message(for: "areasOfNeed")
            if view.type.describesCohort {
                page.fields.append(.textarea("cohort", "The cohort", hint: "How many pupils, in which phases, with which areas of need.",
                                             value: value("cohort", d.cohort), errors: errors))
            }
        case .schools:
            page.intro = "A joint bid names partner schools of your cluster. Each partner's SENCo confirms their part before you submit, and each headteacher endorses it."
            let chosen = Set(typed.map { $0.all("partnerSchoolIds") } ?? view.partners.map(\.schoolID.description))
            page.choicesLegend = "Partner schools (none is fine)"
            page.choicesName = "partnerSchoolIds"
            page.choices = try await structure.schools(session.actor).filter { $0.id != view.leadSchoolID }.map {
                Choice(id: "partner-\($0.id)", value: $0.id.description, label: $0.name, checked: chosen.contains($0.id.description))
            }
            page.choicesError = errors.message(for: "partnerSchoolIds")
        case .pupils:
            guard let school = namingSchool(session.actor, view) else { break }
            page.intro = view.type.pupilCountProblem(0) == nil && view.type.maxPupils == 1
                ? "Name the pupil, if the discussion is about one. Only pupils whose families consent to share with the panel can go to it."
                : "Tick the pupils of your school this request is for. A pupil without consent to share with the panel holds the request until consent is given."
            let named = view.pupils.filter { $0.schoolID == school }
            let chosen = Set(typed.map { $0.all("pupilIds") } ?? named.map(\.pupilID.description))
            let q = search?.trimmingCharacters(in: .whitespaces) ?? ""
            let found = try await pupils.list(session.actor, filter: PupilFilter(schoolID: school, search: q.isEmpty ? nil : String(q.prefix(100))), page: 1,
                                              size: 200, view: "page.request_pupils", request: info)
            var choices = named.map { Choice(id: "pupil-\($0.pupilID)", value: $0.pupilID.description, label: $0.name ?? "A pupil", checked: chosen.contains($0.pupilID.description)) }
            let shown = Set(choices.map(\.value))
            choices += found.items.filter { !shown.contains($0.id.description) }.map {
                Choice(id: "pupil-\($0.id)", value: $0.id.description, label: "\($0.familyName), \($0.givenNames) (\($0.yearGroup))", checked: chosen.contains($0.id.description))
            }
            page.choicesLegend = "Pupils of your school"
            page.choicesName = "pupilIds"
            page.choices = choices
            page.searchQuery = q
            page.searches = true
            page.choicesError = errors.message(for: "pupils")
        case .outcomes:
            page.intro = "Each outcome says what should change, how it is measured, where it starts and the target. A row left empty is ignored."
            page.addsRows = true
            let rows: [[String]] = typed.map { RequestStepForm.rows($0, "outcomes", ["outcome", "measure", "baseline", "target"]) }
                ?? d.outcomes.map { [$0.outcome, $0.measure, $0.baseline, $0.target] }
            page.groups = (rows + [["", "", "", ""]]).enumerated().map { index, row in
                let at = "outcomes/\(index)"
                return Group(legend: index < rows.count ? "Outcome \(index + 1)" : "Add an outcome",
                             fields: [.text("\(at)/outcome", "What should change", value: row[0], errors: errors),
                                      .text("\(at)/measure", "How it is measured", value: row[1], errors: errors),
                                      .text("\(at)/baseline", "Where it starts (baseline)", value: row[2], errors: errors, short: false),
                                      .text("\(at)/target", "The target", value: row[3], errors: errors)],
                             removeName: index < rows.count ? "\(at)/remove" : nil)
            }
        case .costs:
            page.intro = "Cost every line, whoever funds it: totals are worked out for you, and only the cluster's lines make up the sum asked. A row left empty is ignored."
            page.addsRows = true
            let rows: [[String]] = typed.map { RequestStepForm.rows($0, "lines", RequestStepForm.lineFields) }
                ?? d.lines.map { [$0.category.rawValue, $0.description, $0.staffRole ?? "", $0.unitCost.plainPounds, String($0.quantity), $0.funder.rawValue] }
            page.groups = (rows + [["", "", "", "", "", ""]]).enumerated().map { index, row in
                let at = "lines/\(index)"
                return Group(legend: index < rows.count ? "Line \(index + 1)" : "Add a line",
                             fields: [.select("\(at)/category", "Category", choices: ProvisionCategory.allCases.map { ($0.rawValue, $0.label) }, value: row[0],
                                              any: "Choose", errors: errors),
                                      .text("\(at)/description", "What it pays for", value: row[1], errors: errors),
                                      .text("\(at)/staffRole", "Staff role (for staffing)", value: row[2], errors: errors),
                                      .text("\(at)/unitCost", "Unit cost in pounds", hint: "For example 25.50", value: row[3], errors: errors, short: true),
                                      .text("\(at)/quantity", "Quantity", hint: "Sessions, hours or items", value: row[4], errors: errors, short: true),
                                      .select("\(at)/funder", "Funded by", choices: ProvisionFunder.allCases.map { ($0.rawValue, $0.label) }, value: row[5],
                                              any: "Choose", errors: errors)],
                             removeName: index < rows.count ? "\(at)/remove" : nil)
            }
        case .documents:
            page.intro = "Refer to the documents the panel may ask for: their title, date and where the school keeps them. Nothing is uploaded. A row left empty is ignored."
            page.addsRows = true
            let rows: [[String]] = typed.map { RequestStepForm.rows($0, "documents", RequestStepForm.documentFields) }
                ?? d.documents.map { [$0.title, $0.datedOn.map { "\($0.day)/\($0.month)/\($0.year)" } ?? "", $0.keptAt] }
            page.groups = (rows + [["", "", ""]]).enumerated().map { index, row in
                let at = "documents/\(index)"
                return Group(legend: index < rows.count ? "Document \(index + 1)" : "Add a document",
                             fields: [.text("\(at)/title", "Title", hint: "For example: Speech and language therapy report", value: row[0], errors: errors),
                                      .date("\(at)/datedOn", "Date of the document (optional)", value: row[1], errors: errors),
                                      .text("\(at)/keptAt", "Where it is kept", hint: "For example: the school's SEN file, or the case management system and its reference",
                                            value: row[2], errors: errors)],
                             removeName: index < rows.count ? "\(at)/remove" : nil)
            }
        }
        return page
    }
}
