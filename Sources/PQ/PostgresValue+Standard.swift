import Foundation

extension Bool: PostgresCodable {
    public static var postgresType: OID { PostgresType.bool }
    public var postgresText: String { self ? "t" : "f" }
    public init(postgresText text: String, type: OID) throws(PostgresDecodingFailure) {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw PostgresDecodingFailure("expected a boolean")
        }
    }
}

extension String: PostgresCodable {
    /// Strings go untyped, so they bind to text, varchar and enum columns alike.
    public static var postgresType: OID { PostgresType.unknown }
    public var postgresText: String { self }
    public init(postgresText text: String, type: OID) throws(PostgresDecodingFailure) { self = text }
}

/// Integers share one implementation: each type names its PostgreSQL type and checks its range.
public protocol PostgresInteger: PostgresCodable, FixedWidthInteger {}

extension PostgresInteger {
    public var postgresText: String { String(self) }
    public init(postgresText text: String, type: OID) throws(PostgresDecodingFailure) {
        guard let value = Self(text) else { throw PostgresDecodingFailure("expected an integer that fits \(Self.self)") }
        self = value
    }
}

extension Int16: PostgresInteger { public static var postgresType: OID { PostgresType.int2 } }
extension Int32: PostgresInteger { public static var postgresType: OID { PostgresType.int4 } }
extension Int64: PostgresInteger { public static var postgresType: OID { PostgresType.int8 } }
extension Int: PostgresInteger { public static var postgresType: OID { PostgresType.int8 } }

extension UUID: PostgresCodable {
    public static var postgresType: OID { PostgresType.uuid }
    public var postgresText: String { uuidString.lowercased() }
    public init(postgresText text: String, type: OID) throws(PostgresDecodingFailure) {
        guard let value = UUID(uuidString: text) else { throw PostgresDecodingFailure("expected a uuid") }
        self = value
    }
}

/// `Date` is an instant: it maps to `timestamptz`. Connections run with `TimeZone=UTC`, so output ends `+00`.
extension Date: PostgresCodable {
    public static var postgresType: OID { PostgresType.timestamptz }
    public var postgresText: String { Timestamp.format(self) }
    public init(postgresText text: String, type: OID) throws(PostgresDecodingFailure) {
        guard let date = Timestamp.parse(text) else { throw PostgresDecodingFailure("expected a timestamptz") }
        self = date
    }
}

/// A JSON value stored as `jsonb`, encoded and decoded with Foundation's JSON coders.
///
/// ```swift
/// try await tx.execute("INSERT INTO events (payload) VALUES (\(JSONB(["field": "value"])))")
/// ```
public struct JSONB<Value: Codable & Sendable>: PostgresCodable {
    public var value: Value
    public init(_ value: Value) { self.value = value }
    public static var postgresType: OID { PostgresType.jsonb }
    public var postgresText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding a Codable value to JSON fails only for non-finite floats; encode those as null.
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }
    public init(postgresText text: String, type: OID) throws(PostgresDecodingFailure) {
        do {
            value = try JSONDecoder().decode(Value.self, from: Data(text.utf8))
        } catch {
            throw PostgresDecodingFailure("expected JSON for \(Value.self)")
        }
    }
}

/// Arrays bind as one parameter (`= ANY($1)`), never as a list built into the SQL text.
extension Array: PostgresEncodable where Element: PostgresEncodable {
    public static var postgresType: OID { PostgresType.array(of: Element.postgresType) }
    public var postgresText: String { ArrayLiteral.format(map { $0.postgresText }) }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    public init(postgresText text: String, type: OID) throws(PostgresDecodingFailure) {
        guard let items = ArrayLiteral.parse(text) else { throw PostgresDecodingFailure("expected a one-dimensional array") }
        var values: [Element] = []
        values.reserveCapacity(items.count)
        for item in items {
            guard let item else { throw PostgresDecodingFailure("array holds NULL; decode into an array of optionals") }
            values.append(try Element(postgresText: item, type: PostgresType.unknown))
        }
        self = values
    }
}

/// Exact decimal text (`numeric`) as an integer count of minor units: `"12.34"` at scale 2 is 1234.
public enum PostgresNumeric {
    /// Parses `text` into an integer scaled by 10^`scale`; nil when it has more precision than that or overflows.
    public static func scaledInteger(_ text: String, scale: Int) -> Int64? {
        var digits = Substring(text)
        let negative = digits.first == "-"
        if negative || digits.first == "+" { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCII) else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        while fraction.count > scale, fraction.last == "0" { fraction.removeLast() }
        guard fraction.count <= scale, fraction.allSatisfy(\.isASCII) else { return nil }
        fraction += String(repeating: "0", count: scale - fraction.count)
        guard let value = Int64(whole + fraction), value >= 0 else { return nil }
        return negative ? -value : value
    }

    /// Formats an integer of minor units as exact decimal text: 1234 at scale 2 is `"12.34"`.
    public static func format(_ scaled: Int64, scale: Int) -> String {
        guard scale > 0 else { return String(scaled) }
        let magnitude = String(scaled.magnitude)
        let padded = String(repeating: "0", count: max(0, scale + 1 - magnitude.count)) + magnitude
        let split = padded.index(padded.endIndex, offsetBy: -scale)
        return (scaled < 0 ? "-" : "") + padded[..<split] + "." + padded[split...]
    }
}

/// An array whose items may be NULL (`{1,NULL,3}`), bound as one parameter, for bulk statements over `unnest`.
///
/// ```swift
/// try await tx.execute("INSERT INTO t (n) SELECT * FROM unnest(\(NullableArray([1, nil, 3])))")
/// ```
public struct NullableArray<Element: PostgresEncodable>: PostgresEncodable {
    public var items: [Element?]
    public init(_ items: [Element?]) { self.items = items }
    public static var postgresType: OID { PostgresType.array(of: Element.postgresType) }
    public var postgresText: String { ArrayLiteral.format(items.map { $0?.postgresText }) }
}
