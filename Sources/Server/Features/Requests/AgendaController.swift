import Domain
import Foundation
import Hummingbird
import Store

/// A meeting's agenda as a printable page, for anyone who sees the meeting: the same rows as the API, each pupil as
/// `meeting_agenda` lets the reader see them. The read is audited by the store.
struct AgendaController {
    let pages: Pages
    let requests: RequestStore
    let meetings: MeetingStore

    func addRoutes(to routes: RouteTable) {
        routes.signedInPages.get("/meetings/{meetingId}/agenda", use: show)
    }

    struct Page: Sendable {
        struct Item: Sendable {
            var number: Int
            var title: String
            var type: String
            var schools: String
            var ask: String
            var state: String
            var outcomes: [String]
            var hasOutcomes: Bool
            var pupils: [String]
            var hasPupils: Bool
            var advice: [String]
            var hasAdvice: Bool
        }

        var layout: Layout
        var meetingID: String
        var heading: String
        var caption: String
        var items: [Item]
        var hasItems: Bool
    }

    static func describe(_ pupil: AgendaPupil) -> String {
        if let name = pupil.name { return name }
        if let pseudonym = pupil.pseudonym { return pseudonym }
        return pupil.withheld == "consent_withdrawn" ? "Details withheld: consent withdrawn" : "Details withheld: no consent to share with the panel"
    }

    @Sendable func show(_ request: Request, context: SignedInContext) async throws -> Response {
        let session = context.session
        guard let text = context.parameters.get("meetingId"), let id = ID<Meeting>(text) else { throw DomainError.notFound("There is no such meeting.") }
        let meeting = try await meetings.meeting(session.actor, id)
        let items = try await requests.agenda(session.actor, meeting: id, request: context.requestInfo(request))
        let page = Page(
            layout: Layout(title: "Agenda", path: "/meetings", session: session), meetingID: id.description,
            heading: "Agenda", caption: "\(meeting.kind.label), \(MeetingController.longDate(meeting.meetsOn))",
            items: items.enumerated().map { index, item in
                Page.Item(number: index + 1, title: item.title, type: item.typeName,
                          schools: ([item.leadSchool] + item.partnerSchools).joined(separator: ", "), ask: item.ask.formatted,
                          state: item.state == .nominated ? "Nominated" : "To discuss",
                          outcomes: item.outcomes.map { "\($0.outcome): \($0.measure), from \($0.baseline) to \($0.target)" }, hasOutcomes: !item.outcomes.isEmpty,
                          pupils: item.pupils.map(Self.describe), hasPupils: !item.pupils.isEmpty,
                          advice: item.advice.map { "\($0.author), \($0.givenOn): \($0.summary)" + ($0.recommendations.isEmpty ? "" : " Recommendations: \($0.recommendations)") },
                          hasAdvice: !item.advice.isEmpty)
            },
            hasItems: !items.isEmpty)
        return try pages.render("agenda", page)
    }
}
