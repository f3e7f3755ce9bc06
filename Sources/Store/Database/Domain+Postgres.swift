import Domain
import PQ

/// Domain values as PostgreSQL values. They live here, in Store, because Domain imports nothing and PQ knows no domain.
extension ID: PostgresEncodable, PostgresDecodable {
    public static var postgresType: OID { PostgresType.uuid }
    public var postgresText: String { description }
    public init(postgresText text: String, type: OID) throws(PostgresDecodingFailure) {
        guard let id = ID(text) else { throw PostgresDecodingFailure("expected a uuid") }
        self = id
    }
}

/// Pence are stored as `bigint`. A `numeric` column (pounds, e.g. from a report) decodes exactly, or not at all.
extension Pence: PostgresEncodable, PostgresDecodable {
    public static var postgresType: OID { PostgresType.int8 }
    public var postgresText: String { String(value) }
    public init(postgresText text: String, type: OID) throws(PostgresDecodingFailure) {
        if type == PostgresType.numeric {
            guard let pence = PostgresNumeric.scaledInteger(text, scale: 2) else {
                throw PostgresDecodingFailure("expected pounds with at most two decimal places")
            }
            self.init(pence)
        } else {
            guard let pence = Int64(text) else { throw PostgresDecodingFailure("expected a whole number of pence") }
            self.init(pence)
        }
    }
}

extension CalendarDate: PostgresEncodable, PostgresDecodable {
    public static var postgresType: OID { PostgresType.date }
    public var postgresText: String { iso }
    public init(postgresText text: String, type: OID) throws(PostgresDecodingFailure) {
        guard let date = CalendarDate(iso: text) else { throw PostgresDecodingFailure("expected a date between years 1 and 9999") }
        self = date
    }
}
