import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Store
import Testing
import TestSupport

@Suite("schools on pages and in the API, and the import")
struct SchoolPagesTests {
    static let header = "URN,LA (code),EstablishmentName,TypeOfEstablishment (name),EstablishmentStatus (name),"
        + "PhaseOfEducation (name),StatutoryLowAge,StatutoryHighAge,NumberOfPupils,FSM,Trusts (code),Trusts (name)\n"

    static func setLACode(_ fixture: IdentityFixture) async throws {
        let officer = try await fixture.signIn(.officer).session.actor
        _ = try await CouncilSettingsStore(database: fixture.database).update(officer, request: fixture.request()) { current in
            var next = current
            next.laCode = "999"
            return next
        }
    }

    static func csv(_ signedIn: SignedIn) -> HTTPFields {
        [.authorization: "Bearer \(signedIn.token)", .contentType: "text/csv; charset=windows-1252"]
    }

    @Test("an import with errors on lines 3 and 7 answers 422 listing both, and imports nothing")
    func importRefused() async throws {
        try await IdentityFixture.with { fixture in
            try await Self.setLACode(fixture)
            let officer = try await fixture.signIn(.officer, kind: .api)
            var file = Self.header
            for line in 2...8 {
                let roll = line == 3 ? "lots" : "100"
                let status = line == 7 ? "Shut" : "Open"
                file += "\(990_600 + line),999,School \(line),Community school,\(status),Primary,4,11,\(roll),5,,\n"
            }
            let body = file
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/api/v1/schools/import?census=2026", method: .post, headers: Self.csv(officer), body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .unprocessableContent)
                    let found = try problem(response)
                    #expect(found.errors?.map(\.pointer) == ["/line/3/NumberOfPupils", "/line/7/EstablishmentStatus (name)"])
                }
                try await client.execute(uri: "/api/v1/schools?pageSize=200", method: .get, headers: Self.csv(officer)) { response in
                    #expect(!text(response).contains("9906"), "no school of the file was added")
                }
            }
        }
    }

    @Test("a dry run and then a real import answer their counts; the SEN file sets the named census")
    func importCounts() async throws {
        try await IdentityFixture.with { fixture in
            try await Self.setLACode(fixture)
            let officer = try await fixture.signIn(.officer, kind: .api)
            let gias = Self.header + "990701,999,Kestrel Primary School,Community school,Open,Primary,4,11,250,40,,\n"
                + "990702,888,Elsewhere School,Community school,Open,Primary,4,11,250,40,,\n"
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                for (query, created) in [("dryRun=true&census=2026", true), ("census=2026", true), ("census=2026", false)] {
                    try await client.execute(uri: "/api/v1/schools/import?\(query)", method: .post, headers: Self.csv(officer), body: ByteBuffer(string: gias)) { response in
                        #expect(response.status == .ok)
                        let report = try JSONDecoder().decode(SchoolImportReport.self, from: Data(text(response).utf8))
                        #expect(report.created == (created ? 1 : 0), "\(query)")
                        #expect(report.skippedOtherAuthority == 1)
                    }
                }
                let sen = "URN,SEN support,EHC plan\r\n990701,33,6\r\n"
                try await client.execute(uri: "/api/v1/schools/import?kind=sen&census=2025", method: .post, headers: Self.csv(officer), body: ByteBuffer(string: sen)) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/api/v1/schools?phase=primary&pageSize=200", method: .get, headers: Self.csv(officer)) { response in
                    let page = try JSONSerialization.jsonObject(with: Data(text(response).utf8)) as? [String: Any]
                    let items = page?["items"] as? [[String: Any]] ?? []
                    let kestrel = items.first { $0["urn"] as? String == "990701" }
                    #expect(kestrel?["phase"] as? String == "primary")
                    if let id = kestrel?["id"] as? String {
                        try await client.execute(uri: "/api/v1/schools/\(id)", method: .get, headers: Self.csv(officer)) { response in
                            let detail = try JSONSerialization.jsonObject(with: Data(text(response).utf8)) as? [String: Any]
                            let censuses = detail?["censuses"] as? [[String: Any]] ?? []
                            #expect(censuses.map { $0["census"] as? Int } == [2026, 2025])
                            #expect(censuses.last?["senSupport"] as? Int == 33)
                            #expect(censuses.first?["onRoll"] as? Int == 250)
                        }
                    } else {
                        Issue.record("the imported school is not in the list")
                    }
                }
            }
        }
    }

    @Test("a caller who may not import gets 403 whatever it sends; without an LA code the import says to set it")
    func importRefusals() async throws {
        try await IdentityFixture.with { fixture in
            let officerActor = try await fixture.signIn(.officer).session.actor
            _ = try await CouncilSettingsStore(database: fixture.database).update(officerActor, request: fixture.request()) { current in
                var next = current
                next.laCode = nil
                return next
            }
            let senco = try await fixture.signIn(.senco, kind: .api)
            let officer = try await fixture.signIn(.officer, kind: .api)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/api/v1/schools/import?kind=nonsense", method: .post, headers: Self.csv(senco), body: ByteBuffer(string: "garbage")) { response in
                    #expect(response.status == .forbidden)
                }
                try await client.execute(uri: "/api/v1/schools/import", method: .post, headers: Self.csv(officer), body: ByteBuffer(string: Self.header)) { response in
                    #expect(response.status == .conflict)
                    let found = try problem(response)
                    #expect(found.detail.contains("local-authority code"))
                }
                try await client.execute(uri: "/api/v1/schools/import?census=1999", method: .post, headers: Self.csv(officer), body: ByteBuffer(string: Self.header)) { response in
                    #expect(response.status == .unprocessableContent)
                }
            }
        }
    }

    @Test("other routes keep the default body limit: a 2 MB JSON body is refused with 413")
    func defaultLimit() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer, kind: .api)
            let big = #"{"name":""# + String(repeating: "a", count: 2 * 1024 * 1024) + #""}"#
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/api/v1/schools", method: .post, headers: [.authorization: "Bearer \(officer.token)", .contentType: "application/json"],
                                         body: ByteBuffer(string: big)) { response in
                    #expect(response.status == .contentTooLarge)
                }
            }
        }
    }

    @Test("a SENCo lists only the schools of their cluster; a filter that cannot be read answers 422")
    func scopedList() async throws {
        try await IdentityFixture.with { fixture in
            let senco = try await fixture.signIn(.senco, kind: .api)
            let headers: HTTPFields = [.authorization: "Bearer \(senco.token)"]
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/api/v1/schools?sort=urn&order=desc", method: .get, headers: headers) { response in
                    let page = try JSONSerialization.jsonObject(with: Data(text(response).utf8)) as? [String: Any]
                    let urns = (page?["items"] as? [[String: Any]] ?? []).compactMap { $0["urn"] as? String }
                    #expect(urns == ["990006", "990005", "990004", "990003", "990002", "990001"])
                }
                try await client.execute(uri: "/api/v1/schools?phase=grammar", method: .get, headers: headers) { response in
                    #expect(response.status == .unprocessableContent)
                    let found = try problem(response)
                    #expect(found.errors?.map(\.pointer) == ["/phase"])
                }
            }
        }
    }

    @Test("adding a school: mistakes re-render with the input kept, a URN already recorded is an error beside it, a good form adds it")
    func addSchoolForm() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            let headers: HTTPFields = [.cookie: "cf_session=\(officer.token)", .csrfToken: officer.session.csrfToken,
                                       .contentType: "application/x-www-form-urlencoded"]
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/schools", method: .post, headers: headers, body: ByteBuffer(string: "urn=12&name=New+School&phase=&type=academy")) { response in
                    #expect(response.status == .unprocessableContent)
                    let page = text(response)
                    #expect(page.contains(##"href="#urn""##) && page.contains(##"href="#phase""##))
                    #expect(page.contains(#"value="New School""#))
                    #expect(page.contains(#"<option value="academy" selected>"#))
                }
                try await client.execute(uri: "/schools", method: .post, headers: headers, body: ByteBuffer(string: "urn=990001&name=Copy&phase=primary&type=maintained")) { response in
                    #expect(response.status == .unprocessableContent)
                    #expect(text(response).contains("A school with URN 990001 is already recorded."))
                }
                var created: String?
                try await client.execute(uri: "/schools", method: .post, headers: headers,
                                         body: ByteBuffer(string: "urn=990801&name=Tor+View+Academy&phase=secondary&type=academy&trustCode=99004&trustName=Hillside+Trust")) { response in
                    #expect(response.status == .seeOther)
                    created = response.headers[.location]
                }
                guard let created else { return }
                try await client.execute(uri: created, method: .get, headers: headers) { response in
                    let page = text(response)
                    #expect(page.contains("Tor View Academy") && page.contains("Hillside Trust (99004)"))
                }
                try await client.execute(uri: created + "/close", method: .post, headers: headers) { response in
                    #expect(response.status == .seeOther)
                }
                try await client.execute(uri: created + "/close", method: .post, headers: headers) { response in
                    #expect(response.status == .conflict)
                    #expect(text(response).contains("This school is already closed."))
                }
            }
            let events = try await fixture.audit.list(officer.session.actor, filter: AuditFilter(entityType: "school"), page: 1).items
            #expect(events.map(\.action) == ["school.closed", "school.created"])
        }
    }
}

