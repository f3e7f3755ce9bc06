import Foundation

/// A typed identifier: `ID<School>` and `ID<Pupil>` cannot be mixed up, though both are UUIDs underneath.
///
/// ```swift
/// let school: ID<School> = ID(UUID())
/// ```
public struct ID<Entity>: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UUID
    public init(_ rawValue: UUID) { self.rawValue = rawValue }

    /// Parses the canonical text form; nil for anything else.
    public init?(_ text: String) {
        guard let uuid = UUID(uuidString: text) else { return nil }
        rawValue = uuid
    }

    public var description: String { rawValue.uuidString.lowercased() }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(UUID.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
