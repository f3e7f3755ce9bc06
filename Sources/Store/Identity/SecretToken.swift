import Crypto
import ExtrasBase64
import Foundation
import PQ

/// Opaque 256-bit secrets (session cookies, API tokens, set-password links, CSRF tokens).
/// Only their SHA-256 is stored, so a copy of the database lets nobody sign in.
public enum SecretToken {
    /// 32 random bytes from the system's secure generator, as unpadded base64url (43 characters).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return encoded((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The secret of record `id` under `key` (HMAC-SHA256, unpadded base64url): whoever holds the key can rebuild a
    /// set-password link from its id at send time, so the database never holds the link itself.
    public static func derived(from id: UUID, key: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(id.uuidString.lowercased().utf8), using: SymmetricKey(data: key))
        return encoded(Array(code))
    }

    static func encoded(_ bytes: [UInt8]) -> String {
        Base64.encodeToString(bytes: bytes, options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }

    /// Unpadded base64url, safe in cookies and URLs.
    static func base64URL(_ data: Data) -> String {
        encoded(Array(data))
    }

    static func hash(_ token: String) -> ByteA { ByteA(Array(SHA256.hash(data: Data(token.utf8)))) }

    /// Compares two secrets in time that does not depend on where they differ.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
