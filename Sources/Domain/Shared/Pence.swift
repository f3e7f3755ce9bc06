import Foundation
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

    /// Reads a sum of money as people type it: `6000`, `6,000`, `£6,000.50`, `6000.5`; nil for anything else (a
    /// negative sum, more than two decimal places, letters, or more than £10 billion).
    public init?(poundsText text: String) {
        var digits = text.trimmingCharacters(in: .whitespaces)
        if digits.hasPrefix("£") { digits.removeFirst() }
        digits = digits.replacingOccurrences(of: ",", with: "")
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].count <= 11, parts[0].allSatisfy(\.isASCIIDigitOnly),
            parts.count == 1 || ((1...2).contains(parts[1].count) && parts[1].allSatisfy(\.isASCIIDigitOnly)),
            let pounds = Int64(parts[0])
        else { return nil }
        let fraction = parts.count == 2 ? String(parts[1]).padding(toLength: 2, withPad: "0", startingAt: 0) : "00"
        guard let pence = Int64(fraction) else { return nil }
        self.init(pounds * 100 + pence)
    }

    /// `6000.00` style, for a form field to show again.
    public var plainPounds: String {
        let pence = value.magnitude % 100
        return (value < 0 ? "-" : "") + String(value.magnitude / 100) + "." + (pence < 10 ? "0" : "") + String(pence)
    }

    public init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(Int64.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

extension Character {
    /// 0 to 9 only, not other scripts' digits, which `Int` would refuse anyway.
    var isASCIIDigitOnly: Bool { ("0"..."9").contains(self) }
}
