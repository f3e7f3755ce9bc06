import Domain
import Foundation
import Testing

@Suite("request types, costed lines and placing a request on a meeting")
struct RequestRulesTests {
    static func type(_ code: String) -> RequestType { RequestType.standard.first { $0.code == code }! }

    @Test("each type names the pupils its row allows, and says so when it does not")
    func pupilCounts() {
        #expect(Self.type("discussion").pupilCountProblem(0) == nil && Self.type("discussion").pupilCountProblem(1) == nil)
        #expect(Self.type("discussion").pupilCountProblem(2) == "A request of the type solution-focused discussion names at most 1 pupil; this one names 2.")
        #expect(Self.type("individual").pupilCountProblem(2) == "A request of the type individual names exactly 1 pupil; this one names 2.")
        #expect(Self.type("group").pupilCountProblem(1) == "A request of the type group names at least 2 pupils; this one names 1.")
        #expect(Self.type("group").pupilCountProblem(40) == nil)
        var bounded = Self.type("group")
        bounded.maxPupils = 5  // a council's bound (Southwark: 3-5) is data in its row
        #expect(bounded.pupilCountProblem(6) == "A request of the type group names 2 to 5 pupils; this one names 6.")
        #expect(Self.type("project").pupilCountProblem(1) == "A request of the type project names no pupils: it describes a cohort; this one names 1.")
        #expect(Self.type("emergency").pupilCountProblem(0) != nil && Self.type("emergency").pupilCountProblem(3) == nil)
        #expect(RequestType.standard.map(\.needsEndorsement) == [false, true, true, true, false])
    }

    static func line(_ funder: ProvisionFunder, pence: Int64, quantity: Int, category: ProvisionCategory = .resources) -> ProvisionLine {
        ProvisionLine(category: category, description: "Line", staffRole: category == .staffing ? "Teaching assistant" : nil, unitCost: Pence(pence),
                      quantity: quantity, funder: funder)
    }

    @Test("totals are computed in pence; the ask is the cluster's lines only; the threshold refusal names both sums")
    func costs() throws {
        let plan = try CostedPlan.checked([Self.line(.school, pence: 2_500_00, quantity: 2), Self.line(.cluster, pence: 12_345, quantity: 39),
                                           Self.line(.cluster, pence: 1, quantity: 1), Self.line(.other, pence: 99_999, quantity: 3)])
        #expect(plan.lines[1].total == Pence(481_455))
        #expect(plan.ask == Pence(481_456) && plan.schoolFunded == Pence(500_000))
        #expect(plan.thresholdProblem(type: Self.type("individual"), threshold: Pence(600_000))
                == "The school's own provision for this pupil is £5,000.00; the council expects £6,000.00 from the school's notional SEN budget before cluster funding.")
        #expect(plan.thresholdProblem(type: Self.type("individual"), threshold: Pence(500_000)) == nil)
        #expect(plan.thresholdProblem(type: Self.type("group"), threshold: Pence(600_000)) == nil)
    }

    @Test("a negative, zero or absurd cost or quantity, or a staffing line without a role, is refused with a field error each")
    func badLines() {
        let bad = [Self.line(.cluster, pence: -1, quantity: 1), Self.line(.cluster, pence: 100_000_001, quantity: 0),
                   Self.line(.school, pence: 100, quantity: 10_001), ProvisionLine(category: .staffing, description: " ", unitCost: Pence(1), quantity: 1, funder: .cluster)]
        #expect(throws: DomainError.validation([
            .init(pointer: "/lines/0/unitCost", detail: "Line 1: enter a unit cost above £0 and at most £1,000,000.00."),
            .init(pointer: "/lines/1/unitCost", detail: "Line 2: enter a unit cost above £0 and at most £1,000,000.00."),
            .init(pointer: "/lines/1/quantity", detail: "Line 2: enter a quantity from 1 to 10000."),
            .init(pointer: "/lines/2/quantity", detail: "Line 3: enter a quantity from 1 to 10000."),
            .init(pointer: "/lines/3/description", detail: "Line 4: say what the line pays for, in at most 500 characters."),
            .init(pointer: "/lines/3/staffRole", detail: "Line 4: name the staff role a staffing line pays for."),
        ])) { try CostedPlan.checked(bad) }
    }

    static let first = ID<Meeting>(UUID())
    static let second = ID<Meeting>(UUID())
    static let third = ID<Meeting>(UUID())
    static let meetings = [
        PlannedMeeting(id: second, kind: .planning, meetsOn: CalendarDate(iso: "2027-01-20")!, cutOffOn: CalendarDate(iso: "2027-01-13")!),
        PlannedMeeting(id: first, kind: .planning, meetsOn: CalendarDate(iso: "2026-12-09")!, cutOffOn: CalendarDate(iso: "2026-12-02")!),
        PlannedMeeting(id: ID(UUID()), kind: .allocation, meetsOn: CalendarDate(iso: "2026-12-16")!, cutOffOn: CalendarDate(iso: "2026-12-09")!),
        PlannedMeeting(id: ID(UUID()), kind: .planning, meetsOn: CalendarDate(iso: "2027-01-06")!, cutOffOn: CalendarDate(iso: "2026-12-30")!, isCancelled: true),
        PlannedMeeting(id: third, kind: .planning, meetsOn: CalendarDate(iso: "2027-02-24")!, cutOffOn: CalendarDate(iso: "2027-02-17")!),
    ]

    @Test("on the cut-off day a request goes to the next planning meeting; a day later to the following one, and the school is told why")
    func cutOff() throws {
        let onTime = try #require(MeetingPlacement.place(on: Self.meetings, today: CalendarDate(iso: "2026-12-02")!, schoolRequests: [:], cap: nil))
        #expect(onTime.meeting == Self.first && onTime.reason == nil)
        let late = try #require(MeetingPlacement.place(on: Self.meetings, today: CalendarDate(iso: "2026-12-03")!, schoolRequests: [:], cap: nil))
        #expect(late.meeting == Self.second)
        #expect(late.reason == "It goes to the planning meeting on Wednesday 20 January 2027: submissions for the meeting on Wednesday 9 December 2026 closed on Wednesday 2 December 2026.")
        #expect(MeetingPlacement.place(on: Self.meetings, today: CalendarDate(iso: "2027-02-18")!, schoolRequests: [:], cap: nil) == nil)
    }

    @Test("with a cap of 3, a school's fourth request moves to the next meeting, and the school is told why")
    func cap() throws {
        let third = try #require(MeetingPlacement.place(on: Self.meetings, today: CalendarDate(iso: "2026-11-20")!, schoolRequests: [Self.first: 2], cap: 3))
        #expect(third.meeting == Self.first)
        let fourth = try #require(MeetingPlacement.place(on: Self.meetings, today: CalendarDate(iso: "2026-11-20")!, schoolRequests: [Self.first: 3], cap: 3))
        #expect(fourth.meeting == Self.second)
        #expect(fourth.reason == "It goes to the planning meeting on Wednesday 20 January 2027: your school already brings 3 requests to the meeting on Wednesday 9 December 2026, the most the council allows.")
        let noCap = try #require(MeetingPlacement.place(on: Self.meetings, today: CalendarDate(iso: "2026-11-20")!, schoolRequests: [Self.first: 30], cap: nil))
        #expect(noCap.meeting == Self.first)
    }
}

