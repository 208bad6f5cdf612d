import Foundation
import Testing

@testable import LeopardOperations

@Suite("Latch: a one-time signal with a timeout")
struct LatchTests {
    @Test("a wait whose timeout passes before it is registered still ends, with false")
    func expiryBeforeRegistration() async throws {
        // Zero timeouts make the timer race the registration on every wait; before the fix a
        // timer that won left its wait hanging.
        let outcome = await finishes(within: .seconds(20)) {
            let latch = Latch()
            var results: [Bool] = []
            for _ in 0..<500 { results.append(await latch.wait(timeout: .zero)) }
            return results
        }
        let results = try #require(try outcome?.get(), "the waits did not all end")
        #expect(results.count == 500)
        #expect(results.allSatisfy { $0 == false })
    }

    @Test("waiters get the result when it opens; later waiters get it at once; it opens once")
    func opens() async throws {
        let latch = Latch()
        async let early = latch.wait(timeout: .seconds(20))
        try await Task.sleep(for: .milliseconds(50))
        latch.open(true)
        latch.open(false)
        #expect(await early == true)
        #expect(await latch.wait(timeout: .zero) == true)
        #expect(latch.isOpen)
    }

    @Test("an expiry after the latch opened leaves nothing behind for later waits")
    func expiryAfterOpen() async {
        let latch = Latch()
        latch.open(false)
        latch.expire(UUID())
        #expect(await latch.wait(timeout: .seconds(1)) == false)
        let other = Latch()
        let id = UUID()
        other.expire(id)
        other.open(true)
        #expect(await other.wait(timeout: .seconds(1)) == true)
    }
}
