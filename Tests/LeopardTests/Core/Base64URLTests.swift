import Foundation
import Testing

@testable import LeopardCore

@Suite("Base64URL and secure tokens")
struct Base64URLTests {
    @Test("encodes like Foundation's base64 with the URL alphabet and no padding, for every length, and decodes back")
    func matchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            let encoded = Base64URL.encode(bytes)
            #expect(encoded == expected)
            #expect(Base64URL.decode(encoded) == Data(bytes))
        }
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.decode("not base64!") == nil)
    }

    @Test("tokens are 43 characters of the URL alphabet for 32 bytes and do not repeat")
    func tokens() {
        let tokens = (0..<200).map { _ in SecureToken.make() }
        #expect(Set(tokens).count == tokens.count)
        for token in tokens {
            #expect(token.count == 43)
            #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        }
        #expect(SecureToken.make(bytes: 12).count == 16)
        #expect(Base64URL.decode(SecureToken.make(bytes: 5))?.count == 5)
    }
}
