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

@Suite("pupils on pages")
struct PupilPagesTests {
    static func page(_ signedIn: SignedIn) -> HTTPFields {
        [.cookie: "cf_session=\(signedIn.token)", .csrfToken: signedIn.session.csrfToken, .contentType: "application/x-www-form-urlencoded"]
    }

    @Test("the SENCo adds a pupil on the page (refusals keep the input), reads and changes it; the headteacher reads only")
    func pages() async throws {
        try await IdentityFixture.with { fixture in
            let senco = try await fixture.signIn(.senco)
            let head = try await fixture.signIn(.headteacher, address: "10.9.0.1")
            let ashgrove = try await fixture.asOwner { tx in
                try await tx.one("SELECT id FROM schools WHERE name = 'Ashgrove Primary School'").decode(ID<School>.self, at: 0)
            }
            let upn = String(UPN.checkLetter(for: "999000120001") ?? "?") + "999000120001"
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                try await client.execute(uri: "/pupils/new", method: .get, headers: Self.page(head)) { response in
                    #expect(response.status == .forbidden)
                }
                let bad = "schoolId=\(ashgrove)&upn=A000000000001&givenNames=Ada&familyName=Applebank&dateOfBirth=2018-10-15&yearGroup=3&primaryNeed=SLCN&secondaryNeed=SLCN&senStatus=sen_support&homeLACode="
                try await client.execute(uri: "/pupils", method: .post, headers: Self.page(senco), body: ByteBuffer(string: bad)) { response in
                    let html = text(response)
                    #expect(response.status == .unprocessableContent)
                    #expect(html.contains(##"href="#upn""##) && html.contains(##"href="#secondaryNeed""##) && html.contains(#"value="Applebank""#))
                }
                let good = bad.replacingOccurrences(of: "A000000000001", with: upn).replacingOccurrences(of: "secondaryNeed=SLCN", with: "secondaryNeed=")
                var location = ""
                try await client.execute(uri: "/pupils", method: .post, headers: Self.page(senco), body: ByteBuffer(string: good)) { response in
                    #expect(response.status == .seeOther)
                    location = response.headers[.location] ?? ""
                }
                #expect(location.hasPrefix("/pupils/"))
                try await client.execute(uri: location, method: .get, headers: Self.page(head)) { response in
                    let html = text(response)
                    #expect(response.status == .ok && html.contains("Ada Applebank") && html.contains(upn) && !html.contains("Change the record"))
                }
                try await client.execute(uri: location + "/edit", method: .get, headers: Self.page(head)) { response in
                    #expect(response.status == .forbidden)
                }
                let change = "givenNames=Bea&familyName=Applebank&dateOfBirth=15%2F10%2F2018&yearGroup=3&primaryNeed=&secondaryNeed=&senStatus=ehcp&lookedAfter=true&homeLACode="
                try await client.execute(uri: location, method: .post, headers: Self.page(senco), body: ByteBuffer(string: change)) { response in
                    #expect(response.status == .seeOther)
                }
                try await client.execute(uri: "/pupils?q=bea", method: .get, headers: Self.page(senco)) { response in
                    let html = text(response)
                    #expect(response.status == .ok && html.contains("Applebank, Bea") && html.contains("Education, health and care plan"))
                }
                // A search longer than any name or UPN is refused and named, not cut short silently.
                try await client.execute(uri: "/pupils?q=" + String(repeating: "a", count: 101), method: .get, headers: Self.page(senco)) { response in
                    let html = text(response)
                    #expect(response.status == .unprocessableContent && html.contains(##"href="#q""##) && !html.contains("Applebank, Bea"))
                }
            }
        }
    }
}
