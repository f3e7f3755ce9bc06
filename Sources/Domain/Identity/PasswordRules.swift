/// What makes a password acceptable, after NCSC guidance: long enough and not a common one. No composition rules.
///
/// ```swift
/// PasswordRules.problems(with: "correct horse battery", commonPasswords: list)   // []
/// ```
public enum PasswordRules {
    public static let minimumLength = 12
    /// bcrypt reads at most 72 bytes of a password and stops at a NUL byte: a longer password, or one holding NUL,
    /// would be checked as a shorter one than the person chose, so neither is accepted.
    public static let maximumBytes = 72

    /// What is wrong with `password`, in words to show the person choosing it; empty when it is acceptable.
    public static func problems(with password: String, commonPasswords: Set<String>) -> [String] {
        if password.unicodeScalars.contains("\u{0}") { return ["A password cannot contain a NUL character. Choose another."] }
        if password.count < minimumLength { return ["Enter a password of at least \(minimumLength) characters."] }
        if password.utf8.count > maximumBytes {
            return ["Enter a password of at most \(maximumBytes) bytes: about \(maximumBytes) letters, fewer with accents or emoji."]
        }
        if isCommon(password, commonPasswords) {
            return ["That password is one of the most commonly used, so it is easy to guess. Choose another, for example three random words."]
        }
        return []
    }

    /// Common as it stands, or a common password with digits and symbols stuck on the end ("sunshine2026!").
    static func isCommon(_ password: String, _ common: Set<String>) -> Bool {
        let lowered = password.lowercased()
        if common.contains(lowered) { return true }
        var stem = Substring(lowered)
        while let last = stem.last, !last.isLetter { stem = stem.dropLast() }
        if stem.count >= 4, stem.count < lowered.count, common.contains(String(stem)) { return true }
        // The same short word repeated ("passwordpassword").
        for length in 3...max(3, lowered.count / 2) where lowered.count % length == 0 {
            let unit = lowered.prefix(length)
            if String(repeating: String(unit), count: lowered.count / length) == lowered { return true }
        }
        return false
    }
}
