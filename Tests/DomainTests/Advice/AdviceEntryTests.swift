import Domain
import Testing

@Suite("EP advice: what an entry holds")
struct AdviceEntryTests {
    let today = CalendarDate(iso: "2026-11-18")!

    func entry(given: String, followUp: String? = nil, summary: String = "Seen in class") -> AdviceEntry {
        AdviceEntry(givenOn: CalendarDate(iso: given)!, kind: .observation, summary: summary, followUpOn: followUp.flatMap(CalendarDate.init(iso:)))
    }

    @Test("a summary, a date not in the future nor over a year back, a follow-up on or after the advice and within a year: every problem at once")
    func checks() throws {
        #expect(try entry(given: "2026-11-18", followUp: "2026-11-18", summary: "  Seen  ").checked(today: today).summary == "Seen")
        #expect(throws: DomainError.validation([
            .init(pointer: "/summary", detail: "Summarise the advice in at most 5,000 characters."),
            .init(pointer: "/givenOn", detail: "The advice cannot have been given after today."),
        ])) { try entry(given: "2026-11-19", summary: " ").checked(today: today) }
        #expect(throws: DomainError.validation([.init(pointer: "/givenOn", detail: "Advice is logged within a year of being given.")])) {
            try entry(given: "2025-11-16").checked(today: today)
        }
        for followUp in ["2026-11-17", "2027-11-20"] {
            #expect(throws: DomainError.self) { try entry(given: "2026-11-18", followUp: followUp).checked(today: today) }
        }
    }

    @Test("a follow-up is due on its day and after, not before")
    func due() {
        #expect(AdviceRules.isDue(CalendarDate(iso: "2026-11-18"), today: today))
        #expect(AdviceRules.isDue(CalendarDate(iso: "2026-11-01"), today: today))
        #expect(!AdviceRules.isDue(CalendarDate(iso: "2026-11-19"), today: today))
        #expect(!AdviceRules.isDue(nil, today: today))
    }
}
