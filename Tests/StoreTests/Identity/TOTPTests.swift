import Foundation
@testable import Store
import Testing

@Suite("one-time passwords")
struct TOTPTests {
    static let rfcSecret = Array("12345678901234567890".utf8)

    @Test("codes match RFC 6238's SHA-1 test vectors", arguments: [
        (Int64(59), "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"), (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
    ])
    func rfcVectors(time: Int64, expected: String) {
        #expect(TOTP.code(secret: Self.rfcSecret, step: time / 30, digits: 8) == expected)
        #expect(TOTP.code(secret: Self.rfcSecret, step: time / 30) == String(expected.suffix(6)))
    }

    @Test("a code is accepted one step either side, once only, and never an older one")
    func window() {
        let now = Date(timeIntervalSince1970: 1_800_000_015)
        let step = TOTP.step(at: now)
        let secret = TOTP.newSecret()
        #expect(TOTP.matchingStep(for: TOTP.code(secret: secret, step: step), secret: secret, at: now, after: nil) == step)
        #expect(TOTP.matchingStep(for: TOTP.code(secret: secret, step: step - 1), secret: secret, at: now, after: nil) == step - 1)
        #expect(TOTP.matchingStep(for: TOTP.code(secret: secret, step: step + 1), secret: secret, at: now, after: nil) == step + 1)
        #expect(TOTP.matchingStep(for: TOTP.code(secret: secret, step: step - 2), secret: secret, at: now, after: nil) == nil)
        #expect(TOTP.matchingStep(for: TOTP.code(secret: secret, step: step), secret: secret, at: now, after: step) == nil, "replay")
        #expect(TOTP.matchingStep(for: "12345", secret: secret, at: now, after: nil) == nil)
        #expect(TOTP.matchingStep(for: "١٢٣٤٥٦", secret: secret, at: now, after: nil) == nil, "only ASCII digits")
    }

    @Test("base32 round-trips and reads what apps show")
    func base32() {
        #expect(TOTP.base32(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(TOTP.secret(base32: "mzxw 6ytb oi==") == Array("foobar".utf8))
        #expect(TOTP.secret(base32: "not base32!") == nil)
        let secret = TOTP.newSecret()
        #expect(TOTP.secret(base32: TOTP.base32(secret)) == secret)
    }

    @Test("the provisioning URI names the issuer and the account")
    func uri() {
        let uri = TOTP.provisioningURI(secret: Array("foobar".utf8), account: "officer@example-city.test")
        #expect(uri == "otpauth://totp/Clusterfund:officer%40example-city.test?secret=MZXW6YTBOI&issuer=Clusterfund&algorithm=SHA1&digits=6&period=30")
    }
}
