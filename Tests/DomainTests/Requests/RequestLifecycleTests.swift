import Domain
import Testing

@Suite("a request's lifecycle up to the planning meeting: one pure function")
struct RequestLifecycleTests {
    /// The allowed moves, written out independently of the code: (state, action, relation, held) → new state.
    /// Everything not listed must be refused, naming exactly the actions that are allowed.
    static func expected(_ state: RequestState, _ action: RequestAction, _ relation: RequestRelation, held: Bool) -> RequestState? {
        switch (action, relation, state) {
        case (.submit, .leadSenco, .draft): held ? nil : .submitted
        case (.confirm, .partnerSenco, .draft): .draft
        case (.endorse, .leadHeadteacher, .submitted), (.endorse, .partnerHeadteacher, .submitted): held ? nil : .submitted
        case (.nominate, .chair, .scheduled): held ? nil : .nominated
        case (.returnToSchool, .chair, .scheduled): .draft
        case (.withdraw, .leadSenco, .draft), (.withdraw, .leadSenco, .submitted), (.withdraw, .leadSenco, .scheduled),
             (.withdraw, .leadSenco, .nominated): .withdrawn
        case (.withdrawPart, .partnerSenco, .draft), (.withdrawPart, .partnerSenco, .submitted): .draft
        default: nil
        }
    }

    static let cases: [(RequestState, RequestAction, RequestRelation, Bool)] =
        RequestState.allCases.flatMap { state in
            RequestAction.allCases.flatMap { action in
                RequestRelation.allCases.flatMap { relation in [false, true].map { (state, action, relation, $0) } }
            }
        }

    @Test("every state × action × relation × hold: allowed ones give the state of the table, the rest refuse naming the allowed actions",
          arguments: cases.indices)
    func everyCombination(_ index: Int) {
        let (state, action, relation, held) = Self.cases[index]
        // Two schools still to endorse, so an endorsement here is not the last (the last is tested below).
        let situation = RequestSituation(state: state, hold: held ? "consent to share with the panel was withdrawn" : nil, endorsementsOutstanding: 2)
        let result = RequestLifecycle.apply(action, to: situation, by: [relation], questions: "What has the school tried?")
        let allowed = RequestAction.allCases.filter { Self.expected(state, $0, relation, held: held) != nil }
        switch (result, Self.expected(state, action, relation, held: held)) {
        case (.success(let transition), let wanted?):
            #expect(transition.state == wanted, "\(state) \(action) by \(relation)")
        case (.failure(let refusal), nil):
            #expect(refusal.allowed == allowed, "\(state) \(action) by \(relation), held \(held)")
            #expect(refusal.message.contains(allowed.isEmpty ? "Nothing you can do" : "You can "))
        case (.success, nil):
            Issue.record("\(state) \(action) by \(relation), held \(held): allowed, but the table refuses it")
        case (.failure(let refusal), _?):
            Issue.record("\(state) \(action) by \(relation), held \(held): refused (\(refusal.reason)), but the table allows it")
        }
    }

    @Test("submission: a funding request awaits endorsement; a discussion is placed at once; an emergency goes to the officers' queue; partners confirm first")
    func submission() throws {
        let funding = RequestSituation(state: .draft, endorsementsOutstanding: 1)
        #expect(try RequestLifecycle.apply(.submit, to: funding, by: [.leadSenco]).get() == .init(state: .submitted, effects: [.awaitEndorsement]))
        let discussion = RequestSituation(state: .draft, needsEndorsement: false)
        #expect(try RequestLifecycle.apply(.submit, to: discussion, by: [.leadSenco]).get() == .init(state: .scheduled, effects: [.placeOnMeeting]))
        let emergency = RequestSituation(state: .draft, route: .emergency)
        #expect(try RequestLifecycle.apply(.submit, to: emergency, by: [.leadSenco]).get() == .init(state: .submitted, effects: [.sendToEmergencyQueue]))
        let joint = RequestSituation(state: .draft, confirmationsOutstanding: 1)
        guard case .failure(let refusal) = RequestLifecycle.apply(.submit, to: joint, by: [.leadSenco]) else {
            Issue.record("a joint request was submitted before its partner confirmed")
            return
        }
        #expect(refusal.reason.contains("1 still to confirm") && refusal.allowed == [.withdraw])
    }

    @Test("the last endorsement schedules the request; a held one is endorsed by nobody, and says why")
    func endorsement() throws {
        let last = RequestSituation(state: .submitted, endorsementsOutstanding: 1)
        #expect(try RequestLifecycle.apply(.endorse, to: last, by: [.partnerHeadteacher]).get()
                == .init(state: .scheduled, effects: [.recordEndorsement, .placeOnMeeting]))
        let held = RequestSituation(state: .submitted, hold: "a pupil moved school", endorsementsOutstanding: 1)
        guard case .failure(let refusal) = RequestLifecycle.apply(.endorse, to: held, by: [.leadHeadteacher]) else {
            Issue.record("a held request was endorsed")
            return
        }
        #expect(refusal.message == "The request is held: a pupil moved school. Nothing you can do changes this request now.")
    }

    @Test("returning needs the panel's questions and clears the approvals; a partner cannot leave a scheduled request alone")
    func returnAndPartner() throws {
        let scheduled = RequestSituation(state: .scheduled)
        guard case .failure(let empty) = RequestLifecycle.apply(.returnToSchool, to: scheduled, by: [.chair], questions: "  ") else {
            Issue.record("returned without questions")
            return
        }
        #expect(empty.allowed == [.nominate, .returnToSchool])
        #expect(try RequestLifecycle.apply(.returnToSchool, to: scheduled, by: [.chair], questions: " Which outcomes? ").get()
                == .init(state: .draft, effects: [.recordQuestions("Which outcomes?"), .leaveMeeting, .clearApprovals]))
        guard case .failure(let partner) = RequestLifecycle.apply(.withdrawPart, to: scheduled, by: [.partnerSenco]) else {
            Issue.record("a partner left a scheduled request")
            return
        }
        #expect(partner.reason.contains("the lead school withdraws it, or the meeting's chair returns it"))
        #expect(try RequestLifecycle.apply(.withdrawPart, to: RequestSituation(state: .submitted), by: [.partnerSenco]).get()
                == .init(state: .draft, effects: [.removePartnerPart, .clearApprovals]))
        // An officer chairing the meeting acts as its chair.
        #expect(RequestLifecycle.allowedActions(scheduled, by: [.officer, .chair]) == [.nominate, .returnToSchool])
        #expect(RequestLifecycle.allowedActions(scheduled, by: [.officer]).isEmpty)
    }
}