@Suite("the school upload page")
struct SchoolUploadPageTests {
    static func multipart(_ fields: [(String, String)], file: [UInt8]?, boundary: String = "cfBoundary7MA4YWxk") -> ByteBuffer {
        var body: [UInt8] = []
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        if let file {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"edubase.csv\"\r\nContent-Type: text/csv\r\n\r\n".utf8)
            body += file + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return ByteBuffer(bytes: body)
    }

    @Test("an officer uploads a Windows-1252 GIAS file: a dry run reports, the real run imports the name exactly; a file with problems lists them")
    func upload() async throws {
        try await IdentityFixture.with { fixture in
            let officer = try await fixture.signIn(.officer)
            let headers: HTTPFields = [.cookie: "cf_session=\(officer.token)", .contentType: "multipart/form-data; boundary=cfBoundary7MA4YWxk"]
            let uri = "/schools/import?csrf_token=\(officer.session.csrfToken)"
            let name: [UInt8] = Array("St Th".utf8) + [0xE9] + Array("r".utf8) + [0xE8] + Array("se".utf8) + [0x92] + Array("s RC Primary".utf8)
            let file = Array(SchoolPagesTests.header.utf8) + Array("990901,999,".utf8) + name + Array(",Voluntary aided school,Open,Primary,4,11,200,30,,\r\n".utf8)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: uri, method: .post, headers: headers,
                                         body: Self.multipart([("kind", "gias"), ("census", "2026"), ("dryRun", "true")], file: file)) { response in
                    #expect(response.status == .ok)
                    let page = text(response)
                    #expect(page.contains("What the import would do"))
                    #expect(page.contains("<dt>Schools added</dt><dd>1</dd>"))
                }
                try await client.execute(uri: uri, method: .post, headers: headers, body: Self.multipart([("kind", "gias"), ("census", "2026")], file: file)) { response in
                    #expect(response.status == .ok)
                    #expect(text(response).contains("Imported"))
                }
                let bad = Array((SchoolPagesTests.header + "990902,999,X,Community school,Open,Primary,4,11,lots,3,,\n").utf8)
                try await client.execute(uri: uri, method: .post, headers: headers, body: Self.multipart([("kind", "gias"), ("census", "2026")], file: bad)) { response in
                    #expect(response.status == .unprocessableContent)
                    let page = text(response)
                    #expect(page.contains("The file has 1 problem, listed below. Nothing was imported."))
                    #expect(page.contains("<td>2</td><td>NumberOfPupils</td>"))
                }
                try await client.execute(uri: "/schools/import", method: .post, headers: headers, body: Self.multipart([("kind", "gias")], file: file)) { response in
                    #expect(response.status == .forbidden, "without the form's token the upload is refused")
                }
            }
            let listed = try await SchoolStore(database: fixture.database, clock: fixture.clock.clock)
                .list(officer.session.actor, filter: SchoolFilter(academicYear: AcademicYear(2026), sort: .urn, descending: true), page: 1, size: 3)
            #expect(listed.items.map(\.name).first == "St Thérèse’s RC Primary")
            #expect(!listed.items.map(\.urn).contains("990902"))
        }
    }
}
