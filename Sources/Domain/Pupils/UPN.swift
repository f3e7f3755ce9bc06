/// A Unique Pupil Number: 13 characters, a check letter then twelve digits (a local authority's number, the school's
/// establishment number, the year allocated, a serial), or for a temporary UPN eleven digits and a final letter. The
/// check letter is the DfE's: each of characters 2-13 (a final letter by its place in the check alphabet) times its
/// position, summed, modulo 23, as a letter of the alphabet without I, O and S.
///
/// ```swift
/// UPN("A123456789012")          // nil unless A is the right check letter
/// UPN.checkLetter(for: "123456789012")
/// ```
public struct UPN: Hashable, Sendable, CustomStringConvertible, Comparable {
    public let text: String

    static let alphabet = Array("ABCDEFGHJKLMNPQRTUVWXYZ")

    /// Reads a UPN as typed (spaces dropped, letters uppercased); nil unless it is 13 characters of the right shape
    /// with the right check letter.
    public init?(_ typed: String) {
        let text = String(typed.uppercased().filter { !$0.isWhitespace })
        let characters = Array(text)
        guard characters.count == 13, characters[1..<12].allSatisfy(\.isASCIIDigitOnly),
              characters[12].isASCIIDigitOnly || Self.alphabet.contains(characters[12]),
              let expected = Self.checkLetter(for: String(characters[1...])), characters[0] == expected
        else { return nil }
        self.text = text
    }

    /// What is wrong with a typed UPN, in words a SENCo can act on; nil when it is a UPN.
    public static func problem(with typed: String) -> String? {
        guard UPN(typed) == nil else { return nil }
        let characters = Array(typed.uppercased().filter { !$0.isWhitespace })
        let shaped = characters.count == 13 && alphabet.contains(characters[0]) && characters[1..<12].allSatisfy(\.isASCIIDigitOnly)
            && (characters[12].isASCIIDigitOnly || alphabet.contains(characters[12]))
        return shaped
            ? "The UPN's first letter does not match the rest: check the UPN against the pupil's school record."
            : "Enter the UPN as on the pupil's school record: a letter, then 12 digits (or 11 digits and a letter), 13 characters in all."
    }

    /// The check letter for the twelve characters after it; nil if they are not eleven digits and a digit or letter.
    public static func checkLetter(for rest: String) -> Character? {
        let characters = Array(rest)
        guard characters.count == 12 else { return nil }
        var sum = 0
        for (index, character) in characters.enumerated() {
            let value: Int
            if let digit = character.wholeNumberValue, character.isASCIIDigitOnly {
                value = digit
            } else if index == 11, let position = alphabet.firstIndex(of: character) {
                value = position
            } else {
                return nil
            }
            sum += value * (index + 2)
        }
        return alphabet[sum % 23]
    }

    /// A temporary UPN ends in a letter: the school allocates one until the permanent number is known.
    public var isTemporary: Bool { text.last.map { !$0.isASCIIDigitOnly } ?? false }

    public var description: String { text }
    public static func < (lhs: UPN, rhs: UPN) -> Bool { lhs.text < rhs.text }
}
