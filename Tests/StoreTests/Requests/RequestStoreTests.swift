import Domain
import Foundation
import PQ
@testable import Store
import Testing
import TestSupport

@Suite("requests from draft to the planning meeting, stored")
struct RequestStoreTests {
    struct Setting {
        var store: RequestStore
        var pupils: PupilStore
        var senco: Actor
        var head: Actor
        var other: Actor
        var otherHead: Actor
        var officer: Actor
        var ashgrove: ID<School>
        var brookfield: ID<School>
        var pupil: ID<Pupil>
    }

    /// The demo council with 2026/27's meetings (the next planning meeting is the spring term's) and Ada Applebank at
    /// Ashgrove, with no consent yet.
    static func setUp(_ fixture: IdentityFixture) async throws -> Setting {
        _ = try await MeetingStoreTests.setUp(fixture)
        let pupils = PupilStore(database: fixture.database, clock: fixture.clock.clock)
        return Setting(
            store: RequestStore(database: fixture.database, clock: fixture.clock.clock), pupils: pupils,
            senco: try await fixture.signIn(.senco).session.actor, head: try await fixture.signIn(.headteacher).session.actor,
            other: try await fixture.signIn(.otherSenco).session.actor, otherHead: try await fixture.signIn(.otherHeadteacher).session.actor,
            officer: try await fixture.signIn(.officer).session.actor,
            ashgrove: try await PupilStoreTests.school(fixture, "Ashgrove Primary School"),
            brookfield: try await PupilStoreTests.school(fixture, "Brookfield Primary School"),
            pupil: try await ConsentStoreTests.pupil(fixture, pupils))
    }

    static func complete(schoolPence: Int64 = 600_000) -> RequestDraft {
        RequestDraft(
            title: "Speech and language support", need: "Ada's expressive language is two years behind.", tried: "Assessed, planned and reviewed a term of small-group work.",
            termsAsked: 3, outcomes: [IntendedOutcome(outcome: "Speaks in sentences", measure: "Language screen", baseline: "Two-word phrases", target: "Five-word sentences")],
            lines: [ProvisionLine(category: .staffing, description: "Teaching assistant, 5 hours a week", staffRole: "Teaching assistant", unitCost: Pence(schoolPence), quantity: 1, funder: .school),
                    ProvisionLine(category: .therapy, description: "Speech therapy sessions", unitCost: Pence(8_000), quantity: 30, funder: .cluster)])
    }

