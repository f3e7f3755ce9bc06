import Domain
import Testing

@Suite("what waits on whom, and the panel's questions")
struct RequestQueueTests {
    @Test("a request waits on whoever may submit, confirm, endorse or nominate it now; a possible withdrawal or return is no work waiting")
    func waitsOn() {
        #expect(RequestLifecycle.waitsOn(RequestSituation(state: .submitted, endorsementsOutstanding: 1), by: [.leadHeadteacher]))
        #expect(RequestLifecycle.waitsOn(RequestSituation(state: .draft, confirmationsOutstanding: 1), by: [.partnerSenco]))
        #expect(RequestLifecycle.waitsOn(RequestSituation(state: .scheduled), by: [.chair]))
        // The lead SENCo may withdraw a submitted request, but nothing waits on them.
        #expect(!RequestLifecycle.waitsOn(RequestSituation(state: .submitted, endorsementsOutstanding: 1), by: [.leadSenco]))
        // Held: the chair may still return it with questions, but not nominate it.
        #expect(!RequestLifecycle.waitsOn(RequestSituation(state: .scheduled, hold: "a pupil moved school"), by: [.chair]))
    }

    @Test("the panel's questions are said, in at most 5,000 characters, and kept trimmed")
    func questions() throws {
        #expect(try RequestLifecycle.checkedQuestions("  Which outcomes?  ") == "Which outcomes?")
        for bad in [nil, "   ", String(repeating: "x", count: 5001)] {
            #expect(throws: DomainError.validation([.init(pointer: "/questions", detail: "Say what the panel asks the school, in at most 5,000 characters.")])) {
                try RequestLifecycle.checkedQuestions(bad)
            }
        }
    }
}
