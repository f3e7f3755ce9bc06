import Domain
import Foundation
import PQ

extension RequestStore {
    /// One request as the actor may see it; the read is audited with the pupils it names.
    public func request(_ actor: Actor, _ id: ID<FundingRequest>, request: RequestInfo) async throws -> RequestView {
        try await database.transaction(actingAs: actor.userID) { tx in
            let view = try await Self.read(id, actor: actor, in: tx)
            try await AuditLog.append(.init(actor: actor.userID, action: "request.viewed", entityType: "funding_request", entityID: id.description,
                                            after: ["pupilIds": view.pupils.map(\.pupilID.description).joined(separator: ",")]), request: request, in: tx)
            return view
        }
    }

    static func read(_ id: ID<FundingRequest>, actor: Actor, in tx: Transaction) async throws -> RequestView {
        guard let row = try await tx.first(
            """
            SELECT r.type_code, r.lead_school_id, s.name, r.state, r.title, r.need, r.tried, r.terms_asked, r.cohort, r.lead_endorsed_at IS NOT NULL,
                   r.meeting_id, r.placement_reason, funding_request_hold(r.id), r.areas_of_need
            FROM funding_requests r JOIN schools s ON s.id = r.lead_school_id WHERE r.id = \(id)
            """
        )?.decode((String, ID<School>, String, String, String, String, String, Int?, String?, Bool, ID<Meeting>?, String?, String?, [String]).self) else {
            throw DomainError.notFound("There is no such request.")
        }
        guard let type = try await tx.first(
            "SELECT code, name, min_pupils, max_pupils, describes_cohort, is_costed, route, payment, applies_threshold FROM request_types WHERE code = \(row.0)"
        )?.decode((String, String, Int, Int?, Bool, Bool, String, String, Bool).self) else { throw StoreError.unexpected(summary: "a request of no type") }
        let requestType = RequestType(code: type.0, name: type.1, minPupils: type.2, maxPupils: type.3, describesCohort: type.4, isCosted: type.5,
                                      route: DecisionRoute(rawValue: type.6) ?? .meeting, payment: PaymentPlan(rawValue: type.7) ?? .none, appliesThreshold: type.8)
        let outcomes = try await tx.query(
            "SELECT outcome, measure, baseline, target FROM funding_request_outcomes WHERE request_id = \(id) ORDER BY position"
        ).decode((String, String, String, String).self).map { IntendedOutcome(outcome: $0.0, measure: $0.1, baseline: $0.2, target: $0.3) }
        let lines = try await tx.query(
            "SELECT category, description, staff_role, unit_cost_pence, quantity, funder FROM funding_request_lines WHERE request_id = \(id) ORDER BY position"
        ).decode((String, String, String?, Int64, Int, String).self).map {
            ProvisionLine(category: ProvisionCategory(rawValue: $0.0) ?? .other, description: $0.1, staffRole: $0.2, unitCost: Pence($0.3), quantity: $0.4,
                          funder: ProvisionFunder(rawValue: $0.5) ?? .other)
        }
        let documents = try await tx.query(
            "SELECT title, dated_on, kept_at FROM funding_request_documents WHERE request_id = \(id) ORDER BY position"
        ).decode((String, CalendarDate?, String).self).map { DocumentReference(title: $0.0, datedOn: $0.1, keptAt: $0.2) }
        let partners = try await tx.query(
            """
            SELECT p.school_id, s.name, p.confirmed_at IS NOT NULL, p.endorsed_at IS NOT NULL
            FROM funding_request_partners p JOIN schools s ON s.id = p.school_id WHERE p.request_id = \(id) ORDER BY s.name
            """
        ).decode((ID<School>, String, Bool, Bool).self).map { RequestView.Partner(schoolID: $0.0, name: $0.1, confirmed: $0.2, endorsed: $0.3) }
        // The pupils as `request_pupils_as_seen` lets this reader see them: the one place that rule lives.
        let pupils = try await tx.query("SELECT pupil_id, school_id, name, pseudonym, withheld FROM request_pupils_as_seen(\(id))")
            .decode((ID<Pupil>, ID<School>, String?, String?, String?).self).map {
                RequestPupil(pupilID: $0.0, schoolID: $0.1, name: $0.2, pseudonym: $0.3, withheld: $0.2 == nil && $0.3 == nil ? ($0.4 ?? "not_visible") : nil)
            }
        let meeting = try await row.10.asyncMap { meeting in
            try await tx.first(
                "SELECT coalesce(m.chair_user_id, c.locality_lead_user_id), m.meets_on FROM meetings m JOIN clusters c ON c.id = m.cluster_id WHERE m.id = \(meeting)"
            )?.decode((ID<User>?, CalendarDate).self)
        } ?? nil
        let events = try await tx.query(
            "SELECT action, from_state, to_state, coalesce(actor_name, ''), occurred_at, note FROM funding_request_events WHERE request_id = \(id) ORDER BY id DESC LIMIT 200"
        ).decode((String, String, String, String, Date, String?).self).map {
            RequestEvent(action: $0.0, from: RequestState(rawValue: $0.1) ?? .draft, to: RequestState(rawValue: $0.2) ?? .draft, actor: $0.3, at: $0.4, note: $0.5)
        }
        let advice = try await AdviceStore.advice(on: .request(id), in: tx)
        // Row-level security on ehcp_referrals decides which the reader sees: the pupil's school's and officers.
        let referrals = try await tx.query(
            """
            SELECT e.id, e.pupil_id, e.received_on, e.decision, e.outcome FROM ehcp_referrals e
            JOIN funding_request_pupils rp ON rp.pupil_id = e.pupil_id AND rp.request_id = \(id)
            ORDER BY e.received_on DESC, e.id LIMIT 50
            """
        ).decode((ID<Referral>, ID<Pupil>, CalendarDate, String?, String?).self).map {
            RequestReferral(referralID: $0.0, pupilID: $0.1, receivedOn: $0.2, decision: $0.3, outcome: $0.4)
        }
        let holds = try await tx.query(
            "SELECT reason, began_at, ended_at FROM funding_request_holds WHERE request_id = \(id) ORDER BY began_at DESC, id DESC LIMIT 100"
        ).decode((String, Date, Date?).self).map { RequestHold(reason: $0.0, began: $0.1, ended: $0.2) }
        let draft = RequestDraft(title: row.4, need: row.5, tried: row.6, termsAsked: row.7, cohort: row.8, outcomes: outcomes, lines: lines, documents: documents,
                                 areasOfNeed: row.13.compactMap(AreaOfNeed.init(rawValue:)))
        return RequestView(id: id, type: requestType, leadSchoolID: row.1, leadSchool: row.2, state: RequestState(rawValue: row.3) ?? .draft, draft: draft,
                           leadEndorsed: row.9, partners: partners, pupils: pupils, hold: row.12, meetingID: row.10, placementReason: row.11,
                           chair: meeting?.0, meetsOn: meeting?.1, events: events, advice: advice, holds: holds, referrals: referrals)
    }

