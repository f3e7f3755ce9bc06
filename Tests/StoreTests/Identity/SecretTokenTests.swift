import Foundation
import Store
import Testing

@Suite("secret tokens")
struct SecretTokenTests {
    @Test("a token is 32 random bytes as 43 characters of unpadded base64url, safe in a cookie or a link")
    func base64url() {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let tokens = (0..<64).map { _ in SecretToken.generate() }
        for token in tokens {
            #expect(token.count == 43)
            #expect(token.allSatisfy(alphabet.contains), "\(token) is not unpadded base64url")
        }
        #expect(Set(tokens).count == tokens.count)
        // Over 64 tokens of 32 random bytes, the url-safe characters appear (with near certainty) where "+" and "/" would.
        #expect(tokens.joined().contains { $0 == "-" || $0 == "_" })
    }
}
