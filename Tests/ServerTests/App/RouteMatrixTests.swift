import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Store
import Testing
import TestSupport

/// Every registered route, called by every role and by nobody, must answer as this table says. A route added
/// without a row here fails the test, so access is decided on purpose for each new endpoint.
@Suite("every route, for every role")
struct RouteMatrixTests {
    enum Caller: String, CaseIterable, Sendable {
        case anonymous, senco, headteacher, psychologist, officer
    }

    /// Expected status per caller: [anonymous, senco, headteacher, psychologist, officer].
    /// Pages send a visitor who is not signed in to sign in (303); the API answers 401.
    static let expected: [String: [Int]] = [
        "GET /health": [200, 200, 200, 200, 200],
        "GET /ready": [200, 200, 200, 200, 200],
        // Only the scraper's token opens it, and none is configured here.
        "GET /metrics": [404, 404, 404, 404, 404],
        "GET /openapi.json": [200, 200, 200, 200, 200],
        "GET /": [200, 200, 200, 200, 200],
        "GET /sign-in": [200, 303, 303, 303, 303],
        "POST /sign-in": [401, 401, 401, 401, 401],
        "GET /sign-in/code": [303, 303, 303, 303, 303],
        "POST /sign-in/code": [303, 303, 303, 303, 303],
        "POST /sign-out": [303, 303, 303, 303, 303],
        "GET /set-password": [404, 404, 404, 404, 404],
        "POST /set-password": [404, 404, 404, 404, 404],
        "GET /account": [303, 200, 200, 200, 200],
        "POST /account/password": [303, 422, 422, 422, 422],
        "POST /account/sessions/{sessionId}/end": [303, 404, 404, 404, 404],
        "GET /users": [303, 403, 403, 403, 200],
        "GET /users/new": [303, 403, 403, 403, 200],
        "POST /users": [303, 403, 403, 403, 422],
        "GET /users/{userId}": [303, 403, 403, 403, 404],
        "POST /users/{userId}/roles": [303, 403, 403, 403, 404],
        "POST /users/{userId}/roles/{assignmentId}/end": [303, 403, 403, 403, 404],
        "POST /users/{userId}/deactivate": [303, 403, 403, 403, 404],
        "POST /users/{userId}/reactivate": [303, 403, 403, 403, 404],
        "POST /users/{userId}/password-link": [303, 403, 403, 403, 404],
        "GET /audit": [303, 403, 403, 403, 200],
        "POST /api/v1/session": [401, 401, 401, 401, 401],
        "DELETE /api/v1/session": [401, 204, 204, 204, 204],
        "GET /api/v1/me": [401, 200, 200, 200, 200],
        "GET /api/v1/users": [401, 403, 403, 403, 200],
        "POST /api/v1/users": [401, 403, 403, 403, 422],
        "GET /api/v1/users/{userId}": [401, 403, 403, 403, 404],
        "POST /api/v1/users/{userId}/roles": [401, 403, 403, 403, 422],
        "POST /api/v1/users/{userId}/roles/{assignmentId}/end": [401, 403, 403, 403, 404],
        "POST /api/v1/users/{userId}/deactivate": [401, 403, 403, 403, 404],
        "POST /api/v1/users/{userId}/reactivate": [401, 403, 403, 403, 404],
        "POST /api/v1/users/{userId}/password-links": [401, 403, 403, 403, 404],
        "GET /api/v1/audit-events": [401, 403, 403, 403, 200],
        // The council's settings and calendar: everyone signed in reads them, officers change them.
        "GET /settings": [303, 200, 200, 200, 200],
        "POST /settings": [303, 403, 403, 403, 422],
        "GET /api/v1/council-settings": [401, 200, 200, 200, 200],
        "PATCH /api/v1/council-settings": [401, 403, 403, 403, 422],
        "GET /calendar": [303, 200, 200, 200, 200],
        "POST /calendar/{year}/terms": [303, 403, 403, 403, 422],
        "POST /calendar/closure-days": [303, 403, 403, 403, 422],
        "POST /calendar/closure-days/{day}/remove": [303, 403, 403, 403, 404],
        "GET /api/v1/term-dates/{year}": [401, 200, 200, 200, 200],
        "PUT /api/v1/term-dates/{year}": [401, 403, 403, 403, 422],
        "GET /api/v1/closure-days": [401, 200, 200, 200, 200],
        "POST /api/v1/closure-days": [401, 403, 403, 403, 422],
        "DELETE /api/v1/closure-days/{day}": [401, 403, 403, 403, 404],
        // Schools and trusts: everyone signed in reads the schools row-level security shows them; officers change
        // them. The import refuses a body that is not text/csv (415) once the caller may import at all.
        "GET /schools": [303, 200, 200, 200, 200],
        "GET /schools/new": [303, 403, 403, 403, 200],
        "POST /schools": [303, 403, 403, 403, 422],
        "GET /schools/{schoolId}": [303, 404, 404, 404, 404],
        "GET /schools/{schoolId}/edit": [303, 403, 403, 403, 404],
        "POST /schools/{schoolId}": [303, 403, 403, 403, 404],
        "POST /schools/{schoolId}/close": [303, 403, 403, 403, 404],
        "POST /schools/{schoolId}/reopen": [303, 403, 403, 403, 404],
        "GET /trusts": [303, 200, 200, 200, 200],
        // The upload page: a form that is not multipart is refused with the page again (422).
        "GET /schools/import": [303, 403, 403, 403, 200],
        "POST /schools/import": [303, 403, 403, 403, 422],
        "GET /api/v1/schools": [401, 200, 200, 200, 200],
        "POST /api/v1/schools": [401, 403, 403, 403, 422],
        "POST /api/v1/schools/import": [401, 403, 403, 403, 415],
        "GET /api/v1/schools/{schoolId}": [401, 404, 404, 404, 404],
        "PATCH /api/v1/schools/{schoolId}": [401, 403, 403, 403, 404],
        "POST /api/v1/schools/{schoolId}/close": [401, 403, 403, 403, 404],
        "POST /api/v1/schools/{schoolId}/reopen": [401, 403, 403, 403, 404],
        "GET /api/v1/trusts": [401, 200, 200, 200, 200],
        // Clusters: everyone signed in sees the clusters they work in; officers set them up.
        "GET /clusters": [303, 200, 200, 200, 200],
        "POST /clusters": [303, 403, 403, 403, 422],
        "POST /clusters/copy-year": [303, 403, 403, 403, 422],
        "GET /clusters/{clusterId}": [303, 404, 404, 404, 404],
        "POST /clusters/{clusterId}": [303, 403, 403, 403, 404],
        "POST /clusters/{clusterId}/members": [303, 403, 403, 403, 404],
        "POST /clusters/{clusterId}/members/{schoolId}/remove": [303, 403, 403, 403, 404],
        "GET /api/v1/clusters": [401, 200, 200, 200, 200],
        "POST /api/v1/clusters": [401, 403, 403, 403, 422],
        "POST /api/v1/clusters/copy-year": [401, 403, 403, 403, 422],
        "GET /api/v1/clusters/{clusterId}": [401, 404, 404, 404, 404],
        "PATCH /api/v1/clusters/{clusterId}": [401, 403, 403, 403, 404],
        "POST /api/v1/clusters/{clusterId}/members": [401, 403, 403, 403, 422],
        // Taking a school out names the year: the matrix sends none, so the officer gets 422 before any lookup.
        "DELETE /api/v1/clusters/{clusterId}/members/{schoolId}": [401, 403, 403, 403, 422],
        // Meetings: everyone signed in sees the meetings of the clusters and years they work in; officers schedule them.
        "GET /meetings": [303, 200, 200, 200, 200],
        "POST /meetings/generate": [303, 403, 403, 403, 422],
        "GET /meetings/{meetingId}": [303, 404, 404, 404, 404],
        "POST /meetings/{meetingId}": [303, 403, 403, 403, 404],
        "POST /meetings/{meetingId}/cancel": [303, 403, 403, 403, 404],
        "GET /api/v1/meetings": [401, 200, 200, 200, 200],
        "POST /api/v1/meetings/generate": [401, 403, 403, 403, 422],
        "GET /api/v1/meetings/{meetingId}": [401, 404, 404, 404, 404],
        "PATCH /api/v1/meetings/{meetingId}": [401, 403, 403, 403, 404],
        "POST /api/v1/meetings/{meetingId}/cancel": [401, 403, 403, 403, 404],
        // Budgets and the ledger: officers only, but a cluster's balance for those who work in it that funding year.
        "GET /budgets": [303, 403, 403, 403, 200],
        "GET /budgets/{fundingYear}": [303, 403, 403, 403, 200],
        "POST /budgets/{fundingYear}": [303, 403, 403, 403, 422],
        "POST /budgets/{fundingYear}/overrides": [303, 403, 403, 403, 422],
        "POST /budgets/{fundingYear}/confirm": [303, 403, 403, 403, 422],
        "POST /budgets/{fundingYear}/adjustments": [303, 403, 403, 403, 422],
        "GET /clusters/{clusterId}/ledger": [303, 403, 403, 403, 404],
        "GET /clusters/{clusterId}/ledger.csv": [303, 403, 403, 403, 404],
        "GET /api/v1/budgets": [401, 403, 403, 403, 200],
        "GET /api/v1/budgets/{fundingYear}": [401, 403, 403, 403, 200],
        "PUT /api/v1/budgets/{fundingYear}": [401, 403, 403, 403, 422],
        // Nothing saved for the year yet: there is nothing to confirm.
        "POST /api/v1/budgets/{fundingYear}/confirm": [401, 403, 403, 403, 409],
        "POST /api/v1/budgets/{fundingYear}/adjustments": [401, 403, 403, 403, 422],
        "GET /api/v1/clusters/{clusterId}/balance": [401, 404, 404, 404, 404],
        "GET /api/v1/clusters/{clusterId}/ledger": [401, 403, 403, 403, 404],
        // Pupils: a school's SENCo and headteacher read their school's, officers all; only the school's SENCo writes; an
        // EP never without consent. The body names a school nobody here is SENCo of.
        // An EP reaches pupils only with the family's consent to EP involvement: the list is theirs, a pupil without it is not there.
        "GET /pupils": [303, 200, 200, 200, 200],
        "GET /pupils/new": [303, 200, 403, 403, 403],
        "POST /pupils": [303, 422, 422, 422, 422],
        "GET /pupils/{pupilId}": [303, 404, 404, 404, 404],
        "GET /pupils/{pupilId}/edit": [303, 404, 404, 404, 404],
        "POST /pupils/{pupilId}": [303, 422, 422, 422, 422],
        "GET /pupils/{pupilId}/consents/new": [303, 404, 404, 404, 404],
        "POST /pupils/{pupilId}/consents": [303, 404, 404, 404, 404],
        "GET /pupils/{pupilId}/referrals/new": [303, 404, 404, 404, 404],
        "POST /pupils/{pupilId}/referrals": [303, 404, 404, 404, 404],
        "GET /pupils/{pupilId}/referrals/{referralId}/edit": [303, 404, 404, 404, 404],
        "POST /pupils/{pupilId}/referrals/{referralId}": [303, 404, 404, 404, 404],
        "GET /pupils/{pupilId}/export": [303, 403, 403, 403, 404],
        "GET /pupils/{pupilId}/export.json": [303, 403, 403, 403, 404],
        "GET /referrals": [303, 403, 403, 403, 200],
        // Only the joining school's SENCo asks for a pupil's record; an unknown move is not there for anyone.
        "GET /pupils/transfer": [303, 200, 403, 403, 403],
        "POST /pupils/transfer": [303, 422, 403, 403, 403],
        "GET /transfers": [303, 200, 200, 200, 200],
        "POST /transfers/{transferId}/confirm": [303, 404, 404, 404, 404],
        "POST /transfers/{transferId}/refuse": [303, 404, 404, 404, 404],
        "GET /api/v1/pupil-transfers": [401, 200, 200, 200, 200],
        "POST /api/v1/pupil-transfers": [401, 403, 403, 403, 403],
        "POST /api/v1/pupil-transfers/{transferId}/confirm": [401, 404, 404, 404, 404],
        "POST /api/v1/pupil-transfers/{transferId}/refuse": [401, 404, 404, 404, 404],
        // Requests: everyone signed in lists what they reach; only the lead school's SENCo starts one; an unknown one is not there.
        "GET /api/v1/requests": [401, 200, 200, 200, 200],
        "POST /api/v1/requests": [401, 403, 403, 403, 403],
        "GET /api/v1/requests/{requestId}": [401, 404, 404, 404, 404],
        "PATCH /api/v1/requests/{requestId}": [401, 404, 404, 404, 404],
        "POST /api/v1/requests/{requestId}/submit": [401, 404, 404, 404, 404],
        "POST /api/v1/requests/{requestId}/confirm": [401, 404, 404, 404, 404],
        "POST /api/v1/requests/{requestId}/endorse": [401, 404, 404, 404, 404],
        "POST /api/v1/requests/{requestId}/withdraw": [401, 404, 404, 404, 404],
        "POST /api/v1/requests/{requestId}/nominate": [401, 404, 404, 404, 404],
        "POST /api/v1/requests/{requestId}/return": [401, 404, 404, 404, 404],
        "GET /api/v1/meetings/{meetingId}/agenda": [401, 404, 404, 404, 404],
        "GET /meetings/{meetingId}/agenda": [303, 404, 404, 404, 404],
        // The request pages: everyone with a role lists the requests they reach; only a SENCo starts one.
        "GET /requests": [303, 200, 200, 200, 200],
        "GET /requests/new": [303, 200, 403, 403, 403],
        "POST /requests": [303, 422, 403, 403, 403],
        "GET /requests/{requestId}": [303, 404, 404, 404, 404],
        "POST /requests/{requestId}/actions/{action}": [303, 404, 404, 404, 404],
        "GET /requests/{requestId}/edit/{step}": [303, 404, 404, 404, 404],
        "POST /requests/{requestId}/edit/{step}": [303, 404, 404, 404, 404],
        // EP advice: only an EP logs it and has a caseload; officers read the follow-ups too.
        "GET /advice": [303, 403, 403, 200, 403],
        "GET /requests/{requestId}/advice/new": [303, 403, 403, 404, 403],
        "POST /requests/{requestId}/advice": [303, 403, 403, 404, 403],
        "GET /pupils/{pupilId}/advice/new": [303, 403, 403, 404, 403],
        "POST /pupils/{pupilId}/advice": [303, 403, 403, 404, 403],
        "POST /api/v1/requests/{requestId}/advice": [401, 403, 403, 404, 403],
        "POST /api/v1/pupils/{pupilId}/advice": [401, 403, 403, 404, 403],
        "GET /api/v1/advice/follow-ups": [401, 403, 403, 200, 200],
        "GET /api/v1/pupils": [401, 200, 200, 200, 200],
        "POST /api/v1/pupils": [401, 403, 403, 403, 403],
        "GET /api/v1/pupils/{pupilId}": [401, 404, 404, 404, 404],
        "PUT /api/v1/pupils/{pupilId}": [401, 404, 404, 404, 404],
        "GET /api/v1/pupils/{pupilId}/consents": [401, 404, 404, 404, 404],
        "POST /api/v1/pupils/{pupilId}/consents": [401, 404, 404, 404, 404],
        "GET /api/v1/pupils/{pupilId}/referrals": [401, 404, 404, 404, 404],
        "POST /api/v1/pupils/{pupilId}/referrals": [401, 404, 404, 404, 404],
        "GET /api/v1/pupils/{pupilId}/referrals/{referralId}": [401, 404, 404, 404, 404],
        "PUT /api/v1/pupils/{pupilId}/referrals/{referralId}": [401, 404, 404, 404, 404],
        "GET /api/v1/pupils/{pupilId}/export": [401, 403, 403, 403, 404],
        "GET /api/v1/referrals": [401, 403, 403, 403, 200],
    ]