    /// What the actor may do to the request now, by `RequestLifecycle` (the pages offer exactly these).
    public static func allowedActions(_ actor: Actor, _ view: RequestView) -> [RequestAction] {
        let (situation, relations) = situation(actor, view, for: nil)
        return RequestLifecycle.allowedActions(situation.situation, by: relations)
    }

    /// The request as `RequestLifecycle` sees it, and who the actor is to it. `mine` counts the parts this actor
    /// endorses: the lead school's and any partner's of which they are headteacher, not yet endorsed.
    static func situation(_ actor: Actor, _ view: RequestView, for action: RequestAction?) -> ((situation: RequestSituation, mine: Int), Set<RequestRelation>) {
        let relations = Self.relations(actor, to: view, chair: view.chair)
        let heads = actor.schools(as: .headteacher)
        let mine = (heads.contains(view.leadSchoolID) && !view.leadEndorsed ? 1 : 0) + view.partners.filter { heads.contains($0.schoolID) && !$0.endorsed }.count
        let outstanding = (view.leadEndorsed ? 0 : 1) + view.partners.filter { !$0.endorsed }.count
        // A headteacher of several of the request's schools endorses all their parts at once; with none left to them
        // endorsing is not theirs to do.
        let counted = action == .endorse ? outstanding - max(mine - 1, 0) : (relations.isDisjoint(with: [.leadHeadteacher, .partnerHeadteacher]) || mine > 0 ? outstanding : 0)
        let situation = RequestSituation(state: view.state, hold: view.hold, route: view.type.route, needsEndorsement: view.type.needsEndorsement,
                                         confirmationsOutstanding: view.partners.filter { !$0.confirmed }.count, endorsementsOutstanding: counted)
        return ((situation, mine), relations)
    }

