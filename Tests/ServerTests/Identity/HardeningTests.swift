import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Store
import Testing
import TestSupport

@Suite("transport, caching and links")
struct TransportTests {
    @Test("HSTS is sent when the base URL is https, and not otherwise")
    func strictTransportSecurity() async throws {
        try await withAppDatabase { database in
            try await withApp(database: database, configuration: ServerConfiguration(baseURL: "https://send.example-city.gov.uk")) { client, _ in
                try await client.execute(uri: "/sign-in", method: .get) { response in
                    #expect(response.headers[.strictTransportSecurity] == "max-age=31536000")
                }
            }
            try await withApp(database: database, configuration: ServerConfiguration(baseURL: "http://127.0.0.1:8080")) { client, _ in
                try await client.execute(uri: "/sign-in", method: .get) { #expect($0.headers[.strictTransportSecurity] == nil) }
            }
        }
    }

    @Test("every response to a signed-in request, page or API, and the code page are never stored; anonymous pages may be")
    func noStore() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            let senco = try await fixture.signIn(.senco, kind: .api, address: "10.4.0.2")
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                for uri in ["/", "/account", "/users", "/audit", "/users/\(officer.session.actor.userID)"] {
                    try await client.execute(uri: uri, method: .get, headers: [.cookie: "cf_session=\(officer.token)"]) { response in
                        #expect(response.headers[.cacheControl] == "no-store", "GET \(uri)")
                    }
                }
                for uri in ["/api/v1/me", "/api/v1/users", "/api/v1/audit-events"] {
                    try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(senco.token)"]) { response in
                        #expect(response.headers[.cacheControl] == "no-store", "GET \(uri)")
                    }
                }
                try await client.execute(uri: "/", method: .get) { #expect($0.headers[.cacheControl] == nil) }
                // The code page, before any session: it shows the authenticator secret while enrolling.
                let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .cookie: "cf_csrf=t0k"]
                let challenge = try await client.execute(
                    uri: "/sign-in", method: .post, headers: form,
                    body: ByteBuffer(string: "email=officer%40example-city.test&password=violet+kettle+harbour&csrf_token=t0k")
                ) { response in
                    let header = try #require(SignInFlowTests.cookie("cf_challenge", in: response))
                    return SignInFlowTests.value(of: header)
                }
                var withChallenge = form
                withChallenge[.cookie] = "cf_csrf=t0k; cf_challenge=\(challenge)"
                try await client.execute(uri: "/sign-in/code", method: .get, headers: withChallenge) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.cacheControl] == "no-store")
                }
                try await client.execute(uri: "/sign-in/code", method: .post, headers: withChallenge, body: ByteBuffer(string: "code=000000&csrf_token=t0k")) {
                    response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.cacheControl] == "no-store")
                }
            }
        }
    }

    @Test("set-password links on pages use the configured base URL, never the Host; without one, none is issued")
    func linksNeverFromHost() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            let senco = try await fixture.signIn(.senco, address: "10.4.0.3")
            let uri = "/users/\(senco.session.actor.userID)/password-link"
            let headers: HTTPFields = [
                .cookie: "cf_session=\(officer.token)", .csrfToken: officer.session.csrfToken,
                .contentType: "application/x-www-form-urlencoded", HTTPField.Name("Host")!: "attacker.example",
            ]
            func issued() async throws -> Int {
                try await fixture.audit.list(officer.session.actor, filter: AuditFilter(entityType: "user"), page: 1, size: 200).items
                    .filter { $0.action == "password_link.issued" }.count
            }
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: uri, method: .post, headers: headers) { response in
                    #expect(response.status == .serviceUnavailable)
                    let page = text(response)
                    #expect(page.contains("CLUSTERFUND_BASE_URL") && !page.contains("set-password?token="))
                    #expect(!page.contains("attacker.example"))
                }
            }
            #expect(try await issued() == 0)
            let configured = ServerConfiguration(baseURL: "https://send.example-city.gov.uk")
            try await withApp(database: fixture.database, clock: fixture.clock.clock, configuration: configured) { client, _ in
                try await client.execute(uri: uri, method: .post, headers: headers) { response in
                    #expect(response.status == .ok)
                    let page = text(response)
                    #expect(page.contains("https://send.example-city.gov.uk/set-password?token="))
                    #expect(!page.contains("attacker.example"))
                }
            }
            #expect(try await issued() == 1)
        }
    }
}

