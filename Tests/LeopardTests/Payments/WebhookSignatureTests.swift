import Foundation
import LeopardPayments
import Testing

@Suite("Webhook signatures (Stripe's scheme)")
struct WebhookSignatureTests {
    let secret = "whsec_test_secret"
    let body = Data(#"{"id":"evt_1","type":"payment_intent.succeeded"}"#.utf8)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a known vector: HMAC-SHA256 of \"t.body\" in hex")
    func vector() throws {
        // Computed independently: printf '1800000000.{"id":"evt_1","type":"payment_intent.succeeded"}' | openssl dgst -sha256 -hmac whsec_test_secret
        let header = WebhookSignature.header(for: body, secret: secret, time: now)
        #expect(header == "t=1800000000,v1=334f9dbfd609cf6c38f112f028756732c80faa7fdbeab117549d6303a5dcf896")
        try WebhookSignature.verify(header: header, body: body, secret: secret, now: now)
    }

    @Test("wrong secret, tampered body, too old, from the future, missing and malformed headers are refused")
    func refusals() {
        let header = WebhookSignature.header(for: body, secret: secret, time: now)
        #expect(throws: WebhookSignature.Failure.mismatch) { try WebhookSignature.verify(header: header, body: body, secret: "whsec_other", now: now) }
        #expect(throws: WebhookSignature.Failure.mismatch) {
            try WebhookSignature.verify(header: header, body: Data(#"{"id":"evt_1","type":"payment_intent.succeeded "}"#.utf8), secret: secret, now: now)
        }
        #expect(throws: WebhookSignature.Failure.tooOld) {
            try WebhookSignature.verify(header: header, body: body, secret: secret, now: now.addingTimeInterval(301))
        }
        #expect(throws: WebhookSignature.Failure.tooOld) {
            try WebhookSignature.verify(header: header, body: body, secret: secret, now: now.addingTimeInterval(-301))
        }
        #expect(throws: WebhookSignature.Failure.missing) { try WebhookSignature.verify(header: nil, body: body, secret: secret, now: now) }
        #expect(throws: WebhookSignature.Failure.malformed) { try WebhookSignature.verify(header: "v1=abc", body: body, secret: secret, now: now) }
        #expect(throws: WebhookSignature.Failure.malformed) { try WebhookSignature.verify(header: "t=1800000000", body: body, secret: secret, now: now) }
    }

    @Test("any one of several v1 signatures may match (secret rotation)")
    func several() throws {
        let good = WebhookSignature.header(for: body, secret: secret, time: now)
        let goodV1 = String(good.split(separator: ",")[1])
        let stale = WebhookSignature.header(for: body, secret: "whsec_old", time: now)
        let staleV1 = String(stale.split(separator: ",")[1])
        try WebhookSignature.verify(header: "t=1800000000,\(staleV1),\(goodV1),v0=ignored", body: body, secret: secret, now: now)
        #expect(throws: WebhookSignature.Failure.mismatch) {
            try WebhookSignature.verify(header: "t=1800000000,\(staleV1)", body: body, secret: secret, now: now)
        }
    }
}
