import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
@testable import Store
import PQ
import Testing
import TestSupport

@Suite("meetings on pages and in the API")
struct MeetingPagesTests {
    static func page(_ signedIn: SignedIn) -> HTTPFields {
        [.cookie: "cf_session=\(signedIn.token)", .csrfToken: signedIn.session.csrfToken, .contentType: "application/x-www-form-urlencoded"]
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text(response).utf8)) as? [String: Any] ?? [:]
    }

    @Test("an officer generates a year on the page; a refused pattern re-renders with every error and the input kept; a SENCo may not generate")
    func generatePage() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            let senco = try await fixture.signIn(.senco, address: "10.5.0.1")
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                let bad = "academicYear=2026&planningWeek=5&allocationWeek=5&weekday=tuesday&startsAt=25%3A00&place=Hall+B&onlineLink=http%3A%2F%2Fx"
                try await client.execute(uri: "/meetings/generate", method: .post, headers: Self.page(officer), body: ByteBuffer(string: bad)) { response in
                    let html = text(response)
                    #expect(response.status == .unprocessableContent)
                    #expect(html.contains(##"href="#startsAt""##) && html.contains(##"href="#onlineLink""##))
                    #expect(html.contains(#"value="25:00""#) && html.contains(#"value="Hall B""#), "the input is kept")
                }
                let good = "academicYear=2026&planningWeek=3&allocationWeek=5&weekday=tuesday&startsAt=15%3A30&place=Civic+Centre&onlineLink="
                try await client.execute(uri: "/meetings/generate", method: .post, headers: Self.page(senco), body: ByteBuffer(string: good)) { response in
                    #expect(response.status == .forbidden)
                }
                try await client.execute(uri: "/meetings/generate", method: .post, headers: Self.page(officer), body: ByteBuffer(string: good)) { response in
                    #expect(response.status == .seeOther)
                    #expect(response.headers[.location] == "/meetings?year=2026&created=12&kept=0")
                }
                try await client.execute(uri: "/meetings?year=2026&clusterId=", method: .get, headers: Self.page(senco)) { response in
                    let html = text(response)
                    #expect(response.status == .ok)
                    #expect(html.contains("Tuesday 15 September 2026") && html.contains("North Locality") && !html.contains("South Locality"))
                    #expect(!html.contains(#"action="/meetings/generate""#), "no generate form for a SENCo")
                }
                try await client.execute(uri: "/meetings?term=winter", method: .get, headers: Self.page(officer)) { response in
                    #expect(response.status == .unprocessableContent)
                    #expect(text(response).contains("Choose autumn, spring or summer."))
                }
            }
        }
    }

    @Test("an officer moves a meeting on its page and a bad date re-renders; a SENCo reads it but cannot cancel it")
    func meetingPage() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            let senco = try await fixture.signIn(.senco, address: "10.5.0.1")
            let store = MeetingStore(database: fixture.database, clock: fixture.clock.clock)
            let pattern = try SchedulePattern(planningWeek: 3, allocationWeek: 5, weekday: .tuesday, startsAt: #require(TimeOfDay(hour: 15, minute: 30)))
            _ = try await store.generate(officer.session.actor, year: AcademicYear(2026), pattern: pattern, place: "Civic Centre", onlineLink: nil,
                                         request: fixture.request())
            let meetings = try await store.list(senco.session.actor, filter: MeetingFilter(academicYear: AcademicYear(2026)), page: 1).items
            let meeting = try #require(meetings.first)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/meetings/\(meeting.id)", method: .get, headers: Self.page(senco)) { response in
                    let html = text(response)
                    #expect(response.status == .ok && html.contains("Civic Centre") && html.contains("Submissions close"))
                    #expect(!html.contains("Cancel the meeting"))
                }
                let moved = "meetsOn=2026-09-16&startsAt=16%3A00&place=Civic+Centre&onlineLink=&chairUserId=&cutOffOn="
                try await client.execute(uri: "/meetings/\(meeting.id)", method: .post, headers: Self.page(officer), body: ByteBuffer(string: moved)) { response in
                    #expect(response.status == .seeOther)
                }
                #expect(try await store.meeting(officer.session.actor, meeting.id).meetsOn.iso == "2026-09-16")
                let badDate = "meetsOn=2026-09-19&startsAt=16%3A00&place=Civic+Centre&onlineLink=&chairUserId=&cutOffOn="
                try await client.execute(uri: "/meetings/\(meeting.id)", method: .post, headers: Self.page(officer), body: ByteBuffer(string: badDate)) { response in
                    let html = text(response)
                    #expect(response.status == .unprocessableContent)
                    #expect(html.contains(##"href="#meetsOn""##) && html.contains(#"value="2026-09-19""#))
                }
                try await client.execute(uri: "/meetings/\(meeting.id)/cancel", method: .post, headers: Self.page(senco), body: ByteBuffer(string: "reason=No")) { response in
                    #expect(response.status == .forbidden)
                }
                try await client.execute(uri: "/meetings/\(meeting.id)/cancel", method: .post, headers: Self.page(officer), body: ByteBuffer(string: "reason=")) { response in
                    #expect(response.status == .unprocessableContent)
                    #expect(text(response).contains(##"href="#reason""##))
                }
            }
        }
    }

    @Test("the API generates, lists with filters, changes and cancels; null and wrong types are refused, and nothing changes")
    func api() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer, kind: .api)
            let senco = try await fixture.signIn(.senco, kind: .api, address: "10.5.0.2")
            let headers: HTTPFields = [.authorization: "Bearer \(officer.token)", .contentType: "application/json"]
            let sencoHeaders: HTTPFields = [.authorization: "Bearer \(senco.token)", .contentType: "application/json"]
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                let pattern = #"{"academicYear":2026,"planningWeek":3,"allocationWeek":5,"weekday":"tuesday","startsAt":"15:30","place":"Civic Centre"}"#
                try await client.execute(uri: "/api/v1/meetings/generate", method: .post, headers: sencoHeaders, body: ByteBuffer(string: pattern)) { response in
                    #expect(response.status == .forbidden)
                }
                let stringly = #"{"academicYear":"2026","planningWeek":3,"allocationWeek":5,"weekday":"tuesday","startsAt":"15:30","place":"Civic Centre"}"#
                try await client.execute(uri: "/api/v1/meetings/generate", method: .post, headers: headers, body: ByteBuffer(string: stringly)) { response in
                    #expect(response.status == .unprocessableContent, "a number sent as text")
                }
                try await client.execute(uri: "/api/v1/meetings/generate", method: .post, headers: headers, body: ByteBuffer(string: pattern)) { response in
                    let body = try Self.json(response)
                    #expect(response.status == .ok && body["created"] as? Int == 12)
                }
                var id = ""
                try await client.execute(uri: "/api/v1/meetings?year=2026&kind=allocation&term=spring", method: .get, headers: sencoHeaders) { response in
                    let items = try Self.json(response)["items"] as? [[String: Any]] ?? []
                    #expect(items.count == 1 && items.first?["meetsOn"] as? String == "2027-02-02")
                    id = items.first?["id"] as? String ?? ""
                }
                try await client.execute(uri: "/api/v1/meetings/\(id)", method: .patch, headers: headers, body: ByteBuffer(string: #"{"startsAt":null}"#)) { response in
                    #expect(response.status == .unprocessableContent)
                }
                try await client.execute(uri: "/api/v1/meetings/\(id)", method: .patch, headers: headers,
                                         body: ByteBuffer(string: #"{"meetsOn":"2027-02-03","onlineLink":"https://meet.example.test/spring"}"#)) { response in
                    let body = try Self.json(response)
                    #expect(response.status == .ok)
                    #expect(body["meetsOn"] as? String == "2027-02-03" && body["cutOffOn"] as? String == "2027-01-27" && body["startsAt"] as? String == "15:30")
                }
                try await client.execute(uri: "/api/v1/meetings/\(id)/cancel", method: .post, headers: headers, body: ByteBuffer(string: #"{"reason":"Snow"}"#)) { response in
                    let body = try Self.json(response)
                    #expect(body["status"] as? String == "cancelled" && body["cancelledReason"] as? String == "Snow")
                }
                try await client.execute(uri: "/api/v1/meetings?status=cancelled&year=", method: .get, headers: headers) { response in
                    #expect(response.status == .unprocessableContent, "an empty filter is a mistake in the API")
                }
            }
        }
    }

    @Test("through the routes, a SENCo reaches last year's meetings of the cluster their school left but not this year's; an EP none of another cluster's")
    func yearScopeRoutes() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer, kind: .api)
            let senco = try await fixture.signIn(.senco, kind: .api, address: "10.5.0.3")
            let psychologist = try await fixture.signIn(.psychologist, kind: .api, address: "10.5.0.4")
            let store = MeetingStore(database: fixture.database, clock: fixture.clock.clock)
            let clusters = try await ClusterStore(database: fixture.database, clock: fixture.clock.clock).list(officer.session.actor, year: AcademicYear(2026))
            let south = try #require(clusters.first { $0.name == "South Locality" }?.id)
            let school = try #require(senco.session.actor.schools().first)
            let pattern = try SchedulePattern(planningWeek: 3, allocationWeek: 5, weekday: .tuesday, startsAt: #require(TimeOfDay(hour: 15, minute: 30)))
            _ = try await store.generate(officer.session.actor, year: AcademicYear(2026), pattern: pattern, place: "Civic Centre", onlineLink: nil,
                                         request: fixture.request())
            // 2025/26, as recorded then: the SENCo's school was in South Locality, which met.
            try await fixture.asOwner { tx in
                try await tx.execute("INSERT INTO cluster_memberships (school_id, cluster_id, academic_year) VALUES (\(school), \(south), 2025)")
                guard let terms = try await CalendarStore.termDates(year: AcademicYear(2025), in: tx) else { throw DomainError.notFound("2025 terms") }
                _ = try await MeetingStore.schedule(pattern.slots(for: terms, workingDays: WorkingDays()), cluster: south, year: AcademicYear(2025),
                                                    startsAt: pattern.startsAt, place: "Old hall", onlineLink: nil, rule: .standard, in: tx)
            }
            let lastYear = try #require(try await store.list(officer.session.actor, filter: MeetingFilter(academicYear: AcademicYear(2025), clusterID: south), page: 1).items.first)
            let thisYear = try #require(try await store.list(officer.session.actor, filter: MeetingFilter(academicYear: AcademicYear(2026), clusterID: south), page: 1).items.first)
            let asSenco: HTTPFields = [.authorization: "Bearer \(senco.token)"]
            let asPsychologist: HTTPFields = [.authorization: "Bearer \(psychologist.token)"]
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/api/v1/meetings/\(lastYear.id)", method: .get, headers: asSenco) { response in
                    #expect(response.status == .ok, "last year's meeting of the cluster the school was in then")
                }
                try await client.execute(uri: "/api/v1/meetings/\(thisYear.id)", method: .get, headers: asSenco) { response in
                    #expect(response.status == .notFound, "this year's meeting of the cluster the school left")
                }
                try await client.execute(uri: "/api/v1/meetings?clusterId=\(south)", method: .get, headers: asSenco) { response in
                    let items = try Self.json(response)["items"] as? [[String: Any]] ?? []
                    #expect(items.count == 6 && items.allSatisfy { $0["academicYear"] as? Int == 2025 })
                }
                for id in [lastYear.id, thisYear.id] {
                    try await client.execute(uri: "/api/v1/meetings/\(id)", method: .get, headers: asPsychologist) { response in
                        #expect(response.status == .notFound, "an EP of North Locality reaches no South meeting")
                    }
                }
                try await client.execute(uri: "/api/v1/clusters/\(south)", method: .get, headers: asPsychologist) { response in
                    #expect(response.status == .notFound, "nor the cluster")
                }
                try await client.execute(uri: "/meetings/\(thisYear.id)", method: .get, headers: [.cookie: "cf_session=\(senco.token)"]) { response in
                    #expect(response.status != .ok)
                }
            }
        }
    }
}