    /// Who the actor is to the request.
    static func relations(_ actor: Actor, to view: RequestView, chair: ID<User>?) -> Set<RequestRelation> {
        var relations: Set<RequestRelation> = []
        let partners = Set(view.partners.map(\.schoolID))
        if actor.schools(as: .senco).contains(view.leadSchoolID) { relations.insert(.leadSenco) }
        if !actor.schools(as: .senco).isDisjoint(with: partners) { relations.insert(.partnerSenco) }
        if actor.schools(as: .headteacher).contains(view.leadSchoolID) { relations.insert(.leadHeadteacher) }
        if !actor.schools(as: .headteacher).isDisjoint(with: partners) { relations.insert(.partnerHeadteacher) }
        if let chair, chair == actor.userID { relations.insert(.chair) }
        if actor.isOfficer { relations.insert(.officer) }
        if actor.roles.contains(.educationalPsychologist) { relations.insert(.clusterEP) }
        return relations.isEmpty ? [.other] : relations
    }

    /// Applies one action through `RequestLifecycle` and persists exactly what it returns. Submission also checks the
    /// whole request and lists every problem at once. Returns the request after the action.
    @discardableResult
    public func act(_ actor: Actor, _ id: ID<FundingRequest>, _ action: RequestAction, questions: String? = nil, request: RequestInfo) async throws -> RequestView {
        let today = today()
        let questions = try action == .returnToSchool ? RequestLifecycle.checkedQuestions(questions) : nil
        return try await database.transaction(actingAs: actor.userID) { tx in
            _ = try await Self.header(id, in: tx, locking: true)
            let view = try await Self.read(id, actor: actor, in: tx)
            let (situation, relations) = Self.situation(actor, view, for: action)
            if action == .endorse, relations.contains(.leadHeadteacher) || relations.contains(.partnerHeadteacher), situation.mine == 0, view.state == .submitted {
                throw DomainError.invalidTransition("Your school's part is already endorsed.")
            }
            let transition: RequestTransition
            switch RequestLifecycle.apply(action, to: situation.situation, by: relations, questions: questions) {
            case .success(let found): transition = found
            case .failure(let refusal): throw DomainError.invalidTransition(refusal.message)
            }
            if action == .submit {
                let settings = try await CouncilSettingsStore.read(in: tx).settings
                let issues = RequestSubmission.issues(view.draft, type: view.type, pupils: view.pupils.count, settings: settings)
                guard issues.isEmpty else { throw DomainError.validation(issues) }
            }
            var note = questions.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            if action == .submit {
                note = SubmissionWarnings.overdueImpactReview(dueOn: try await Self.impactReviewsDue(view.leadSchoolID, in: tx), today: today)
            }
            // The meeting changes with the state, in one statement: a scheduled request always has its meeting.
            var meeting = view.meetingID
            var reason = view.placementReason
            for effect in transition.effects {
                switch effect {
                case .placeOnMeeting:
                    let placement = try await place(view, today: today, in: tx)
                    (meeting, reason) = (placement.meeting, placement.reason)
                    note = placement.reason ?? "Placed on the planning meeting on \(placement.meetsOn.long)."
                case .leaveMeeting:
                    (meeting, reason) = (nil, nil)
                case .recordQuestions(let questions):
                    note = questions
                case .removePartnerPart:
                    continue  // last: once its row is gone the partner no longer reaches the request
                default:
                    try await perform(effect, on: view, actor: actor, in: tx)
                }
            }
            try await tx.execute(
                """
                UPDATE funding_requests SET state = \(transition.state.rawValue), meeting_id = \(meeting), placement_reason = \(reason), updated_at = now()
                WHERE id = \(id)
                """)
            try await Self.event(id, action.rawValue, from: view.state, to: transition.state, actor: actor, note: note, in: tx)
            try await AuditLog.append(.init(actor: actor.userID, action: "request.\(action.rawValue)", entityType: "funding_request", entityID: id.description,
                                            before: ["state": view.state.rawValue], after: ["state": transition.state.rawValue]), request: request, in: tx)
            var after = try await Self.read(id, actor: actor, in: tx)
            if transition.effects.contains(.removePartnerPart) {
                try await perform(.removePartnerPart, on: view, actor: actor, in: tx)
                let mine = actor.schools(as: .senco)
                after.partners.removeAll { mine.contains($0.schoolID) }
                after.pupils.removeAll { mine.contains($0.schoolID) }
            }
            return after
        }
    }

