import CLibPQ

/// The rows of one result, copied out of libpq (a `PGresult` never escapes `Connection`).
///
/// ```swift
/// for row in try await db.query("SELECT id, name FROM schools") {
///     let (id, name) = try row.decode((UUID, String).self)
/// }
/// ```
public struct Rows: Sendable, RandomAccessCollection {
    public let columns: [Column]
    /// The number of rows an INSERT, UPDATE or DELETE touched (`PQcmdTuples`), or 0.
    public let affectedRows: Int
    private let cells: [String?]

    public struct Column: Sendable {
        public let name: String
        public let type: OID
    }

    init(copying result: OpaquePointer) {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        columns = (0..<columnCount).map { index in
            Column(name: String(cString: PQfname(result, Int32(index))), type: UInt32(PQftype(result, Int32(index))))
        }
        var cells: [String?] = []
        cells.reserveCapacity(columnCount * rowCount)
        for row in 0..<rowCount {
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    cells.append(nil)
                } else {
                    cells.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
            }
        }
        self.cells = cells
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { columns.isEmpty ? 0 : cells.count / columns.count }
    public subscript(position: Int) -> Row { Row(rows: self, index: position) }

    func cell(row: Int, column: Int) -> String? { cells[row * columns.count + column] }

    /// Every row decoded as the given tuple type.
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws(PostgresError) -> [(repeat each T)] {
        var out: [(repeat each T)] = []
        out.reserveCapacity(count)
        for row in self { out.append(try row.decode(types)) }
        return out
    }
}

/// One row of a result.
public struct Row: Sendable {
    let rows: Rows
    let index: Int

    /// Decodes the column at `column`; a NULL decodes only into an `Optional`.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at column: Int) throws(PostgresError) -> T {
        guard column < rows.columns.count else {
            throw PostgresError(kind: .decoding, message: "the result has no column \(column)")
        }
        let info = rows.columns[column]
        let text = rows.cell(row: index, column: column)
        if let optional = T.self as? any OptionalDecodable.Type {
            do throws(PostgresDecodingFailure) {
                guard let value = try optional.decodeOptional(text, type: info.type) as? T else {
                    throw PostgresDecodingFailure("unexpected type")
                }
                return value
            } catch {
                throw Self.failure(error.reason, column: column, info: info, target: T.self)
            }
        }
        guard let text else { throw Self.failure("is NULL", column: column, info: info, target: T.self) }
        do throws(PostgresDecodingFailure) {
            return try T(postgresText: text, type: info.type)
        } catch {
            throw Self.failure(error.reason, column: column, info: info, target: T.self)
        }
    }

    /// Decodes the column named `name`.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, named name: String) throws(PostgresError) -> T {
        guard let column = rows.columns.firstIndex(where: { $0.name == name }) else {
            throw PostgresError(kind: .decoding, message: "the result has no column named \(name)", column: name)
        }
        return try decode(type, at: column)
    }

    /// Decodes the columns in order as a tuple.
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws(PostgresError) -> (repeat each T) {
        var column = 0
        func next<V: PostgresDecodable>(_ type: V.Type) throws(PostgresError) -> V {
            defer { column += 1 }
            return try decode(type, at: column)
        }
        return (repeat try next((each T).self))
    }

    private static func failure(_ reason: String, column: Int, info: Rows.Column, target: Any.Type) -> PostgresError {
        PostgresError(
            kind: .decoding,
            message: "column \(column) \"\(info.name)\" (type oid \(info.type)) cannot be decoded as \(target): \(reason)",
            column: info.name
        )
    }
}

/// Lets `Optional<T>` decode NULL as nil without a general conformance that would hide NULLs elsewhere.
protocol OptionalDecodable {
    static func decodeOptional(_ text: String?, type: OID) throws(PostgresDecodingFailure) -> Any
}

extension Optional: OptionalDecodable where Wrapped: PostgresDecodable {
    static func decodeOptional(_ text: String?, type: OID) throws(PostgresDecodingFailure) -> Any {
        guard let text else { return Self.none as Any }
        return Self.some(try Wrapped(postgresText: text, type: type)) as Any
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresText text: String, type: OID) throws(PostgresDecodingFailure) {
        self = .some(try Wrapped(postgresText: text, type: type))
    }
}
