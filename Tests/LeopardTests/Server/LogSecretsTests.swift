import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import LeopardOperations
@testable import LeopardServer

@Suite("Logs: JSON lines with no secrets")
struct LogSecretsTests {
    /// Every line the platform logs, as JSON lines.
    final class Capture: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func logger() -> Logger {
            var logger = Logger(label: "leopard.test") { label in JSONLogHandler(label: label) { line in self.lines.withLock { $0.append(line) } } }
            logger.logLevel = .trace
            return logger
        }
    }

    @Test("passwords, tokens, card numbers, provider keys and webhook secrets never appear in a log line, at any level", arguments: TestPlatform.storages)
    func noSecretsInLogs(storage: TestPlatform.Storage) async throws {
        let capture = Capture()
        let password = "Unusual-Passw0rd-Zebra"
        var secrets: [String] = [password, "4242424242424242", "4242 4242 4242 4242", "sk_test_", "whsec_", TestPlatform.operatorToken]
        secrets += try await TestPlatform.withPlatform(storage, logger: capture.logger(), configure: { $0.logLevel = .trace }) { platform, client -> [String] in
            var found: [String] = []
            let store = try await client.makeStore("Log Shop", password: password)
            found.append(store.token)
            let key = try await client.call(.post, "/api/api-keys", store: store, json: ["name": "ci"])
            found.append(try #require(key.json["secret"] as? String))
            let hook = try await client.call(.post, "/api/webhooks", store: store, json: ["url": "https://hooks.example.com/x", "events": ["order.created"]])
            #expect(hook.status == .created)
            _ = try await client.call(
                .put, "/api/payment-providers/stripe", store: store, json: ["secretKey": "sk_test_51LeopardLogsSecret", "webhookSecret": "whsec_LogsSecret123"])
            _ = try await client.call(.delete, "/api/payment-providers/stripe", store: store)
            found.append(try await platform.registerCustomer(client, store: store, email: "c@log.test", password: password))
            found.append(try await platform.mailedToken(to: "c@log.test", store: store, path: "/account/verify"))
            let product = try ProductRef(try await client.makeProduct(store, title: "Log Lamp", price: 1000, stock: 3))
            let cart = try await client.makeCart(store, variantID: product.variant, quantity: 1)
            found.append(cart.secret)
            let order = try await client.call(
                .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret])
            let orderID = try #require(order.json["id"] as? String)
            let paid = try await client.call(
                .post, "/api/orders/\(orderID)/pay", store: store, staff: false,
                json: ["card": ["number": "4242 4242 4242 4242", "expMonth": 12, "expYear": 2040, "cvc": "987"]], headers: [.cartSecret: cart.secret])
            #expect(paid.status == .created)
            // Wrong passwords and tokens are logged as failures, not as what was typed.
            _ = try await client.call(.post, "/api/auth/login", host: store.host, json: ["email": "owner@logshop.test", "password": password + "-wrong"])
            _ = try await client.call(.get, "/api/auth/me", host: store.host, token: "lps_" + String(repeating: "x", count: 43))
            // The browser's one-time link and form: the query string is not logged.
            let browser = BrowserClient(client)
            _ = try await browser.get("/admin/handoff?token=lph_ThisMustNotBeLogged", host: store.host)
            found.append("lph_ThisMustNotBeLogged")
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail, password: password)
            found.append(try #require(browser.cookie("lp_admin", host: store.host)))
            return found
        }
        let lines = capture.all
        #expect(lines.filter { $0.contains(#""msg":"request""#) }.count >= 15, "every request of the flow is logged")
        #expect(
            lines.contains {
                $0.contains(#""msg":"request""#) && $0.contains(#""route":"/api/orders/"#) && $0.contains(#"/pay""#) && $0.contains(#""status":"201""#)
                    && $0.contains(#""tenant":"ten_"#)
            })
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)")
            for secret in secrets where !secret.isEmpty {
                #expect(!line.contains(secret), "a log line holds a secret (\(secret.prefix(6))…): \(line.prefix(300))")
            }
        }
    }

    @Test("the JSON handler escapes quotes, backslashes and control characters")
    func escaping() throws {
        let capture = Capture()
        let logger = capture.logger()
        logger.info("say \"hi\"\n\\ done\u{1}", metadata: ["key\"": "va\tlue"])
        let line = try #require(capture.all.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["msg"] as? String == "say \"hi\"\n\\ done\u{1}")
        #expect(object["key\""] as? String == "va\tlue")
        #expect(object["level"] as? String == "info")
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1)
    }
}