@Suite("device cookies")
struct DeviceCookiePageTests {
    @Test("signing in through the page sets a device cookie that lets its browser in past its address's block")
    func deviceCookieThroughThePage() async throws {
        try await IdentityFixture.with { fixture in
            let proxied = ServerConfiguration(trustedProxies: try AddressRanges(parsing: "127.0.0.1, ::1"))
            try await withApp(database: fixture.database, clock: fixture.clock.clock, configuration: proxied, setup: .live) { client, _ in
                let address = HTTPField.Name("X-Forwarded-For")!
                let form = "email=senco.ashgrove%40example-city.test&password=violet+kettle+harbour&csrf_token=t0k"
                func signIn(cookies: String) async throws -> TestResponse {
                    try await client.execute(
                        uri: "/sign-in", method: .post,
                        headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookies, address: "203.0.113.50"],
                        body: ByteBuffer(string: form)
                    ) { $0 }
                }
                let first = try await signIn(cookies: "cf_csrf=t0k")
                #expect(first.status == .seeOther)
                let header = try #require(SignInFlowTests.cookie("cf_device", in: first))
                #expect(header.contains("HttpOnly") && header.contains("SameSite=Strict") && header.contains("Max-Age=15552000"))
                let device = SignInFlowTests.value(of: header)
                for _ in 0..<20 { _ = try await ClientAddressTests.failSignIn(client, from: "203.0.113.50") }
                #expect(try await signIn(cookies: "cf_csrf=t0k").status == .tooManyRequests)
                #expect(try await signIn(cookies: "cf_csrf=t0k; cf_device=\(device)").status == .seeOther)
            }
        }
    }
}

@Suite("what anyone can write into the audit trail")
struct AuditFloodTests {
    @Test("a CSRF refusal of a signed-in person is audited under the route's pattern with a fixed reason, never the path sent")
    func csrfRefusalUsesThePattern() async throws {
        try await IdentityFixture.with { fixture in
            let senco = try await fixture.signIn(.senco)
            let long = String(repeating: "x", count: 200)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(
                    uri: "/users/\(long)/roles", method: .post,
                    headers: [.cookie: "cf_session=\(senco.token)", .contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "role=officer")
                ) { #expect($0.status == .forbidden) }
            }
            let officer = try await fixture.signIn(.officer).session.actor
            let denials = try await fixture.audit.list(officer, filter: AuditFilter(actor: senco.session.actor.userID, entityType: "route"), page: 1).items
            #expect(denials.map(\.entityId) == ["POST /users/{userId}/roles"])
            #expect(denials.first?.after == ["reason": "The form did not carry its CSRF token."])
        }
    }

    @Test("refusals of people who are not signed in write nothing to the trail")
    func anonymousRefusalsNotAudited() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer).session.actor
            let before = try await fixture.audit.list(officer, filter: AuditFilter(), page: 1).total
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                for index in 0..<5 {
                    // No double-submit cookie: a CSRF refusal of an anonymous form post.
                    try await client.execute(
                        uri: "/sign-in", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                        body: ByteBuffer(string: "email=a\(index)%40example-city.test&password=x&csrf_token=t0k")
                    ) { #expect($0.status == .forbidden) }
                }
            }
            #expect(try await fixture.audit.list(officer, filter: AuditFilter(), page: 1).total == before)
        }
    }
}

@Suite("IPv6 clients are throttled by /64")
struct IPv6ThrottleTests {
    @Test("an IPv6 address counts as its /64; IPv4 and text that is not an address count as themselves")
    func units() {
        #expect(AddressRanges.throttleUnit(of: "2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64")
        #expect(AddressRanges.throttleUnit(of: "2001:DB8:1:2::99") == "2001:db8:1:2::/64")
        #expect(AddressRanges.throttleUnit(of: "2001:db8:1:3::1") == "2001:db8:1:3::/64")
        #expect(AddressRanges.throttleUnit(of: "203.0.113.9") == "203.0.113.9")
        #expect(AddressRanges.throttleUnit(of: "::ffff:203.0.113.9") == "203.0.113.9")
        #expect(AddressRanges.throttleUnit(of: "unknown") == "unknown")
    }

    @Test("twenty failures from different addresses of one /64 block the whole /64, not the next one; the trail keeps each address")
    func slash64() async throws {
        try await IdentityFixture.with { fixture in
            let proxied = ServerConfiguration(trustedProxies: try AddressRanges(parsing: "127.0.0.1, ::1"))
            try await withApp(database: fixture.database, clock: fixture.clock.clock, configuration: proxied, setup: .live) { client, _ in
                var statuses: [HTTPResponse.Status] = []
                for host in 1...20 { statuses.append(try await ClientAddressTests.failSignIn(client, from: "2001:db8:1:2::\(String(host, radix: 16))")) }
                let sameNetwork = try await ClientAddressTests.failSignIn(client, from: "2001:db8:1:2:ffff::1")
                let nextNetwork = try await ClientAddressTests.failSignIn(client, from: "2001:db8:1:3::1")
                #expect(statuses == Array(repeating: .unauthorized, count: 20))
                #expect(sameNetwork == .tooManyRequests)
                #expect(nextNetwork == .unauthorized)
            }
            let officer = try await fixture.signIn(.officer)
            let trail = try await fixture.audit.list(officer.session.actor, filter: .init(entityType: "user"), page: 1, size: 50).items
            #expect(trail.contains { $0.action == "sign_in.failed" && $0.clientAddress == "2001:db8:1:2::14" })
        }
    }
}
