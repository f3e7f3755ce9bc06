#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Hummingbird

/// IPv4 and IPv6 addresses and CIDR ranges, such as the proxies trusted to say who their client was.
public struct AddressRanges: Sendable, Equatable {
    struct Range: Sendable, Equatable {
        var bytes: [UInt8]
        var prefixLength: Int
    }

    var ranges: [Range]

    public static let none = AddressRanges(ranges: [])

    init(ranges: [Range]) { self.ranges = ranges }

    /// Parses a comma-separated list such as `10.0.0.0/8, 192.0.2.7, fd00::/8`; an address alone is a range of one.
    /// Throws naming the first entry it cannot read, so a typo stops start-up instead of trusting nobody silently.
    public init(parsing list: String) throws(AddressRangesError) {
        var ranges: [Range] = []
        for raw in list.split(separator: ",") {
            let entry = raw.trimmingCharacters(in: .whitespaces)
            if entry.isEmpty { continue }
            let parts = entry.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let bytes = Self.bytes(of: parts[0]) else { throw AddressRangesError(entry: entry) }
            var prefixLength = bytes.count * 8
            if parts.count == 2 {
                guard let length = Int(parts[1]), (0...bytes.count * 8).contains(length) else { throw AddressRangesError(entry: entry) }
                prefixLength = length
            }
            ranges.append(Range(bytes: bytes, prefixLength: prefixLength))
        }
        self.ranges = ranges
    }

    public var isEmpty: Bool { ranges.isEmpty }

    /// Ranges wide enough to take in people's machines as well as proxies (IPv4 wider than /24, IPv6 wider than
    /// /64), as written: from a trusted address, `X-Forwarded-For` is believed, so such a list lets those machines
    /// choose the address they are throttled and audited under.
    public var broadRanges: [String] {
        ranges.filter { $0.prefixLength < ($0.bytes.count == 4 ? 24 : 64) }.map { range in
            "\(Self.text(of: range.bytes) ?? "?")/\(range.prefixLength)"
        }
    }

    /// Whether an address, as text, lies in one of the ranges. Text that is not an address lies in none.
    public func contains(_ address: String) -> Bool {
        guard !ranges.isEmpty, let bytes = Self.bytes(of: address) else { return false }
        return ranges.contains { range in
            guard range.bytes.count == bytes.count else { return false }
            var remaining = range.prefixLength
            for (a, b) in zip(range.bytes, bytes) where remaining > 0 {
                let bits = min(remaining, 8)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if a & mask != b & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    /// The address's bytes: 4 for IPv4, 16 for IPv6; an IPv4-mapped IPv6 address counts as its IPv4 address.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }

    /// What sign-in throttling counts an address as: an IPv4 address alone; an IPv6 address as its /64
    /// (`2001:db8:1:2::/64`), because one household or one attacker is commonly given a whole /64 and can use any
    /// address in it. Text that is not an address is itself.
    static func throttleUnit(of address: String) -> String {
        guard let bytes = bytes(of: address) else { return address }
        guard bytes.count == 16 else { return text(of: bytes) ?? address }
        let network = Array(bytes.prefix(8)) + Array(repeating: 0, count: 8)
        return (text(of: network) ?? address) + "/64"
    }

    /// The standard spelling of 4 or 16 address bytes (`203.0.113.9`, `2001:db8::1`).
    static func text(of bytes: [UInt8]) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let written = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) }
        guard written != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// One hop of `X-Forwarded-For` in its standard spelling, so the same client always counts as one address.
    /// Accepts what proxies write: `203.0.113.9`, `203.0.113.9:51234`, `2001:db8::1`, `[2001:db8::1]:443`.
    static func normalised(_ hop: String) -> String? {
        var text = Substring(hop)
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy(\.isNumber)) else { return nil }
            text = text[text.index(after: text.startIndex)..<close]
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            guard text[text.index(after: colon)...].allSatisfy(\.isNumber) else { return nil }
            text = text[..<colon]
        }
        return bytes(of: String(text)).flatMap(text(of:))
    }
}

public struct AddressRangesError: Error, Equatable, CustomStringConvertible {
    public var entry: String
    public var description: String {
        "TRUSTED_PROXIES: cannot read \"\(entry)\"; give IP addresses or CIDR ranges separated by commas, such as 10.0.0.0/8, 192.0.2.7"
    }
}

/// Sets the request's client address: the socket's peer, unless that peer is a trusted proxy, in which case the
/// nearest address in `X-Forwarded-For` that is not itself a trusted proxy. Untrusted peers cannot choose their
/// address by sending the header, so throttling and the audit trail cannot be misled by it.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let trustedProxies: AddressRanges

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard trustedProxies.contains(context.clientAddress) else { return try await next(request, context) }
        var context = context
        context.clientAddress = Self.client(peer: context.clientAddress, forwardedFor: request.headers.filter { $0.name.canonicalName == "x-forwarded-for" }.map(\.value), trusted: trustedProxies)
        return try await next(request, context)
    }

    /// Walks `X-Forwarded-For` from the nearest hop back, past trusted proxies, to the first address that is not one.
    /// A hop that is not an address stops the walk at the last trustworthy one.
    static func client(peer: String, forwardedFor headers: [String], trusted: AddressRanges) -> String {
        let hops = headers.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        var client = peer
        for hop in hops.reversed() {
            guard let address = AddressRanges.normalised(hop) else { break }
            client = address
            if !trusted.contains(address) { break }
        }
        return client
    }
}
