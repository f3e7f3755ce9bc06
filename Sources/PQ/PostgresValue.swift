import Foundation

/// A PostgreSQL type OID, as libpq reports it for a column or takes it for a parameter.
public typealias OID = UInt32

/// The OIDs of the built-in types this module encodes and decodes.
public enum PostgresType {
    public static let unknown: OID = 0
    public static let bool: OID = 16
    public static let bytea: OID = 17
    public static let int8: OID = 20
    public static let int2: OID = 21
    public static let int4: OID = 23
    public static let text: OID = 25
    public static let json: OID = 114
    public static let numeric: OID = 1700
    public static let date: OID = 1082
    public static let timestamptz: OID = 1184
    public static let uuid: OID = 2950
    public static let jsonb: OID = 3802
    public static let boolArray: OID = 1000
    public static let int2Array: OID = 1005
    public static let int4Array: OID = 1007
    public static let textArray: OID = 1009
    public static let int8Array: OID = 1016
    public static let dateArray: OID = 1182
    public static let timestamptzArray: OID = 1185
    public static let numericArray: OID = 1231
    public static let uuidArray: OID = 2951
    public static let jsonbArray: OID = 3807

    /// The array type of an element type, for binding Swift arrays.
    static func array(of element: OID) -> OID {
        switch element {
        case bool: boolArray
        case int2: int2Array
        case int4: int4Array
        case int8: int8Array
        case date: dateArray
        case timestamptz: timestamptzArray
        case numeric: numericArray
        case uuid: uuidArray
        case jsonb: jsonbArray
        // Strings bind untyped one by one, but an array of them must be text[] for functions like unnest.
        case text, unknown: textArray
        default: unknown
        }
    }
}

/// One bound parameter: its text form (nil is SQL NULL) and its type (0 lets the server infer it).
public struct PostgresBind: Sendable, Equatable {
    public var text: String?
    public var type: OID
    public init(text: String?, type: OID) {
        self.text = text
        self.type = type
    }
}

/// A Swift value that can be sent as a query parameter. Parameters travel in PostgreSQL's text format.
public protocol PostgresEncodable: Sendable {
    /// The parameter type sent to the server; `PostgresType.unknown` lets it infer from context.
    static var postgresType: OID { get }
    /// The value in PostgreSQL's text input format.
    var postgresText: String { get }
}

/// A Swift value that can be read from a result column in text format.
public protocol PostgresDecodable: Sendable {
    /// Decodes from the column's text; `type` is the column's OID, for types that read several.
    init(postgresText text: String, type: OID) throws(PostgresDecodingFailure)
}

/// Why a value could not be decoded; the row turns it into a `PostgresError` naming the column.
public struct PostgresDecodingFailure: Error, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

public typealias PostgresCodable = PostgresEncodable & PostgresDecodable
