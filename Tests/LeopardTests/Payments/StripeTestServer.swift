import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

@testable import LeopardPayments

/// Stripe's API as recorded in its API reference (PaymentIntents, Refunds, errors), served on
/// 127.0.0.1 for the provider's tests. Responses are the reference's examples with the
/// request's amount, currency and metadata filled in; like Stripe, a repeated
/// `Idempotency-Key` gets the first answer again.
actor StripeTestServer {
    static let secretKey = "sk_test_51LeopardTestKeyAbCdEf0123456789"

    struct Received: Sendable {
        let path: String
        let headers: HTTPFields
        let form: [String: String]

        func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
    }

    private(set) var received: [Received] = []
    private var answered: [String: (HTTPResponse.Status, String)] = [:]
    private var counter = 0
    /// When set, every request gets a 500 (Stripe having a bad day).
    var failing = false
    /// What `GET /v1/payment_intents/:id` says of an intent: how the shopper's extra step went.
    var retrievedStatus = "succeeded"

    func setRetrievedStatus(_ value: String) { retrievedStatus = value }

    func retrieve(path: String, headers: HTTPFields) -> (HTTPResponse.Status, String) {
        received.append(Received(path: "GET " + path, headers: headers, form: [:]))
        guard headers[.authorization] == "Bearer \(Self.secretKey)" else {
            return (.unauthorized, Self.error(type: "invalid_request_error", message: "Invalid API Key provided: sk_test_****"))
        }
        let id = String(path.dropFirst("/v1/payment_intents/".count))
        let error =
            retrievedStatus == "requires_payment_method"
            ? #"{"code": "payment_intent_authentication_failure", "message": "The bank did not authenticate the payment.", "type": "invalid_request_error"}"#
            : "null"
        return (
            .ok,
            Self.intent(
                id: id, amount: 5000, currency: "usd", order: "", status: retrievedStatus, received: retrievedStatus == "succeeded" ? 5000 : 0, lastError: error
            )
        )
    }

    func setFailing(_ value: Bool) { failing = value }

    func handle(path: String, headers: HTTPFields, body: String) -> (HTTPResponse.Status, String) {
        let form = StripeForm.decode(body)
        received.append(Received(path: path, headers: headers, form: form))
        if failing { return (.internalServerError, Self.error(type: "api_error", message: "An unknown error occurred.")) }
        guard headers[.authorization] == "Bearer \(Self.secretKey)" else {
            return (.unauthorized, Self.error(type: "invalid_request_error", message: "Invalid API Key provided: sk_test_****"))
        }
        let key = headers[HTTPField.Name("Idempotency-Key")!] ?? ""
        if let earlier = answered[path + "|" + key] { return earlier }
        counter += 1
        let answer = respond(path: path, form: form)
        if !key.isEmpty { answered[path + "|" + key] = answer }
        return answer
    }

    func respond(path: String, form: [String: String]) -> (HTTPResponse.Status, String) {
        let id = "pi_3MtwBwLkdIwHu7ix\(String(format: "%010d", counter))"
        if path == "/v1/payment_intents" {
            let amount = Int(form["amount"] ?? "") ?? 0
            let currency = form["currency"] ?? "usd"
            let order = form["metadata[order_id]"] ?? ""
            switch form["payment_method"] {
            case "pm_card_visa":
                // Authorized only, when the store captures on fulfilment.
                let status = form["capture_method"] == "manual" ? "requires_capture" : "succeeded"
                return (
                    .ok, Self.intent(id: id, amount: amount, currency: currency, order: order, status: status, received: status == "succeeded" ? amount : 0)
                )
            case "pm_card_authenticationRequired":
                return (
                    .ok,
                    Self.intent(
                        id: id, amount: amount, currency: currency, order: order, status: "requires_action", received: 0,
                        nextAction:
                            #"{"type": "redirect_to_url", "redirect_to_url": {"return_url": "https://example.com/return", "url": "https://hooks.stripe.com/3d_secure_2/hosted?merchant=acct_1&payment_intent=\#(id)"}}"#
                    )
                )
            case "pm_card_threeDSecureRequired", "card_threeDSecureRequired":
                // Card only, no return URL: the extra step is Stripe.js's in the page.
                return (
                    .ok,
                    Self.intent(
                        id: id, amount: amount, currency: currency, order: order, status: "requires_action", received: 0,
                        nextAction: #"{"type": "use_stripe_sdk", "use_stripe_sdk": {"type": "three_d_secure_redirect"}}"#)
                )
            case "pm_card_chargeDeclined":
                let intent = Self.intent(
                    id: id, amount: amount, currency: currency, order: order, status: "requires_payment_method", received: 0,
                    lastError: #"{"code": "card_declined", "decline_code": "generic_decline", "message": "Your card was declined.", "type": "card_error"}"#)
                return (
                    .init(code: 402),
                    """
                    {"error": {"code": "card_declined", "decline_code": "generic_decline", "doc_url": "https://stripe.com/docs/error-codes/card-declined",
                     "message": "Your card was declined.", "payment_intent": \(intent), "type": "card_error"}}
                    """
                )
            default:
                return (.badRequest, Self.error(type: "invalid_request_error", message: "No such PaymentMethod: '\(form["payment_method"] ?? "")'"))
            }
        }
        if path.hasPrefix("/v1/payment_intents/"), path.hasSuffix("/capture") {
            let intent = String(path.dropFirst("/v1/payment_intents/".count).dropLast("/capture".count))
            let amount = Int(form["amount_to_capture"] ?? "") ?? 0
            return (.ok, Self.intent(id: intent, amount: amount, currency: "usd", order: "", status: "succeeded", received: amount))
        }
        if path.hasPrefix("/v1/payment_intents/"), path.hasSuffix("/cancel") {
            let intent = String(path.dropFirst("/v1/payment_intents/".count).dropLast("/cancel".count))
            return (.ok, Self.intent(id: intent, amount: 0, currency: "usd", order: "", status: "canceled", received: 0))
        }
        if path == "/v1/refunds" {
            return (
                .ok,
                """
                {"id": "re_3MtwBwLkdIwHu7ix0\(counter)", "object": "refund", "amount": \(Int(form["amount"] ?? "") ?? 0), "balance_transaction": "txn_1MtwBwLkdIwHu7ix",
                 "charge": "ch_3MtwBwLkdIwHu7ix", "created": 1692942318, "currency": "usd", "metadata": {}, "payment_intent": "\(form["payment_intent"] ?? "")",
                 "reason": null, "receipt_number": null, "source_transfer_reversal": null, "status": "succeeded", "transfer_reversal": null}
                """
            )
        }
        return (.notFound, Self.error(type: "invalid_request_error", message: "Unrecognized request URL (POST: \(path))."))
    }

    static func intent(
        id: String, amount: Int, currency: String, order: String, status: String, received: Int, nextAction: String = "null", lastError: String = "null"
    ) -> String {
        """
        {"id": "\(id)", "object": "payment_intent", "amount": \(amount), "amount_capturable": 0,
         "amount_details": {"tip": {}}, "amount_received": \(received), "application": null, "application_fee_amount": null,
         "automatic_payment_methods": {"allow_redirects": "never", "enabled": true}, "canceled_at": null, "cancellation_reason": null,
         "capture_method": "automatic", "client_secret": "\(id)_secret_YrKJUKribcBjcG8HVhfZluoGH", "confirmation_method": "automatic",
         "created": 1680800504, "currency": "\(currency)", "customer": null, "description": null, "invoice": null,
         "last_payment_error": \(lastError), "latest_charge": "ch_3MtwBwLkdIwHu7ix2Bl9rBaV", "livemode": false,
         "metadata": {"order_id": "\(order)"}, "next_action": \(nextAction), "on_behalf_of": null,
         "payment_method": {"id": "pm_1MtwBwLkdIwHu7ixvy4MQPHq", "object": "payment_method", "billing_details": {"address": {}, "email": null, "name": null, "phone": null},
                            "card": {"brand": "visa", "country": "US", "exp_month": 8, "exp_year": 2030, "funding": "credit", "last4": "4242"}, "created": 1680800504,
                            "customer": null, "livemode": false, "metadata": {}, "type": "card"},
         "payment_method_options": {"card": {"request_three_d_secure": "automatic"}}, "payment_method_types": ["card"], "processing": null,
         "receipt_email": null, "review": null, "setup_future_usage": null, "shipping": null, "source": null, "statement_descriptor": null,
         "statement_descriptor_suffix": null, "status": "\(status)", "transfer_data": null, "transfer_group": null}
        """
    }

    static func error(type: String, message: String) -> String {
        #"{"error": {"message": "\#(message)", "type": "\#(type)"}}"#
    }

    /// Runs `body` with the server listening; passes its base URL.
    func serve<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/v1/**") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let (status, json) = await self.handle(path: request.uri.path, headers: request.headers, body: String(buffer: bytes))
            return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        router.get("/v1/**") { request, _ -> Response in  // one wildcard per method: a literal route beside it would shadow the POSTs
            let (status, json) = await self.retrieve(path: request.uri.path, headers: request.headers)
            return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            guard let port = client.port else { throw CancellationError() }
            return try await body("http://127.0.0.1:\(port)")
        }
    }
}
