import Crypto
import Domain
import Foundation

/// OWASP's device cookies ("slow down online guessing attacks with device cookies"): a browser that has signed in to
/// an account gets a cookie `NONCE.SIGNATURE`, the signature an HMAC of the account and the nonce under a key held
/// outside the database (`CLUSTERFUND_SECRET_KEY`). Presented with that account's sign-in, it makes the browser a
/// trusted client, throttled by its own failures only, so nobody can lock the account's owner out from elsewhere.
///
/// ```swift
/// let cookies = DeviceCookies(secretKey: environment["CLUSTERFUND_SECRET_KEY"])  // nil without a key
/// let value = cookies?.issue(for: userID)
/// cookies?.nonce(of: value, for: userID)  // the nonce: a genuine cookie of this account
/// ```
public struct DeviceCookies: Sendable {
    /// The derived HMAC key's bytes (`SymmetricKey` itself is not `Sendable`).
    private let keyBytes: Data

    /// Nil when no key is configured: then device cookies are simply not issued, and none is trusted.
    public init?(secretKey: String?) {
        guard let secretKey, !secretKey.isEmpty else { return nil }
        // A key of its own, derived for this one use, so the same secret can sign other things without confusion.
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(secretKey.utf8)), info: Data("clusterfund device cookie v1".utf8), outputByteCount: 32
        )
        keyBytes = key.withUnsafeBytes { Data($0) }
    }

    /// A new cookie value for a browser that has just signed in as `userID`.
    public func issue(for userID: ID<User>) -> String {
        let nonce = SecretToken.generate()
        return nonce + "." + signature(userID: userID, nonce: nonce)
    }

    /// The cookie's nonce when it is genuine and was issued for `userID`; nil otherwise.
    public func nonce(of cookie: String, for userID: ID<User>) -> String? {
        let parts = cookie.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard cookie.count <= 100, parts.count == 2, SecretToken.equal(parts[1], signature(userID: userID, nonce: parts[0])) else { return nil }
        return parts[0]
    }

    private func signature(userID: ID<User>, nonce: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(userID.description)|\(nonce)".utf8), using: SymmetricKey(data: keyBytes))
        return SecretToken.base64URL(Data(mac))
    }
}