    @Test("a draft keeps whatever was typed; submission lists every problem at once; a pupil without consent holds it; endorsement schedules it")
    func individual() async throws {
        try await IdentityFixture.with { fixture in
            let s = try await Self.setUp(fixture)
            let id = try await s.store.create(s.senco, type: "individual", leadSchool: s.ashgrove, title: "Speech support", request: fixture.request())
            try await s.store.save(s.senco, id, draft: RequestDraft(title: "Speech support", need: "Half a thought"), request: fixture.request())
            #expect(try await s.store.request(s.senco, id, request: fixture.request()).draft.need == "Half a thought")
            do {
                try await s.store.act(s.senco, id, .submit, request: fixture.request())
                Issue.record("an incomplete request was submitted")
            } catch DomainError.validation(let issues) {
                #expect(Set(issues.map(\.pointer)).isSuperset(of: ["/tried", "/pupils", "/outcomes", "/termsAsked", "/lines"]), "\(issues)")
            }
            try await s.store.save(s.senco, id, draft: Self.complete(schoolPence: 500_000), request: fixture.request())
            try await s.store.setPupils(s.senco, id, school: s.ashgrove, pupils: [s.pupil], request: fixture.request())
            // Held: no consent to share with the panel.
            await #expect(throws: DomainError.invalidTransition(
                "The request is held: a pupil named on it has no consent in force to share their details with the panel. You can withdraw it.")) {
                try await s.store.act(s.senco, id, .submit, request: fixture.request())
            }
            _ = try await s.pupils.recordConsent(s.senco, pupil: s.pupil, entry: ConsentStoreTests.entry(.panelSharing), request: fixture.request())
            await #expect(throws: DomainError.validation([.init(pointer: "/lines", detail:
                "The school's own provision for this pupil is £5,000.00; the council expects £6,000.00 from the school's notional SEN budget before cluster funding.")])) {
                try await s.store.act(s.senco, id, .submit, request: fixture.request())
            }
            try await s.store.save(s.senco, id, draft: Self.complete(), request: fixture.request())
            #expect(try await s.store.act(s.senco, id, .submit, request: fixture.request()).state == .submitted)
            await #expect(throws: DomainError.self) { try await s.store.act(s.otherHead, id, .endorse, request: fixture.request()) }
            let scheduled = try await s.store.act(s.head, id, .endorse, request: fixture.request())
            #expect(scheduled.state == .scheduled && scheduled.meetingID != nil && scheduled.placementReason == nil)
            // Consent withdrawn now holds it: the chair cannot nominate it, and the reason shows.
            try await fixture.asOwner { tx in
                try await tx.execute("UPDATE clusters SET locality_lead_user_id = \(s.officer.userID) WHERE name = 'North Locality'")
            }
            _ = try await s.pupils.recordConsent(s.senco, pupil: s.pupil, entry: ConsentStoreTests.entry(.panelSharing, .withdrawn, on: "2026-11-10"),
                                                 request: fixture.request())
            let held = try await s.store.request(s.officer, id, request: fixture.request())
            #expect(held.hold != nil && held.pupils.first?.name == nil && held.pupils.first?.withheld == "consent_withdrawn")
            await #expect(throws: DomainError.self) { try await s.store.act(s.officer, id, .nominate, request: fixture.request()) }
            // Both holds are recorded: the first lifted by consent given, the second open since its withdrawal.
            let recorded = held.holds
            #expect(recorded.count == 2 && recorded[0].ended == nil && recorded[1].ended != nil, "\(recorded)")
            #expect(recorded.allSatisfy { $0.reason == "a pupil named on it has no consent in force to share their details with the panel" })
            let whoLifted = try await fixture.asOwner { tx in
                try await tx.query("SELECT ended_by FROM funding_request_holds WHERE request_id = \(id) AND ended_at IS NOT NULL").decode(ID<User>?.self)
            }
            #expect(whoLifted == [s.senco.userID])
            #expect(try await fixture.asApp(user: s.other.userID) { tx in
                try await tx.one("SELECT count(*) FROM funding_request_holds WHERE request_id = \(id)").decode(Int.self, at: 0)
            } == 0)
            // The holds of many requests at once answer only for the requests the caller reaches.
            let heldFor = { (user: ID<User>) in
                try await fixture.asApp(user: user) { tx in
                    try await tx.query("SELECT request_id FROM funding_requests_held(NULL)").decode(ID<FundingRequest>.self)
                }
            }
            let heldForLead = try await heldFor(s.senco.userID)
            let heldForOther = try await heldFor(s.other.userID)
            #expect(heldForLead == [id] && heldForOther.isEmpty)
            let withdrawn = try await s.store.act(s.senco, id, .withdraw, request: fixture.request())
            #expect(withdrawn.state == .withdrawn && withdrawn.meetingID == nil)
            // Withdrawing ends the hold: nothing is waiting on the family any more.
            #expect(try await s.store.request(s.senco, id, request: fixture.request()).holds.allSatisfy { $0.ended != nil })
            let events = try await fixture.asOwner { tx in
                try await tx.query("SELECT action FROM funding_request_events WHERE request_id = \(id) ORDER BY id").decode(String.self)
            }
            #expect(events == ["create", "submit", "endorse", "withdraw"])
        }
    }

    @Test("a joint request: the partner confirms before submission, sees the lead's pupil only pseudonymised, and may leave until it is scheduled; other schools see nothing")
    func joint() async throws {
        try await IdentityFixture.with { fixture in
            let s = try await Self.setUp(fixture)
            _ = try await s.pupils.recordConsent(s.senco, pupil: s.pupil, entry: ConsentStoreTests.entry(.panelSharing), request: fixture.request())
            let id = try await s.store.create(s.senco, type: "discussion", leadSchool: s.ashgrove, title: "Transition to year 4", request: fixture.request())
            var draft = RequestDraft(title: "Transition to year 4", need: "Anxiety at transitions")
            try await s.store.save(s.senco, id, draft: draft, partners: [s.brookfield], request: fixture.request())
            try await s.store.setPupils(s.senco, id, school: s.ashgrove, pupils: [s.pupil], request: fixture.request())
            await #expect(throws: DomainError.self) {  // a partner names only its own pupils
                try await s.store.setPupils(s.other, id, school: s.brookfield, pupils: [s.pupil], request: fixture.request())
            }
            // The pupil's EHC needs-assessment request shows beside the request to their school, not to the partner.
            let referral = try await ReferralStore(database: fixture.database, clock: fixture.clock.clock).create(
                s.senco, pupil: s.pupil, entry: ReferralEntry(requestedBy: .school, timeline: ReferralTimeline(receivedOn: CalendarDate(iso: "2026-11-02")!)),
                request: fixture.request())
            #expect(try await s.store.request(s.senco, id, request: fixture.request()).referrals.map(\.referralID) == [referral])
            let seen = try await s.store.request(s.other, id, request: fixture.request())
            #expect(seen.pupils.first?.name == nil && seen.pupils.first?.pseudonym == "AA, year 3, SLCN" && seen.referrals.isEmpty)
            await #expect(throws: DomainError.self) { try await s.store.act(s.senco, id, .submit, request: fixture.request()) }
            _ = try await s.store.act(s.other, id, .confirm, request: fixture.request())
            // A discussion needs no endorsement: submitting places it on the next planning meeting.
            let submitted = try await s.store.act(s.senco, id, .submit, request: fixture.request())
            #expect(submitted.state == .scheduled && submitted.meetingID != nil)
            await #expect(throws: DomainError.invalidTransition(
                "Once a request is on a meeting a partner cannot leave it alone: the lead school withdraws it, or the meeting's chair returns it. Nothing you can do changes this request now.")) {
                try await s.store.act(s.other, id, .withdrawPart, request: fixture.request())
            }
            // The chair (the officer, made North Locality's lead) returns it with questions: back to draft, approvals cleared.
            await #expect(throws: DomainError.self) { try await s.store.act(s.officer, id, .returnToSchool, questions: "Why?", request: fixture.request()) }
            try await fixture.asOwner { tx in
                try await tx.execute("UPDATE clusters SET locality_lead_user_id = \(s.officer.userID) WHERE name = 'North Locality'")
            }
            let returned = try await s.store.act(s.officer, id, .returnToSchool, questions: "Which transitions?", request: fixture.request())
            #expect(returned.state == .draft && returned.meetingID == nil && returned.partners.first?.confirmed == false)
            let left = try await s.store.act(s.other, id, .withdrawPart, request: fixture.request())
            #expect(left.partners.isEmpty && left.state == .draft)
            draft.need = "Anxiety at transitions, and at lunchtimes"
            try await s.store.save(s.senco, id, draft: draft, request: fixture.request())
            // Row-level security, bypassing the service: Brookfield, no longer a partner, reads none of it.
            let rows = try await fixture.asApp(user: s.other.userID) { tx in
                [try await tx.one("SELECT count(*) FROM funding_requests WHERE id = \(id)").decode(Int.self, at: 0),
                 try await tx.one("SELECT count(*) FROM funding_request_pupils WHERE request_id = \(id)").decode(Int.self, at: 0),
                 try await tx.one("SELECT count(*) FROM funding_request_events WHERE request_id = \(id)").decode(Int.self, at: 0)]
            }
            #expect(rows == [0, 0, 0])
            await #expect(throws: DomainError.notFound("There is no such request.")) { _ = try await s.store.request(s.other, id, request: fixture.request()) }
        }
    }

    @Test("with a cap of three requests per school per meeting, the school's fourth goes to the following planning meeting, and says why")
    func cap() async throws {
        try await IdentityFixture.with { fixture in
            let s = try await Self.setUp(fixture)
            try await fixture.asOwner { tx in try await tx.execute("UPDATE council_settings SET request_cap_per_school_per_meeting = 3") }
            var placed: [RequestView] = []
            for title in ["Selective mutism", "Sensory breaks", "Reading recovery", "Lunchtime support"] {
                let id = try await s.store.create(s.senco, type: "discussion", leadSchool: s.ashgrove, title: title, request: fixture.request())
                try await s.store.save(s.senco, id, draft: RequestDraft(title: title, need: "Advice on \(title.lowercased())", areasOfNeed: [.cognitionAndLearning]),
                                       request: fixture.request())
                placed.append(try await s.store.act(s.senco, id, .submit, request: fixture.request()))
            }
            #expect(placed.prefix(3).allSatisfy { $0.placementReason == nil && $0.meetingID == placed[0].meetingID })
            #expect(placed[3].meetingID != nil && placed[3].meetingID != placed[0].meetingID)
            #expect(placed[3].placementReason?.contains("your school already brings 3 requests to the meeting on") == true, "\(placed[3].placementReason ?? "")")
        }
    }
}
