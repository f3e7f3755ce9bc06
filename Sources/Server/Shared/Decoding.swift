import Foundation

extension KeyedDecodingContainer {
    /// An optional field: left out is nil, but `null` is refused (400), since the schema does not allow it.
    func decodeUnlessNull<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard contains(key) else { return nil }
        if try decodeNil(forKey: key) {
            throw DecodingError.valueNotFound(T.self, .init(codingPath: [key], debugDescription: "\(key.stringValue) is null; send a value or leave it out."))
        }
        return try decode(T.self, forKey: key)
    }
}
