/// A statement with its parameters. Every interpolated value becomes a bound parameter (`$1`, `$2`, …);
/// the only way to put raw text into a statement is the loud `SQL(unsafeRaw:)`.
///
/// ```swift
/// let query: SQL = "SELECT id, name FROM schools WHERE urn = \(urn) AND phase = ANY(\(phases))"
/// // text: "… WHERE urn = $1 AND phase = ANY($2)", binds: [urn, phases]
/// ```
/// Placeholders are kept as positions between pieces of literal text, never found again by scanning the text,
/// so joining fragments renumbers only real parameters: a `'$1'` inside a string literal stays as written.
public struct SQL: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The literal text between placeholders: `literals[i]` comes before `$(i+1)`. Always `binds.count + 1` pieces.
    private let literals: [String]
    public private(set) var binds: [PostgresBind]
    /// The statement as PostgreSQL receives it, rendered once.
    public let text: String

    /// A plain literal, a compile-time constant. `scripts/check` refuses explicit calls with a variable.
    public init(stringLiteral value: String) {
        self.init(literals: [value], binds: [])
    }

    public init(stringInterpolation: StringInterpolation) {
        self.init(literals: stringInterpolation.literals, binds: stringInterpolation.binds)
    }

    /// Text that is not a parameter: a migration file, or an identifier that is a constant in code.
    /// Never pass it anything that came from a request.
    public init(unsafeRaw text: String) {
        self.init(literals: [text], binds: [])
    }

    private init(literals: [String], binds: [PostgresBind]) {
        self.literals = literals
        self.binds = binds
        var text = literals[0]
        for (index, literal) in literals.dropFirst().enumerated() {
            text += "$\(index + 1)"
            text += literal
        }
        self.text = text
    }

    /// Appends another statement fragment; its parameters follow this one's.
    public static func + (lhs: SQL, rhs: SQL) -> SQL {
        var interpolation = StringInterpolation(literals: lhs.literals, binds: lhs.binds)
        interpolation.appendInterpolation(rhs)
        return SQL(stringInterpolation: interpolation)
    }

    /// The statement with its parameter count; values are never printed, as they may be personal data.
    public var description: String { "SQL(\(text), \(binds.count) binds)" }

    public struct StringInterpolation: StringInterpolationProtocol {
        var literals: [String] = [""]
        var binds: [PostgresBind] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            literals.reserveCapacity(interpolationCount + 1)
        }

        init(literals: [String], binds: [PostgresBind]) {
            self.literals = literals
            self.binds = binds
        }

        public mutating func appendLiteral(_ literal: String) { literals[literals.count - 1] += literal }

        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            append(PostgresBind(text: value.postgresText, type: type(of: value).postgresType))
        }

        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            append(PostgresBind(text: value?.postgresText, type: Value.postgresType))
        }

        /// Embeds a fragment: its literal pieces join ours, and its parameters are numbered after ours.
        public mutating func appendInterpolation(_ fragment: SQL) {
            literals[literals.count - 1] += fragment.literals[0]
            literals += fragment.literals.dropFirst()
            binds += fragment.binds
        }

        private mutating func append(_ bind: PostgresBind) {
            binds.append(bind)
            literals.append("")
        }
    }
}
