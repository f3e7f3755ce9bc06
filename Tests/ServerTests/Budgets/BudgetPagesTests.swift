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

@Suite("budgets on pages and in the API")
struct BudgetPagesTests {
    static func page(_ signedIn: SignedIn) -> HTTPFields {
        [.cookie: "cf_session=\(signedIn.token)", .csrfToken: signedIn.session.csrfToken, .contentType: "application/x-www-form-urlencoded"]
    }

    static func api(_ signedIn: SignedIn) -> HTTPFields {
        [.authorization: "Bearer \(signedIn.token)", .contentType: "application/json"]
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text(response).utf8)) as? [String: Any] ?? [:]
    }

    static func clusters(_ fixture: IdentityFixture, _ officer: SignedIn) async throws -> (north: String, south: String) {
        let list = try await ClusterStore(database: fixture.database, clock: fixture.clock.clock).list(officer.session.actor, year: AcademicYear(2026))
        return (try #require(list.first { $0.name == "North Locality" }).id.description, try #require(list.first { $0.name == "South Locality" }).id.description)
    }

    @Test("an officer sets up, previews, overrides and confirms a year on its page; refusals re-render with the input kept")
    func pages() async throws {
        try await IdentityFixture.with { fixture in
            try await fixture.addCensus(fundingYear: 2027)
            let officer = try await fixture.signIn(.officer)
            let senco = try await fixture.signIn(.senco, address: "10.5.0.1")
            let (north, _) = try await Self.clusters(fixture, officer)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                let bad = "total=lots&weightOnRoll=50&weightSenSupport=300&weightFreeSchoolMeals=20&reservePercent=10"
                try await client.execute(uri: "/budgets/2027", method: .post, headers: Self.page(officer), body: ByteBuffer(string: bad)) { response in
                    let html = text(response)
                    #expect(response.status == .unprocessableContent)
                    #expect(html.contains(##"href="#total""##) && html.contains(#"value="lots""#) && html.contains(#"value="300""#))
                }
                try await client.execute(uri: "/budgets/2027", method: .post, headers: Self.page(senco), body: ByteBuffer(string: bad)) { response in
                    #expect(response.status == .forbidden)
                }
                let good = "total=10%2C000.01&weightOnRoll=50&weightSenSupport=30&weightFreeSchoolMeals=20&reservePercent=10"
                try await client.execute(uri: "/budgets/2027", method: .post, headers: Self.page(officer), body: ByteBuffer(string: good)) { response in
                    #expect(response.status == .seeOther && response.headers[.location] == "/budgets/2027")
                }
                try await client.execute(uri: "/budgets/2027?sort=allocation&dir=desc", method: .get, headers: Self.page(officer)) { response in
                    let html = text(response)
                    #expect(response.status == .ok)
                    #expect(html.contains("£5,384.62") && html.contains("£4,615.39") && html.contains("<svg") && html.contains("Confirm the 2027-28 budget"))
                    #expect(html.contains(#"aria-sort="descending""#))
                    let northAt = html.range(of: "North Locality</a>")?.lowerBound
                    let southAt = html.range(of: "South Locality</a>")?.lowerBound
                    #expect(northAt != nil && southAt != nil && northAt! < southAt!, "sorted by allocation, largest first")
                }
                let override = "clusterId=\(north)&allocation=6000&reason="
                try await client.execute(uri: "/budgets/2027/overrides", method: .post, headers: Self.page(officer), body: ByteBuffer(string: override)) { response in
                    #expect(response.status == .unprocessableContent)
                    #expect(text(response).contains(#"value="6000""#) && text(response).contains(##"href="#reason""##))
                }
                try await client.execute(uri: "/budgets/2027/overrides", method: .post, headers: Self.page(officer),
                                         body: ByteBuffer(string: override + "New+base")) { response in
                    #expect(response.status == .seeOther)
                }
                try await client.execute(uri: "/budgets/2027", method: .get, headers: Self.page(officer)) { response in
                    let html = text(response)
                    #expect(html.contains("£615.38 is allocated beyond the total") && !html.contains("Confirm the 2027-28 budget"))
                }
                try await client.execute(uri: "/budgets/2027/confirm", method: .post, headers: Self.page(officer), body: ByteBuffer(string: "")) { response in
                    #expect(response.status == .unprocessableContent && text(response).contains("allocated beyond the total"))
                }
                try await client.execute(uri: "/budgets/2027/overrides", method: .post, headers: Self.page(officer),
                                         body: ByteBuffer(string: "clusterId=\(north)&remove=1")) { response in
                    #expect(response.status == .seeOther)
                }
                try await client.execute(uri: "/budgets/2027/confirm", method: .post, headers: Self.page(officer), body: ByteBuffer(string: "")) { response in
                    #expect(response.status == .seeOther)
                }
                try await client.execute(uri: "/budgets/2027", method: .get, headers: Self.page(officer)) { response in
                    let html = text(response)
                    #expect(html.contains("Confirmed") && html.contains("Move the money") && html.contains("/clusters/\(north)/ledger?fundingYear=2027"))
                    #expect(!html.contains("Save and preview"), "a confirmed budget's terms are fixed")
                }
                try await client.execute(uri: "/budgets/2027/adjustments", method: .post, headers: Self.page(officer),
                                         body: ByteBuffer(string: "fromClusterId=\(north)&toClusterId=&amount=99999&reason=Too+much")) { response in
                    #expect(response.status == .unprocessableContent && text(response).contains("cannot go down by £99,999.00"))
                    #expect(text(response).contains(#"value="99999""#))
                }
                try await client.execute(uri: "/clusters/\(north)/ledger?fundingYear=2027&kind=reserve_transfer", method: .get, headers: Self.page(officer)) { response in
                    let html = text(response)
                    #expect(response.status == .ok && html.contains("Reserve transfer") && html.contains("£538.46") && !html.contains("Allocation</td>"))
                }
                try await client.execute(uri: "/clusters/\(north)/ledger?fundingYear=1999", method: .get, headers: Self.page(officer)) { response in
                    #expect(response.status == .unprocessableContent)
                }
                try await client.execute(uri: "/clusters/\(north)/ledger.csv?fundingYear=2027", method: .get, headers: Self.page(officer)) { response in
                    let lines = text(response).split(separator: "\r\n")
                    #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
                    #expect(lines.count == 3 && lines[1].contains(",allocation,5384.62,ordinary,") && lines[2].contains(",reserve_transfer,538.46,reserve,"))
                }
                try await client.execute(uri: "/clusters/\(north)/ledger", method: .get, headers: Self.page(senco)) { response in
                    #expect(response.status == .forbidden)
                }
            }
        }
    }

    @Test("the API: an officer puts, confirms and adjusts; a balance is served to its cluster's people that year and to officers only")
    func api() async throws {
        try await IdentityFixture.with { fixture in
            try await fixture.addCensus(fundingYear: 2027)
            let officer = try await fixture.signIn(.officer)
            let (north, south) = try await Self.clusters(fixture, officer)
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                let unknown = #"{"totalPence":1300000,"weights":{"onRoll":50,"senSupport":30,"freeSchoolMeals":20},"reservePercent":10,"overrides":[{"clusterId":"00000000-0000-4000-8000-000000000009","allocationPence":1,"reason":"x"}]}"#
                try await client.execute(uri: "/api/v1/budgets/2027", method: .put, headers: Self.api(officer), body: ByteBuffer(string: unknown)) { response in
                    #expect(response.status == .conflict, "a well-formed id of no cluster that year: a missing reference")
                    #expect(text(response).contains(#"overrides\/0\/clusterId"#) && text(response).contains("held no schools"))
                }
                let body = #"{"totalPence":1300000,"weights":{"onRoll":50,"senSupport":30,"freeSchoolMeals":20},"reservePercent":10}"#
                try await client.execute(uri: "/api/v1/budgets/2027", method: .put, headers: Self.api(officer), body: ByteBuffer(string: body)) { response in
                    let json = try Self.json(response)
                    #expect(response.status == .ok && json["status"] as? String == "draft" && json["unallocatedPence"] as? Int == 0)
                    #expect((json["clusters"] as? [[String: Any]])?.compactMap { $0["allocationPence"] as? Int } == [700_000, 600_000])
                }
                try await client.execute(uri: "/api/v1/budgets/2027/confirm", method: .post, headers: Self.api(officer)) { response in
                    let status = try Self.json(response)["status"] as? String; #expect(response.status == .ok && status == "confirmed")
                }
                try await client.execute(uri: "/api/v1/budgets/2027", method: .put, headers: Self.api(officer), body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .conflict && text(response).contains("adjustment"))
                }
                let move = #"{"fromClusterId":"\#(north)","toClusterId":"\#(south)","amountPence":700000,"reason":"Regrouping"}"#
                try await client.execute(uri: "/api/v1/budgets/2027/adjustments", method: .post, headers: Self.api(officer), body: ByteBuffer(string: move)) { response in
                    #expect(response.status == .conflict && text(response).contains("£6,300.00 available"), "North keeps its £700.00 reserve")
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
                let fine = #"{"fromClusterId":"\#(north)","toClusterId":"\#(south)","amountPence":10000,"reason":"Regrouping"}"#
                try await client.execute(uri: "/api/v1/budgets/2027/adjustments", method: .post, headers: Self.api(officer), body: ByteBuffer(string: fine)) { response in
                    #expect(response.status == .ok)
                }
                for (person, address) in [(IdentityFixture.Person.senco, "10.6.0.1"), (.headteacher, "10.6.0.2"), (.psychologist, "10.6.0.3"), (.officer, "10.6.0.4")] {
                    let signedIn = try await fixture.signIn(person, address: address)
                    try await client.execute(uri: "/api/v1/clusters/\(north)/balance?fundingYear=2027", method: .get, headers: Self.api(signedIn)) { response in
                        let json = try Self.json(response)
                        #expect(response.status == .ok && json["allocatedPence"] as? Int == 690_000 && json["availablePence"] as? Int == 620_000, "\(person)")
                    }
                    try await client.execute(uri: "/api/v1/clusters/\(south)/balance?fundingYear=2027", method: .get, headers: Self.api(signedIn)) { response in
                        #expect(response.status == (person == .officer ? .ok : .notFound), "\(person)")
                    }
                    try await client.execute(uri: "/api/v1/clusters/\(north)/ledger?fundingYear=2027&kind=adjustment", method: .get, headers: Self.api(signedIn)) { response in
                        #expect(response.status == (person == .officer ? .ok : .forbidden), "\(person)")
                        if person == .officer { let total = try Self.json(response)["total"] as? Int; #expect(total == 1) }
                    }
                }
                for query in ["fundingYear=20x7", "fundingYear=", "fundingYear=2027&kind="] {
                    let path = query.contains("kind") ? "ledger" : "balance"
                    try await client.execute(uri: "/api/v1/clusters/\(north)/\(path)?\(query)", method: .get, headers: Self.api(officer)) { response in
                        #expect(response.status == .unprocessableContent, "an empty or unreadable value is a mistake in the API: \(query)")
                    }
                }
                try await client.execute(uri: "/api/v1/budgets/1999", method: .get, headers: Self.api(officer)) { response in
                    #expect(response.status == .notFound)
                }
            }
            let events = try await fixture.audit.list(officer.session.actor, filter: AuditFilter(entityType: "budget"), page: 1).items.map(\.action)
            #expect(events == ["budget.adjusted", "budget.confirmed", "budget.saved"])
        }
    }

    @Test("the cluster page shows this funding year's money to the cluster's people, and the ledger link to officers only")
    func clusterPage() async throws {
        try await IdentityFixture.with { fixture in
            // The fixture's clock stands in funding year 2026, whose clusters are those of 2025/26: put North's schools there.
            _ = try await fixture.asOwner { tx in
                try await tx.execute("INSERT INTO cluster_memberships (school_id, cluster_id, academic_year) SELECT school_id, cluster_id, 2025 FROM cluster_memberships WHERE academic_year = 2026")
            }
            try await fixture.addCensus(fundingYear: 2026)
            let officer = try await fixture.signIn(.officer)
            let senco = try await fixture.signIn(.senco, address: "10.5.0.1")
            let (north, _) = try await Self.clusters(fixture, officer)
            let budgets = BudgetStore(database: fixture.database)
            _ = try await budgets.save(officer.session.actor, year: FundingYear(2026), terms: BudgetTerms(total: Pence(1_300_000), weights: .standard, reservePercent: 10),
                                       overrides: nil, request: fixture.request())
            _ = try await budgets.confirm(officer.session.actor, year: FundingYear(2026), request: fixture.request())
            try await withApp(database: fixture.database, clock: fixture.clock.clock) { client, _ in
                for (signedIn, seesLedger) in [(officer, true), (senco, false)] {
                    try await client.execute(uri: "/clusters/\(north)", method: .get, headers: Self.page(signedIn)) { response in
                        let html = text(response)
                        #expect(response.status == .ok && html.contains("Money in funding year 2026-27") && html.contains("£7,000.00"))
                        #expect(html.contains("/ledger?fundingYear=2026") == seesLedger)
                    }
                }
            }
        }
    }
}