    /// A concrete request for a route pattern: unknown ids, and a body that is well-formed but not acceptable.
    static func request(for entry: RouteBook.Entry, caller: Int) -> (uri: String, body: String?, json: Bool) {
        let uri = entry.path
            .replacingOccurrences(of: "{userId}", with: "00000000-0000-4000-8000-000000000001")
            .replacingOccurrences(of: "{assignmentId}", with: "00000000-0000-4000-8000-000000000002")
            .replacingOccurrences(of: "{sessionId}", with: "00000000-0000-4000-8000-000000000003")
            .replacingOccurrences(of: "{year}", with: "2026")
            .replacingOccurrences(of: "{schoolId}", with: "00000000-0000-4000-8000-000000000004")
            .replacingOccurrences(of: "{clusterId}", with: "00000000-0000-4000-8000-000000000005")
            .replacingOccurrences(of: "{day}", with: "2026-11-26")
            .replacingOccurrences(of: "{meetingId}", with: "00000000-0000-4000-8000-000000000006")
            .replacingOccurrences(of: "{fundingYear}", with: "2027")
            .replacingOccurrences(of: "{pupilId}", with: "00000000-0000-4000-8000-000000000007")
            .replacingOccurrences(of: "{referralId}", with: "00000000-0000-4000-8000-000000000008")
            .replacingOccurrences(of: "{transferId}", with: "00000000-0000-4000-8000-000000000009")
            .replacingOccurrences(of: "{requestId}", with: "00000000-0000-4000-8000-00000000000a")
            .replacingOccurrences(of: "{action}", with: "submit")
            .replacingOccurrences(of: "{step}", with: "about")
        let json = entry.path.hasPrefix("/api/")
        guard [.post, .patch, .put].contains(entry.method) else { return (uri, nil, json) }
        if json {
            let body = switch entry.path {
            case "/api/v1/council-settings": #"{"laCode":"12"}"#
            case "/api/v1/term-dates/{year}", "/api/v1/closure-days": "{}"
            // A different unknown account per caller, so the matrix itself never trips the sign-in throttle.
            case "/api/v1/session": #"{"email":"nobody\#(caller)@example-city.test","password":"wrong wrong wrong"}"#
            case "/api/v1/users/{userId}/roles": #"{"role":"senco","startsOn":"2026-09-01"}"#
            case "/api/v1/users/{userId}/roles/{assignmentId}/end": #"{"endsOn":"2030-01-01"}"#
            case "/api/v1/budgets/{fundingYear}": #"{"totalPence":-1,"weights":{"onRoll":50,"senSupport":30,"freeSchoolMeals":20},"reservePercent":10}"#
            case "/api/v1/budgets/{fundingYear}/adjustments": #"{"amountPence":0,"reason":""}"#
            case "/api/v1/pupils", "/api/v1/pupils/{pupilId}":
                #"{"schoolId":"00000000-0000-4000-8000-000000000004","givenNames":"Ada","familyName":"Pryce","dateOfBirth":"2018-10-15","upn":"A000000000000","yearGroup":3,"needs":[],"senStatus":"none","lookedAfter":false}"#
            // Well-formed records, so what answers is who may reach the (unknown) pupil.
            case "/api/v1/pupils/{pupilId}/consents":
                #"{"purpose":"panel_sharing","kind":"withdrawn","givenByName":"A Parent","relationship":"parent","givenOn":"2026-11-02","method":"email","evidenceReference":"Email"}"#
            case "/api/v1/pupils/{pupilId}/referrals", "/api/v1/pupils/{pupilId}/referrals/{referralId}": #"{"requestedBy":"school","receivedOn":"2026-11-02"}"#
            case "/api/v1/requests": #"{"type":"individual","leadSchoolId":"00000000-0000-4000-8000-000000000004","title":"Speech support"}"#
            case "/api/v1/requests/{requestId}": #"{"need":"More words"}"#
            case "/api/v1/requests/{requestId}/return": #"{"questions":"Which outcomes?"}"#
            case "/api/v1/requests/{requestId}/advice", "/api/v1/pupils/{pupilId}/advice": #"{"givenOn":"2026-11-02","kind":"consultation","summary":"Seen in class"}"#
            case "/api/v1/pupil-transfers": #"{"schoolId":"00000000-0000-4000-8000-000000000004","upn":"F999000120001","dateOfBirth":"2018-10-15"}"#
            default: #"{"email":"","displayName":""}"#
            }
            return (uri, body, true)
        }
        let form = switch entry.path {
        case "/sign-in": "email=someone\(caller)%40example-city.test&password=wrong"
        case "/sign-in/code": "code=123456"
        case "/settings": "laCode=12&cutOffKind=days&submissionCutOffDays=7"
        case "/calendar/{year}/terms", "/calendar/closure-days": "autumnStartsOn=&day="
        case "/pupils/{pupilId}/consents": "purpose=panel_sharing&kind=withdrawn&givenByName=A+Parent&relationship=parent&givenOn=02%2F11%2F2026&method=email&evidenceReference=Email"
        case "/pupils/{pupilId}/referrals", "/pupils/{pupilId}/referrals/{referralId}": "requestedBy=school&receivedOn=02%2F11%2F2026"
        default: "token=bogus&password=short"
        }
        return (uri, form, false)
    }