    /// Carries out one effect on the request's approvals and parts (the meeting and the notes are set by `act`).
    func perform(_ effect: RequestEffect, on view: RequestView, actor: Actor, in tx: Transaction) async throws {
        let id = view.id
        switch effect {
        case .recordConfirmation:
            try await tx.execute(
                """
                UPDATE funding_request_partners SET confirmed_by = \(actor.userID), confirmed_at = now()
                WHERE request_id = \(id) AND confirmed_at IS NULL AND school_id::text = ANY (\(actor.schools(as: .senco).map(\.description))::text[])
                """)
        case .recordEndorsement:
            let heads = actor.schools(as: .headteacher)
            if heads.contains(view.leadSchoolID) {
                try await tx.execute("UPDATE funding_requests SET lead_endorsed_by = \(actor.userID), lead_endorsed_at = now() WHERE id = \(id) AND lead_endorsed_at IS NULL")
            }
            try await tx.execute(
                """
                UPDATE funding_request_partners SET endorsed_by = \(actor.userID), endorsed_at = now()
                WHERE request_id = \(id) AND endorsed_at IS NULL AND school_id::text = ANY (\(heads.map(\.description))::text[])
                """)
        case .awaitEndorsement, .sendToEmergencyQueue, .placeOnMeeting, .leaveMeeting, .recordQuestions:
            break
        case .removePartnerPart:
            let mine = actor.schools(as: .senco).map(\.description)
            try await tx.execute("DELETE FROM funding_request_pupils WHERE request_id = \(id) AND school_id::text = ANY (\(mine)::text[])")
            try await tx.execute("DELETE FROM funding_request_partners WHERE request_id = \(id) AND school_id::text = ANY (\(mine)::text[])")
        case .clearApprovals:
            try await tx.execute("UPDATE funding_requests SET lead_endorsed_by = NULL, lead_endorsed_at = NULL WHERE id = \(id)")
            try await tx.execute(
                "UPDATE funding_request_partners SET confirmed_by = NULL, confirmed_at = NULL, endorsed_by = NULL, endorsed_at = NULL WHERE request_id = \(id)")
        }
    }

    /// When the school's outstanding impact reviews fall due. Impact reviews arrive with the outcomes issue; until
    /// then no school has one, and the warning they drive (`SubmissionWarnings`) is tested in Domain.
    static func impactReviewsDue(_ school: ID<School>, in tx: Transaction) async throws -> [CalendarDate] { [] }

    /// The first planning meeting of the lead school's cluster that can take the request (`MeetingPlacement`).
    func place(_ view: RequestView, today: CalendarDate, in tx: Transaction) async throws -> Placement {
        let year = AcademicYear.holding(today)
        let meetings = try await tx.query(
            """
            SELECT m.id, m.kind, m.meets_on, m.cut_off_on, m.status = 'cancelled'
            FROM meetings m JOIN cluster_memberships cm ON cm.cluster_id = m.cluster_id AND cm.academic_year = m.academic_year
            WHERE cm.school_id = \(view.leadSchoolID) AND m.academic_year BETWEEN \(year.startYear) AND \(year.startYear + 1) AND m.meets_on >= \(today)
            """
        ).decode((ID<Meeting>, String, CalendarDate, CalendarDate, Bool).self).map {
            PlannedMeeting(id: $0.0, kind: MeetingKind(rawValue: $0.1) ?? .allocation, meetsOn: $0.2, cutOffOn: $0.3, isCancelled: $0.4)
        }
        // Counted by a function: a partner school's headteacher placing it does not reach the lead school's other requests.
        let counts = try await tx.query("SELECT meeting_id, requests FROM funding_request_counts(\(view.leadSchoolID))").decode((ID<Meeting>, Int).self)
        let settings = try await CouncilSettingsStore.read(in: tx).settings
        guard let placement = MeetingPlacement.place(on: meetings, today: today, schoolRequests: Dictionary(counts.map { ($0.0, $0.1) }, uniquingKeysWith: +),
                                                     cap: settings.requestCapPerSchoolPerMeeting) else {
            throw DomainError.conflict("No planning meeting of the lead school's cluster is open for requests; an officer schedules the next ones.")
        }
        return placement
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
