/// A statement with its parameters. Every interpolated value becomes a bound parameter (`$1`, `$2`, …);
/// the only way to put raw text into a statement is the loud `SQL(unsafeRaw:)`.
///
/// ```swift
/// let query: SQL = "SELECT id, name FROM schools WHERE urn = \(urn) AND phase = ANY(\(phases))"
/// // text: "… WHERE urn = $1 AND phase = ANY($2)", binds: [urn, phases]
/// ```
public struct SQL: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var text: String
    public private(set) var binds: [PostgresBind]

    public init(stringLiteral value: String) {
        text = value
        binds = []
    }

    public init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
        binds = stringInterpolation.binds
    }

    /// Text that is not a parameter: a migration file, or an identifier that is a constant in code.
    /// Never pass it anything that came from a request.
    public init(unsafeRaw text: String) {
        self.text = text
        binds = []
    }

    /// Appends another statement fragment, renumbering its parameters.
    public static func + (lhs: SQL, rhs: SQL) -> SQL {
        var interpolation = StringInterpolation(literalCapacity: 0, interpolationCount: 0)
        interpolation.text = lhs.text
        interpolation.binds = lhs.binds
        interpolation.appendInterpolation(rhs)
        return SQL(stringInterpolation: interpolation)
    }

    /// The statement with its parameter count; values are never printed, as they may be personal data.
    public var description: String { "SQL(\(text), \(binds.count) binds)" }

    public struct StringInterpolation: StringInterpolationProtocol {
        var text = ""
        var binds: [PostgresBind] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 3)
        }

        public mutating func appendLiteral(_ literal: String) { text += literal }

        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            binds.append(PostgresBind(text: value.postgresText, type: type(of: value).postgresType))
            text += "$\(binds.count)"
        }

        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            binds.append(PostgresBind(text: value?.postgresText, type: Value.postgresType))
            text += "$\(binds.count)"
        }

        /// Embeds a fragment, shifting its `$n` placeholders past the parameters already bound.
        public mutating func appendInterpolation(_ fragment: SQL) {
            let offset = binds.count
            text += offset == 0 ? fragment.text : Self.shiftPlaceholders(fragment.text, by: offset)
            binds += fragment.binds
        }

        private static func shiftPlaceholders(_ text: String, by offset: Int) -> String {
            var out = ""
            var index = text.startIndex
            while index < text.endIndex {
                let character = text[index]
                guard character == "$" else {
                    out.append(character)
                    index = text.index(after: index)
                    continue
                }
                var end = text.index(after: index)
                while end < text.endIndex, text[end].isASCII, text[end].isNumber { end = text.index(after: end) }
                if let number = Int(text[text.index(after: index)..<end]) {
                    out += "$\(number + offset)"
                } else {
                    out += text[index..<end]
                }
                index = end
            }
            return out
        }
    }
}