    @Test("each route answers each caller as the table says")
    func matrix() async throws {
        try await IdentityFixture.with { fixture in
            var sessions: [Caller: SignedIn] = [:]
            for caller in Caller.allCases where caller != .anonymous {
                sessions[caller] = try await fixture.signIn(Self.person(caller), address: "10.2.0.\(sessions.count)")
            }
            let frozen = sessions
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, routes in
                let registered = Set(routes.entries.map { "\($0.method.rawValue) \($0.path)" })
                #expect(registered == Set(Self.expected.keys), "routes without a row: \(registered.subtracting(Self.expected.keys)); rows without a route: \(Set(Self.expected.keys).subtracting(registered))")
                for entry in routes.entries.sorted(by: { "\($0.method)\($0.path)" < "\($1.method)\($1.path)" }) {
                    let key = "\(entry.method.rawValue) \(entry.path)"
                    guard let row = Self.expected[key] else { continue }
                    for (index, caller) in Caller.allCases.enumerated() {
                        // Sign-out ends the session, so each caller signs out last, with a throwaway session.
                        var session = frozen[caller]
                        if entry.method == .delete || entry.path == "/sign-out", caller != .anonymous {
                            session = try await fixture.signIn(Self.person(caller), address: "10.3.0.\(index)")
                        }
                        let (uri, body, json) = Self.request(for: entry, caller: index)
                        var headers: HTTPFields = [:]
                        if let session {
                            if json {
                                headers[.authorization] = "Bearer \(session.token)"
                            } else {
                                headers[.cookie] = "cf_session=\(session.token)"
                                headers[.csrfToken] = session.session.csrfToken
                            }
                        } else if !json {
                            headers[.cookie] = "cf_csrf=abc"
                            headers[.csrfToken] = "abc"
                        }
                        headers[.contentType] = json ? "application/json" : "application/x-www-form-urlencoded"
                        try await client.execute(uri: uri, method: entry.method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
                            #expect(Int(response.status.code) == row[index], "\(key) as \(caller.rawValue)")
                        }
                    }
                }
            }
        }
    }

    static func person(_ caller: Caller) -> IdentityFixture.Person {
        switch caller {
        case .senco: .senco
        case .headteacher: .headteacher
        case .psychologist: .psychologist
        case .officer, .anonymous: .officer
        }
    }
}
