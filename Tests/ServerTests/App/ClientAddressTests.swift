import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server
import Store
import Testing
import TestSupport

@Suite("the client's address behind trusted proxies")
struct ClientAddressTests {
    @Test("addresses and CIDR ranges, IPv4 and IPv6, are matched bit by bit")
    func ranges() throws {
        let trusted = try AddressRanges(parsing: " 10.0.0.0/8, 192.0.2.7 ,fd00::/8, 172.16.0.0/12")
        #expect(trusted.contains("10.200.3.4"))
        #expect(!trusted.contains("11.0.0.1"))
        #expect(trusted.contains("192.0.2.7") && !trusted.contains("192.0.2.8"))
        #expect(trusted.contains("172.31.255.255") && !trusted.contains("172.32.0.0"))
        #expect(trusted.contains("fd12:3456::1") && !trusted.contains("fe80::1"))
        #expect(trusted.contains("::ffff:10.1.2.3"), "an IPv4-mapped IPv6 address is its IPv4 address")
        #expect(!trusted.contains("unknown") && !trusted.contains(""))
        let everyone = try AddressRanges(parsing: "0.0.0.0/0")
        let nobody = try AddressRanges(parsing: " , ")
        #expect(everyone.contains("203.0.113.9") && nobody.isEmpty)
        #expect(!AddressRanges.none.contains("127.0.0.1"))
        #expect(trusted.broadRanges == ["10.0.0.0/8", "fd00::/8", "172.16.0.0/12"])
        let narrow = try AddressRanges(parsing: "192.0.2.0/24, 192.0.2.7, 2001:db8::/64")
        #expect(narrow.broadRanges.isEmpty)
        for bad in ["10.0.0.0/33", "proxy.internal", "10.0.0.1/x", "::1/129", "300.1.1.1", "/", "10.0.0.0/", "/8"] {
            #expect(throws: AddressRangesError(entry: bad)) { try AddressRanges(parsing: "127.0.0.1, \(bad)") }
        }
        #expect(AddressRangesError(entry: "proxy.internal").description.contains("\"proxy.internal\""))
    }

    @Test("the client is the nearest forwarded hop that is not a trusted proxy; forged hops further back are ignored")
    func nearestUntrustedHop() throws {
        let trusted = try AddressRanges(parsing: "10.0.0.0/8")
        func client(_ headers: [String]) -> String {
            ClientAddressMiddleware.client(peer: "10.0.0.1", forwardedFor: headers, trusted: trusted)
        }
        #expect(client(["203.0.113.9"]) == "203.0.113.9")
        #expect(client(["198.51.100.1, 203.0.113.9"]) == "203.0.113.9", "the client may forge hops before its own")
        #expect(client(["198.51.100.1, 203.0.113.9, 10.0.0.2"]) == "203.0.113.9", "inner proxies are walked past")
        #expect(client(["198.51.100.1", "203.0.113.9"]) == "203.0.113.9", "repeated headers read as one list")
        #expect(client(["not-an-address, 203.0.113.9"]) == "203.0.113.9")
        #expect(client(["203.0.113.9, not-an-address"]) == "10.0.0.1", "an unreadable nearest hop leaves the proxy's own address")
        #expect(client([]) == "10.0.0.1")
        #expect(client(["10.0.0.3, 10.0.0.2"]) == "10.0.0.3", "all trusted: the furthest of them")
        #expect(client(["203.0.113.9:51234"]) == "203.0.113.9", "a port is not part of the address")
        #expect(client(["[2001:DB8:0::1]:443"]) == "2001:db8::1", "IPv6 in brackets, with a port, in its standard spelling")
        #expect(client(["::ffff:203.0.113.9"]) == "203.0.113.9", "an IPv4-mapped address counts as its IPv4 address")
        #expect(client(["203.0.113.9:port"]) == "10.0.0.1")
        #expect(client(["[2001:db8::1]x"]) == "10.0.0.1")
    }

    /// A failed sign-in for a fresh unknown email each time, so only the per-address limit can refuse it.
    static func failSignIn(_ client: some TestClientProtocol, from address: String) async throws -> HTTPResponse.Status {
        try await client.execute(
            uri: "/api/v1/session", method: .post,
            headers: [.contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: address],
            body: ByteBuffer(string: #"{"email":"nobody-\#(UUID())@example-city.test","password":"not the password at all"}"#)
        ) { $0.status }
    }

    @Test("behind a trusted proxy, one client's failures do not lock out everyone else; an untrusted peer cannot pick its address")
    func throttlingPerClient() async throws {
        try await IdentityFixture.with { fixture in
            let proxied = ServerConfiguration(trustedProxies: try AddressRanges(parsing: "127.0.0.1, ::1"))
            try await withApp(database: fixture.database, clock: fixture.clock.clock, configuration: proxied, setup: .live) { client, _ in
                var statuses: [HTTPResponse.Status] = []
                for _ in 0..<21 { statuses.append(try await Self.failSignIn(client, from: "203.0.113.9")) }
                let other = try await Self.failSignIn(client, from: "198.51.100.20")
                #expect(statuses == Array(repeating: .unauthorized, count: 20) + [.tooManyRequests])
                #expect(other == .unauthorized, "another school's address is not blocked")
            }
            let officer = try await fixture.signIn(.officer)
            let trail = try await fixture.audit.list(officer.session.actor, filter: .init(entityType: "user"), page: 1, size: 50)
            let addresses = Set(trail.items.filter { $0.action.hasPrefix("sign_in.") && $0.actorUserId == nil }.compactMap(\.clientAddress))
            #expect(addresses == ["203.0.113.9", "198.51.100.20"], "the audit trail records the client, not the proxy")
        }
        try await IdentityFixture.with { fixture in
            try await withApp(database: fixture.database, clock: fixture.clock.clock, setup: .live) { client, _ in
                var statuses: [HTTPResponse.Status] = []
                for hop in 0..<20 { statuses.append(try await Self.failSignIn(client, from: "203.0.113.\(hop)")) }
                let last = try await Self.failSignIn(client, from: "198.51.100.20")
                #expect(statuses == Array(repeating: .unauthorized, count: 20))
                #expect(last == .tooManyRequests, "the header is ignored from an untrusted peer")
            }
        }
    }
}