@Suite("what a draft may hold, and what submission checks")
struct RequestSubmissionTests {
    @Test("a draft needs only a title; submission names every missing part, the council's longest funding, and the cohort of a project")
    func submission() throws {
        #expect(throws: DomainError.self) { try RequestDraft(title: "  ").checkedForSaving() }
        #expect(try RequestDraft(title: " Reading recovery ").checkedForSaving().title == "Reading recovery")
        // A draft holds anything, but nothing longer than its column: refused by field, never a failed insert.
        let long = String(repeating: "x", count: 1001)
        #expect(throws: DomainError.validation([
            .init(pointer: "/documents/0/keptAt", detail: "Document 1: say where it is kept, in at most 500 characters."),
            .init(pointer: "/outcomes/0/outcome", detail: "Outcome 1: its outcome has at most 1000 characters."),
            .init(pointer: "/lines/0/description", detail: "Line 1: say what it pays for in at most 500 characters."),
            .init(pointer: "/lines/0/staffRole", detail: "Line 1: name the staff role in at most 200 characters."),
        ])) {
            try RequestDraft(title: "Long", outcomes: [IntendedOutcome(outcome: long, measure: "", baseline: "", target: "")],
                             lines: [ProvisionLine(category: .staffing, description: long, staffRole: long, unitCost: Pence(1), quantity: 1, funder: .school)],
                             documents: [DocumentReference(title: "Report", keptAt: " ")]).checkedForSaving()
        }
        var settings = CouncilSettings.standard
        settings.longestFundingTerms = 2
        let project = RequestRulesTests.type("project")
        var draft = RequestDraft(title: "Nurture room", need: "Twelve pupils struggle at lunch", tried: "Lunch club for a term", termsAsked: 3,
                                 outcomes: [IntendedOutcome(outcome: "Calmer lunches", measure: "Incident log", baseline: "", target: "Half")],
                                 lines: [ProvisionLine(category: .environment, description: "Room", unitCost: Pence(100_000), quantity: 1, funder: .cluster)])
        #expect(RequestSubmission.issues(draft, type: project, pupils: 1, settings: settings).map(\.pointer)
                == ["/pupils", "/cohort", "/outcomes/0/baseline", "/termsAsked"])
        draft.cohort = "12 pupils, years 3 to 6, SEMH"
        draft.termsAsked = 2
        draft.outcomes[0].baseline = "Eight a week"
        // Naming no pupil, the request says its areas of need itself.
        #expect(RequestSubmission.issues(draft, type: project, pupils: 0, settings: settings).map(\.pointer) == ["/areasOfNeed"])
        draft.areasOfNeed = [.socialEmotionalAndMentalHealth]
        #expect(RequestSubmission.issues(draft, type: project, pupils: 0, settings: settings).isEmpty)
        // A discussion is not costed: a need is enough.
        #expect(RequestSubmission.issues(RequestDraft(title: "Advice", need: "Selective mutism"), type: RequestRulesTests.type("discussion"), pupils: 1,
                                         settings: settings).isEmpty)
    }
}
