import Testing
@testable import Domain

@Suite("password rules")
struct PasswordRulesTests {
    static let common: Set<String> = ["password", "sunshine", "qwertyuiopas", "iloveyou"]

    @Test("acceptable and refused passwords", arguments: [
        ("violet kettle harbour", true), ("short pass", false), ("qwertyuiopas", false), ("QWERTYUIOPAS", false),
        ("sunshine2026!!", false), ("passwordpassword", false), ("aaaaaaaaaaaa", false), ("correct-horse-battery", true),
        ("iloveyou1234", false),
    ])
    func rules(password: String, acceptable: Bool) {
        #expect(PasswordRules.problems(with: password, commonPasswords: Self.common).isEmpty == acceptable, "\(password)")
    }

    @Test("a NUL character is refused, not cut off where bcrypt would stop reading")
    func nul() {
        #expect(PasswordRules.problems(with: "abc\u{0}xxxxxxxxxxxx", commonPasswords: []) == ["A password cannot contain a NUL character. Choose another."])
    }

    @Test("more than 72 bytes is refused, counting bytes rather than characters")
    func length() {
        let words = String("correct horse battery staple violet kettle harbour meadow russet umber lantern orchard quartz".prefix(72))
        #expect(PasswordRules.problems(with: words, commonPasswords: []).isEmpty, "72 bytes")
        #expect(PasswordRules.problems(with: words + "x", commonPasswords: []).count == 1, "73 bytes")
        #expect(!PasswordRules.problems(with: String(repeating: "é ", count: 25), commonPasswords: []).isEmpty, "50 characters, 75 bytes")
    }

    @Test("the message says what to do")
    func message() {
        #expect(PasswordRules.problems(with: "short", commonPasswords: []) == ["Enter a password of at least 12 characters."])
    }
}
