import Crypto
import ExtrasBase64
import Foundation

/// Time-based one-time passwords (RFC 6238, HMAC-SHA1, 30-second steps, 6 digits): what authenticator apps show.
/// The second-factor sign-in flow builds on this; codes are checked here, never in a handler.
///
/// ```swift
/// let secret = TOTP.newSecret()
/// TOTP.code(secret: secret, at: Date())          // "492039"
/// TOTP.matchingStep(for: "492039", secret: secret, at: Date(), after: lastUsedStep)
/// ```
public enum TOTP {
    public static let period: Int64 = 30
    public static let digits = 6

    /// 20 random bytes (160 bits, RFC 4226's recommendation).
    public static func newSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The step an instant falls in: whole periods since the Unix epoch.
    public static func step(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / Double(period)).rounded(.down))
    }

    /// The code for one step (RFC 4226's HOTP with the step as counter), `digits` long with leading zeros.
    public static func code(secret: [UInt8], step: Int64, digits: Int = digits) -> String {
        var counter = UInt64(bitPattern: step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary = (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    public static func code(secret: [UInt8], at date: Date) -> String { code(secret: secret, step: step(at: date)) }

    /// The step `code` belongs to, allowing one step of clock drift either way, and only a step later than
    /// `lastUsed`, so a code seen once (over a shoulder, in a log) can never be used again.
    public static func matchingStep(for code: String, secret: [UInt8], at date: Date, after lastUsed: Int64?) -> Int64? {
        let typed = code.filter { !$0.isWhitespace }
        guard typed.count == digits, typed.allSatisfy(\.isASCII), typed.allSatisfy(\.isNumber) else { return nil }
        let now = step(at: date)
        for candidate in [now - 1, now, now + 1] where candidate > (lastUsed ?? Int64.min) {
            if SecretToken.equal(Self.code(secret: secret, step: candidate), typed) { return candidate }
        }
        return nil
    }

    /// A secret as authenticator apps take it: RFC 4648 base32 without padding.
    public static func base32(_ secret: [UInt8]) -> String {
        Base32.encodeToString(bytes: secret, options: .omitPaddingCharacter)
    }

    /// A base32 secret as apps show it and people type it: either case, spaces and padding allowed; nil when it is not
    /// base32.
    public static func secret(base32 text: String) -> [UInt8]? {
        try? Base32.decode(string: text, options: .allowNullCharacters)
    }

    /// The `otpauth://` URI an authenticator app reads from a QR code.
    public static func provisioningURI(secret: [UInt8], account: String, issuer: String = "Clusterfund") -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let label = (issuer + ":" + account).addingPercentEncoding(withAllowedCharacters: allowed.union(CharacterSet(charactersIn: ":"))) ?? account
        let encodedIssuer = issuer.addingPercentEncoding(withAllowedCharacters: allowed) ?? issuer
        return "otpauth://totp/\(label)?secret=\(base32(secret))&issuer=\(encodedIssuer)&algorithm=SHA1&digits=\(digits)&period=\(period)"
    }
}
