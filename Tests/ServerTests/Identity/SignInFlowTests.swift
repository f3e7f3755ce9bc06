import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Store
import Testing
import TestSupport

@Suite("signing in through the pages, and CSRF")
struct SignInFlowTests {
    static func cookie(_ name: String, in response: TestResponse) -> String? {
        response.headers[values: .setCookie].first { $0.hasPrefix(name + "=") }
    }

    static func value(of header: String) -> String {
        String(header.split(separator: ";")[0].split(separator: "=", maxSplits: 1).last ?? "")
    }

    @Test("the sign-in form sets a double-submit cookie; a post without it is refused and signs nobody in")
    func signInCSRF() async throws {
        try await IdentityFixture.with { fixture in
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                let csrf = try await client.execute(uri: "/sign-in", method: .get) { response in
                    #expect(response.status == .ok)
                    let header = try #require(Self.cookie("cf_csrf", in: response))
                    #expect(header.contains("HttpOnly") && header.contains("SameSite=Lax"))
                    let token = Self.value(of: header)
                    #expect(text(response).contains(#"name="csrf_token" value="\#(token)""#))
                    return token
                }
                let form = "email=senco.ashgrove%40example-city.test&password=violet+kettle+harbour"
                try await client.execute(
                    uri: "/sign-in", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: form)
                ) { response in
                    #expect(response.status == .forbidden)
                    #expect(Self.cookie("cf_session", in: response) == nil)
                }
                try await client.execute(
                    uri: "/sign-in", method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "cf_csrf=\(csrf)"],
                    body: ByteBuffer(string: form + "&csrf_token=\(csrf)")
                ) { response in
                    #expect(response.status == .seeOther)
                    #expect(response.headers[.location] == "/")
                    let session = try #require(Self.cookie("cf_session", in: response))
                    #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Path=/"))
                    #expect(!session.contains("Secure"), "not Secure unless configured: the test server speaks plain HTTP")
                    #expect(!session.contains("Max-Age") && !session.contains("Expires"), "a browser session cookie ends when the browser closes")
                }
            }
        }
    }

    @Test("cookies are Secure, and named with the __Host- prefix, when COOKIE_SECURE=1 or the base URL is https, and only then")
    func secureCookies() async throws {
        #expect(ServerConfiguration.cookieSecure(environment: ["COOKIE_SECURE": "1"]))
        #expect(ServerConfiguration.cookieSecure(environment: ["CLUSTERFUND_BASE_URL": "HTTPS://send.example-city.gov.uk"]))
        #expect(!ServerConfiguration.cookieSecure(environment: ["CLUSTERFUND_BASE_URL": "http://127.0.0.1:8080"]))
        #expect(!ServerConfiguration.cookieSecure(environment: ["COOKIE_SECURE": "0"]))
        #expect(!ServerConfiguration.cookieSecure(environment: [:]))
        try await IdentityFixture.with { fixture in
            try await withApp(database: fixture.database, clock: fixture.clock.clock, configuration: ServerConfiguration(cookieSecure: true)) { client, _ in
                try await client.execute(uri: "/sign-in", method: .get) { response in
                    let csrf = try #require(Self.cookie("__Host-cf_csrf", in: response))
                    #expect(csrf.contains("; Secure") && csrf.contains("Path=/") && !csrf.contains("Domain="))
                    #expect(Self.cookie("cf_csrf", in: response) == nil)
                }
                let form = "email=senco.ashgrove%40example-city.test&password=violet+kettle+harbour&csrf_token=t0k"
                // A double-submit token under the unprefixed name could have been planted by a neighbouring subdomain.
                try await client.execute(
                    uri: "/sign-in", method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "cf_csrf=t0k"], body: ByteBuffer(string: form)
                ) { #expect($0.status == .forbidden) }
                let token = try await client.execute(
                    uri: "/sign-in", method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "__Host-cf_csrf=t0k"], body: ByteBuffer(string: form)
                ) { response in
                    #expect(response.status == .seeOther)
                    let session = try #require(Self.cookie("__Host-cf_session", in: response))
                    #expect(session.contains("; Secure") && session.contains("HttpOnly") && session.contains("Path=/") && !session.contains("Domain="))
                    #expect(!session.contains("Max-Age") && !session.contains("Expires"), "a browser session cookie ends when the browser closes")
                    return Self.value(of: session)
                }
                try await client.execute(uri: "/account", method: .get, headers: [.cookie: "__Host-cf_session=\(token)"]) { #expect($0.status == .ok) }
                try await client.execute(uri: "/account", method: .get, headers: [.cookie: "cf_session=\(token)"]) {
                    #expect($0.status == .ok, "a session from before the switch to https still works")
                }
            }
        }
    }

    @Test("an officer's right password leads to the code step, and the right code to a session")
    func twoStep() async throws {
        try await IdentityFixture.with { fixture in
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .cookie: "cf_csrf=t0k"]
                let challenge = try await client.execute(
                    uri: "/sign-in", method: .post, headers: form,
                    body: ByteBuffer(string: "email=officer%40example-city.test&password=violet+kettle+harbour&csrf_token=t0k")
                ) { response in
                    #expect(response.status == .seeOther)
                    #expect(response.headers[.location] == "/sign-in/code")
                    #expect(Self.cookie("cf_session", in: response) == nil, "no session before the second factor")
                    let header = try #require(Self.cookie("cf_challenge", in: response))
                    #expect(header.contains("HttpOnly") && header.contains("Max-Age=300"))
                    return Self.value(of: header)
                }
                var withChallenge = form
                withChallenge[.cookie] = "cf_csrf=t0k; cf_challenge=\(challenge)"
                try await client.execute(uri: "/sign-in/code", method: .get, headers: withChallenge) { response in
                    #expect(response.status == .ok)
                    #expect(text(response).contains("Enter your code"))
                }
                try await client.execute(uri: "/sign-in/code", method: .post, headers: withChallenge, body: ByteBuffer(string: "code=000000&csrf_token=t0k")) { response in
                    #expect(response.status == .unauthorized)
                    #expect(text(response).contains("Enter a correct code"))
                }
                let code = TOTP.code(secret: TOTP.secret(base32: IdentityFixture.totpSecret) ?? [], at: fixture.clock.now)
                try await client.execute(uri: "/sign-in/code", method: .post, headers: withChallenge, body: ByteBuffer(string: "code=\(code)&csrf_token=t0k")) { response in
                    #expect(response.status == .seeOther)
                    #expect(Self.cookie("cf_session", in: response) != nil)
                    #expect(Self.cookie("cf_challenge", in: response)?.contains("Max-Age=0") == true)
                }
                // The challenge is spent: the same cookie cannot sign in twice.
                try await client.execute(uri: "/sign-in/code", method: .get, headers: withChallenge) { #expect($0.status == .seeOther) }
            }
        }
    }

    @Test("a wrong password re-renders the form with the email kept and one message for every failure")
    func wrongPassword() async throws {
        try await IdentityFixture.with { fixture in
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(
                    uri: "/sign-in", method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "cf_csrf=t0k"],
                    body: ByteBuffer(string: "email=officer%40example-city.test&password=nope&csrf_token=t0k")
                ) { response in
                    #expect(response.status == .unauthorized)
                    let html = text(response)
                    #expect(html.contains("There is a problem") && html.contains("Enter a correct email address and password."))
                    #expect(html.contains(#"value="officer@example-city.test""#))
                    #expect(!html.contains("nope"))
                }
            }
        }
    }

    @Test("a signed-in browser's form without the session's CSRF token changes nothing")
    func signedInCSRF() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                let headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .cookie: "cf_session=\(officer.token)"]
                try await client.execute(uri: "/users", method: .post, headers: headers, body: ByteBuffer(string: "email=x%40example-city.test&displayName=X")) { response in
                    #expect(response.status == .forbidden)
                }
                try await client.execute(
                    uri: "/users", method: .post, headers: headers,
                    body: ByteBuffer(string: "email=x%40example-city.test&displayName=X&csrf_token=wrong-token")
                ) { #expect($0.status == .forbidden) }
                try await client.execute(
                    uri: "/users", method: .post, headers: headers,
                    body: ByteBuffer(string: "email=x%40example-city.test&displayName=X&csrf_token=\(officer.session.csrfToken)")
                ) { #expect($0.status == .seeOther) }
            }
            let listed = try await fixture.users.list(officer.session.actor, page: 1).items.filter { $0.email == "x@example-city.test" }
            #expect(listed.count == 1, "only the request with the right token created the user")
        }
    }

    @Test("signing out ends the session and clears the cookie")
    func signOut() async throws {
        try await IdentityFixture.with { fixture in
            let senco = try await fixture.signIn(.senco)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                let cookie: HTTPFields = [.cookie: "cf_session=\(senco.token)"]
                try await client.execute(uri: "/account", method: .get, headers: cookie) { #expect($0.status == .ok) }
                var post = cookie
                post[.contentType] = "application/x-www-form-urlencoded"
                try await client.execute(uri: "/sign-out", method: .post, headers: post, body: ByteBuffer(string: "csrf_token=\(senco.session.csrfToken)")) { response in
                    #expect(response.status == .seeOther)
                    #expect(Self.cookie("cf_session", in: response)?.contains("Max-Age=0") == true)
                }
                try await client.execute(uri: "/account", method: .get, headers: cookie) { response in
                    #expect(response.status == .seeOther)
                    #expect(response.headers[.location] == "/sign-in")
                }
            }
        }
    }

    @Test("an invalid bearer token is refused outright, not treated as anonymous")
    func badBearer() async throws {
        try await IdentityFixture.with { fixture in
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Bearer not-a-real-token"]) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                }
            }
        }
    }
}

@Suite("denials are audited")
struct DenialAuditTests {
    @Test("a SENCo refused the users page, and a form without its CSRF token, are both in the audit trail")
    func denialsAudited() async throws {
        try await IdentityFixture.with { fixture in
            let senco = try await fixture.signIn(.senco)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/users", method: .get, headers: [.cookie: "cf_session=\(senco.token)"]) { #expect($0.status == .forbidden) }
                try await client.execute(
                    uri: "/account/password", method: .post,
                    headers: [.cookie: "cf_session=\(senco.token)", .contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "currentPassword=x&newPassword=y")
                ) { #expect($0.status == .forbidden) }
            }
            let officer = try await fixture.signIn(.officer).session.actor
            let denials = try await fixture.audit.list(officer, filter: AuditFilter(actor: senco.session.actor.userID, entityType: "route"), page: 1).items
            #expect(Set(denials.compactMap(\.entityId)) == ["GET /users", "POST /account/password"])
            #expect(denials.allSatisfy { $0.action == "permission.denied" && $0.after?["reason"]?.isEmpty == false })
        }
    }
}
