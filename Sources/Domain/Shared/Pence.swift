/// Money, as a whole number of pence. Never a floating-point number.
///
/// ```swift
/// let award = Pence(600_000)          // £6,000.00
/// award.formatted                     // "£6,000.00"
/// ```
public struct Pence: Hashable, Comparable, Sendable, Codable, AdditiveArithmetic, CustomStringConvertible {
    public var value: Int64
    public init(_ value: Int64) { self.value = value }

    public static let zero = Pence(0)
    public static func + (lhs: Pence, rhs: Pence) -> Pence { Pence(lhs.value + rhs.value) }
    public static func - (lhs: Pence, rhs: Pence) -> Pence { Pence(lhs.value - rhs.value) }
    public static func < (lhs: Pence, rhs: Pence) -> Bool { lhs.value < rhs.value }

    /// Pounds and pence with thousands separators, as a council officer writes it: `£1,234.05`, `-£3.00`.
    public var formatted: String {
        let magnitude = value.magnitude
        let pounds = String(magnitude / 100)
        var grouped = ""
        for (index, digit) in pounds.enumerated() {
            if index > 0 && (pounds.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        let pence = magnitude % 100
        return (value < 0 ? "-" : "") + "£" + grouped + "." + (pence < 10 ? "0" : "") + String(pence)
    }

    public var description: String { formatted }

    public init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(Int64.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
