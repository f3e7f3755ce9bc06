import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Store
import Testing
import TestSupport

@Suite("the council's settings and calendar, on pages and in the API")
struct CouncilPagesTests {
    static func pageHeaders(_ signedIn: SignedIn) -> HTTPFields {
        [.cookie: "cf_session=\(signedIn.token)", .csrfToken: signedIn.session.csrfToken, .contentType: "application/x-www-form-urlencoded"]
    }

    static func apiHeaders(_ signedIn: SignedIn) -> HTTPFields {
        [.authorization: "Bearer \(signedIn.token)", .contentType: "application/json"]
    }

    @Test("a settings form with mistakes re-renders with every error beside its field and the officer's input kept")
    func settingsFormErrors() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                let form = "laCode=12&cutOffKind=weekday&submissionCutOffDays=7&submissionCutOffWeekday=wednesday"
                    + "&requestCapPerSchoolPerMeeting=&individualThresholdPounds=six+thousand&longestFundingTerms=3"
                    + "&defaultReservePercent=10&decisionNoticeWorkingDays=7"
                try await client.execute(uri: "/settings", method: .post, headers: Self.pageHeaders(officer), body: ByteBuffer(string: form)) { response in
                    #expect(response.status == .unprocessableContent)
                    let page = text(response)
                    #expect(page.contains("There is a problem"))
                    #expect(page.contains(##"href="#individualThresholdPounds""##))
                    #expect(page.contains(#"value="six thousand""#), "the officer's input is kept")
                    #expect(page.contains(#"value="12""#))
                    #expect(page.contains(#"id="cutOffKind-weekday" name="cutOffKind" type="radio" value="weekday" checked"#))
                }
            }
            let settings = try await CouncilSettingsStore(database: fixture.database).current(officer.session.actor).settings
            #expect(settings.submissionCutOff == .daysBefore(7), "nothing is saved while any field is wrong")
        }
    }

    @Test("a good settings form saves, says so, and shows the cut-off in words")
    func settingsFormSaves() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                let form = "laCode=999&cutOffKind=weekday&submissionCutOffDays=7&submissionCutOffWeekday=wednesday"
                    + "&requestCapPerSchoolPerMeeting=2&individualThresholdPounds=%C2%A36%2C500.00&longestFundingTerms=3"
                    + "&defaultReservePercent=10&decisionNoticeWorkingDays=7"
                try await client.execute(uri: "/settings", method: .post, headers: Self.pageHeaders(officer), body: ByteBuffer(string: form)) { response in
                    #expect(response.status == .seeOther)
                    #expect(response.headers[.location] == "/settings?saved=1")
                }
                try await client.execute(uri: "/settings?saved=1", method: .get, headers: Self.pageHeaders(officer)) { response in
                    let page = text(response)
                    #expect(page.contains("Settings saved."))
                    #expect(page.contains(#"<option value="wednesday" selected>"#))
                    #expect(page.contains(#"value="6500.00""#))
                }
            }
            let settings = try await CouncilSettingsStore(database: fixture.database).current(officer.session.actor).settings
            #expect(settings.laCode == "999")
            #expect(settings.individualThreshold == Pence(650_000))
            #expect(settings.requestCapPerSchoolPerMeeting == 2)
        }
    }

    @Test("a SENCo reads the settings page without a form to change them")
    func settingsReadOnly() async throws {
        try await IdentityFixture.with { fixture in
            let senco = try await fixture.signIn(.senco)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/settings", method: .get, headers: Self.pageHeaders(senco)) { response in
                    #expect(response.status == .ok)
                    let page = text(response)
                    #expect(page.contains("7 days before the meeting"))
                    #expect(!page.contains(#"action="/settings""#))
                }
            }
        }
    }

    @Test("PATCH changes only the fields sent; a bad one answers 422 naming every field and changes nothing")
    func patchSettings() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer, kind: .api)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                let bad = #"{"laCode":"12","defaultReservePercent":"lots","submissionCutOffDays":3,"submissionCutOffWeekday":"friday","longestFundingTerms":"4","secondFactorForEveryone":"true"}"#
                try await client.execute(uri: "/api/v1/council-settings", method: .patch, headers: Self.apiHeaders(officer), body: ByteBuffer(string: bad)) { response in
                    #expect(response.status == .unprocessableContent)
                    let found = try problem(response)
                    #expect(Set(found.errors?.map(\.pointer) ?? []) == [
                        "/defaultReservePercent", "/submissionCutOffWeekday", "/longestFundingTerms", "/secondFactorForEveryone",
                    ], "the API takes numbers and booleans as JSON numbers and booleans, not as text")
                }
                let badRange = #"{"laCode":"12","defaultReservePercent":75}"#
                try await client.execute(uri: "/api/v1/council-settings", method: .patch, headers: Self.apiHeaders(officer), body: ByteBuffer(string: badRange)) { response in
                    #expect(response.status == .unprocessableContent)
                    let found = try problem(response)
                    #expect(Set(found.errors?.map(\.pointer) ?? []) == ["/laCode", "/defaultReservePercent"])
                }
                let good = #"{"laCode":"999","submissionCutOffWeekday":"wednesday","requestCapPerSchoolPerMeeting":null}"#
                try await client.execute(uri: "/api/v1/council-settings", method: .patch, headers: Self.apiHeaders(officer), body: ByteBuffer(string: good)) { response in
                    #expect(response.status == .ok)
                    let body = try JSONSerialization.jsonObject(with: Data(text(response).utf8)) as? [String: Any]
                    #expect(body?["laCode"] as? String == "999")
                    #expect(body?["submissionCutOffWeekday"] as? String == "wednesday")
                    #expect(body?["submissionCutOffDays"] is NSNull)
                    #expect(body?["defaultReservePercent"] as? Int == 10, "a field not sent is left as it was")
                }
            }
            let events = try await fixture.audit.list(officer.session.actor, filter: AuditFilter(entityType: "council_settings"), page: 1).items
            #expect(events.count == 1, "only the accepted change is on the record")
        }
    }

    @Test("a caller who may not change the settings gets 403 whatever body it sends", arguments: ["{}", "not json at all", #"{"laCode":"999"}"#])
    func patchForbidden(body: String) async throws {
        try await IdentityFixture.with { fixture in
            let head = try await fixture.signIn(.headteacher, kind: .api)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/api/v1/council-settings", method: .patch, headers: Self.apiHeaders(head), body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .forbidden)
                }
            }
        }
    }

    @Test("term dates: PUT sets a year, GET reads it back; a reversed term answers 422 at its field")
    func termDatesAPI() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer, kind: .api)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                let dates = #"{"autumnStartsOn":"2030-09-03","autumnEndsOn":"2030-12-20","springStartsOn":"2031-01-06","springEndsOn":"2031-03-28","summerStartsOn":"2031-04-14","summerEndsOn":"2031-07-22"}"#
                try await client.execute(uri: "/api/v1/term-dates/2030", method: .get, headers: Self.apiHeaders(officer)) { response in
                    #expect(response.status == .notFound)
                }
                let reversed = dates.replacingOccurrences(of: "2030-12-20", with: "2030-09-01")
                try await client.execute(uri: "/api/v1/term-dates/2030", method: .put, headers: Self.apiHeaders(officer), body: ByteBuffer(string: reversed)) { response in
                    #expect(response.status == .unprocessableContent)
                    let found = try problem(response)
                    #expect(found.errors?.map(\.pointer).contains("/autumnEndsOn") == true)
                }
                try await client.execute(uri: "/api/v1/term-dates/2030", method: .put, headers: Self.apiHeaders(officer), body: ByteBuffer(string: dates)) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/api/v1/term-dates/2030", method: .get, headers: Self.apiHeaders(officer)) { response in
                    #expect(response.status == .ok)
                    let body = try JSONSerialization.jsonObject(with: Data(text(response).utf8)) as? [String: Any]
                    #expect(body?["summerEndsOn"] as? String == "2031-07-22")
                    #expect(body?["name"] as? String == "2030/31")
                }
            }
        }
    }

    @Test("a closure day on a weekend re-renders the calendar with the error and the typed date kept")
    func closureDayFormError() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                let form = "day=2026-11-28&reason=Training"
                try await client.execute(uri: "/calendar/closure-days", method: .post, headers: Self.pageHeaders(officer), body: ByteBuffer(string: form)) { response in
                    #expect(response.status == .unprocessableContent)
                    let page = text(response)
                    #expect(page.contains("There is a problem"))
                    #expect(page.contains("is a weekend or bank holiday already"))
                    #expect(page.contains(#"value="2026-11-28""#))
                    #expect(page.contains(#"value="Training""#))
                }
                try await client.execute(uri: "/calendar/closure-days", method: .post, headers: Self.pageHeaders(officer),
                                         body: ByteBuffer(string: "day=2026-11-27&reason=Training")) { response in
                    #expect(response.status == .seeOther)
                }
                try await client.execute(uri: "/calendar?year=2026", method: .get, headers: Self.pageHeaders(officer)) { response in
                    let page = text(response)
                    #expect(page.contains("2026-11-27") || page.contains("27 November 2026"))
                    #expect(page.contains("Training"))
                }
            }
        }
    }
}
