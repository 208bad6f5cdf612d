import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardCommerce
import LeopardPayments
import NIOCore
import Testing

@testable import LeopardOperations
@testable import LeopardServer

/// What a black-box attack on a running server found (issue 17), each failing before its fix.
@Suite("Attack findings: money and trust")
struct AttackFindingsTests {
    @Test("a payment racing a cancel never leaves a cancelled order with the money captured", arguments: TestPlatform.storages)
    func payRacingCancel(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Race Cancel Shop")
            let product = try await client.makeProduct(store, title: "Kettle", price: 2500, stock: 100)
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            var outcomes: [String: Int] = [:]
            for _ in 0..<8 {
                let cart = try await client.makeCart(store, variantID: variant, quantity: 1)
                let placed = try await client.call(
                    .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret])
                let order = try #require(placed.json["id"] as? String)
                async let pay = client.call(
                    .post, "/api/orders/\(order)/pay", store: store, staff: false, json: PaymentFlowTests.card("4242424242424242"),
                    headers: [.cartSecret: cart.secret])
                async let cancel = client.call(.post, "/api/orders/\(order)/cancel", store: store, json: ["reason": "race"])
                let (paid, cancelled) = try await (pay, cancel)
                #expect(paid.status != .internalServerError && cancelled.status != .internalServerError, "\(paid.text) \(cancelled.text)")
                await platform.services.paymentRelay.idle()
                let status = try #require(try await client.call(.get, "/api/orders/\(order)", store: store).json["status"] as? String)
                let payments = try #require(try await client.call(.get, "/api/orders/\(order)/payments", store: store).json["data"] as? [[String: Any]])
                let captured = payments.contains { $0["status"] as? String == "captured" }
                #expect(!(status == "cancelled" && captured), "a cancelled order with its money captured: \(payments)")
                #expect(status == "cancelled" || status == "paid")
                if status == "paid" { #expect(cancelled.status == .conflict, "a paid order's cancel is refused: \(cancelled.text)") }
                outcomes[status, default: 0] += 1
            }
            #expect(outcomes.values.reduce(0, +) == 8)
        }
    }

    @Test("money Stripe takes after its order was cancelled is refunded; a refund that fails is tried again on Stripe's retry")
    func captureAfterCancelIsRefunded() async throws {
        let stripe = StripeTestServer()
        try await stripe.serve { base in
            try await TestPlatform.withPlatform(configure: { $0.stripeAPIBase = base }) { platform, client in
                let (store, order, _) = try await StripeProviderTests().stripeStore(client, "Late Capture Shop")
                let started = try await client.call(.post, "/api/orders/\(order)/pay", store: store, json: ["paymentMethod": "pm_card_threeDSecureRequired"])
                #expect(started.json["status"] as? String == "requires_action", "\(started.text)")
                let paymentID = try #require(started.json["id"] as? String)
                #expect(try await client.call(.post, "/api/orders/\(order)/cancel", store: store).json["status"] as? String == "cancelled")
                let tenant = try #require(try await platform.services.registry.find(id: store.id))
                let reference = try await platform.services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                    try #require(try await Payments(database: database).reference(paymentID: paymentID)).reference
                }
                // The shopper's bank step completed at Stripe just as the order was cancelled.
                let event = #"{"id":"evt_late_capture","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"\#(reference)"}}}"#
                await stripe.setFailing(true)
                let first = try await StripeProviderTests().signed(client, store, event)
                #expect(first.status == .badGateway, "\(first.text)")
                await stripe.setFailing(false)
                let retried = try await StripeProviderTests().signed(client, store, event)
                #expect(retried.status == .ok, "\(retried.text)")
                let refunds = await stripe.received.filter { $0.path == "/v1/refunds" && $0.form["payment_intent"] == reference }
                #expect(refunds.count == 2, "one failed, one went through")
                #expect(refunds.last?.form["amount"] == "5000")
                #expect(refunds.allSatisfy { $0.header("Idempotency-Key") == "late-capture-\(paymentID)" })
                // Stripe's further resends change nothing and refund nothing more.
                #expect(try await StripeProviderTests().signed(client, store, event).json["changed"] as? Bool == false)
                #expect(await stripe.received.filter { $0.path == "/v1/refunds" }.count == 2)
                #expect(try await client.call(.get, "/api/orders/\(order)", store: store).json["status"] as? String == "cancelled")
            }
        }
    }

    @Test("parallel wrong passwords get no further than the sign-in limit, on staff and customer sign-in")
    func parallelSignInThrottle() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Throttle Shop")
            let limit = platform.services.configuration.loginFailureLimit
            _ = try await platform.registerCustomer(client, store: store, email: "ada@throttle.test", password: "correct horse battery")
            for (path, email) in [("/api/auth/login", store.ownerEmail), ("/api/customers/login", "ada@throttle.test")] {
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for attempt in 0..<40 {
                        group.addTask {
                            try await client.call(.post, path, host: store.host, json: ["email": email, "password": "wrong password \(attempt)"]).status
                        }
                    }
                    return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
                }
                #expect(
                    statuses.filter { $0 == .unauthorized }.count <= limit, "\(path): \(statuses.filter { $0 == .unauthorized }.count) wrong passwords checked")
                #expect(statuses.filter { $0 == .tooManyRequests }.count >= 40 - limit)
                // The account is now locked for a while, even with the right password.
                #expect(
                    try await client.call(.post, path, host: store.host, json: ["email": email, "password": "correct horse battery"]).status == .tooManyRequests
                )
            }
        }
    }

    @Test("right passwords do not count against the limit")
    func rightPasswordsGiveTheirTryBack() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Many Sign Ins Shop")
            for _ in 0..<(platform.services.configuration.loginFailureLimit + 3) {
                let login = try await client.call(
                    .post, "/api/auth/login", host: store.host, json: ["email": store.ownerEmail, "password": "correct horse battery"])
                #expect(login.status == .ok)
            }
        }
    }

    @Test("a webhook host name that resolves to loopback is refused at delivery, and the log says only that")
    func webhookNameResolvingToLoopback() async throws {
        let receiver = WebhookReceiver()
        try await receiver.serve { url in
            let port = try #require(URLComponents(string: url)?.port)
            // The name is given an address by the test's resolver: no DNS is asked.
            let resolver: @Sendable (String) async throws -> [String] = { host in
                guard host == "hooks.example.test" else { throw CancellationError() }
                return ["127.0.0.1"]
            }
            try await TestPlatform.withPlatform(configure: {
                $0.allowPrivateWebhookTargets = false
                $0.webhookResolver = resolver
            }) { platform, client in
                let store = try await client.makeStore("Rebinding Shop")
                // The text of the URL names no private host, so it is accepted when registered.
                let endpoint = try await OutboxDeliveryTests().addEndpoint(
                    client, store, url: "http://hooks.example.test:\(port)/hook", events: ["order.created"])
                let product = try await client.makeProduct(store, title: "Lamp", price: 3000, stock: 5)
                let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
                let cart = try await client.makeCart(store, variantID: variant, quantity: 1)
                try #require(
                    try await client.call(
                        .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody,
                        headers: [.cartSecret: cart.secret]
                    ).status == .created)
                #expect(await platform.services.webhookDispatcher.deliverDue(tenantID: store.id, now: { Date() }) == 1)
                let log = try await OutboxDeliveryTests().deliveries(client, store, endpoint: endpoint.id)
                let text = String(describing: log)
                #expect(text.contains("refused: private address"), "\(text)")
                #expect(!text.contains("127.0.0.1") && !text.contains("onnection"))
                #expect(await receiver.received.isEmpty, "nothing reached the loopback receiver")
            }
        }
    }

    @Test("every special-purpose address range is refused as a webhook target")
    func specialPurposeAddresses() {
        let refused = [
            "127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "198.18.0.1", "198.19.255.255", "224.0.0.1",
            "239.1.1.1", "240.0.0.1", "255.255.255.255", "0.0.0.0", "192.0.2.1", "::1", "::", "fe80::1", "fc00::1", "fd12::1", "ff02::1",
            "::ffff:127.0.0.1", "::ffff:8.8.8.8", "64:ff9b::7f00:1", "2001:db8::1", "2002:7f00:1::1", "2001::1", "::127.0.0.1", "not an address",
        ]
        for address in refused { #expect(WebhookURL.isSpecialPurpose(address: address), "\(address)") }
        for address in ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001::1"] {
            #expect(!WebhookURL.isSpecialPurpose(address: address), "\(address)")
        }
    }

    @Test("a NUL character in a JSON field or the address is a 4xx problem on anonymous routes, never a 500", arguments: TestPlatform.storages)
    func nulCharacters(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Nul Shop")
            let bodies: [(String, String)] = [
                ("/api/carts", #"{"email":"a\u0000@example.test"}"#),
                ("/api/customers/register", #"{"email":"nul\u0000@example.test","password":"correct horse battery"}"#),
                ("/api/customers/login", #"{"email":"nul@example.test","password":"x\u0000y"}"#),
                ("/api/auth/login", #"{"email":"owner\u0000@example.test","password":"correct horse battery"}"#),
            ]
            for (path, raw) in bodies {
                let response = try await client.call(.post, path, host: store.host, raw: raw)
                #expect(response.status == .unprocessableContent, "\(path): \(response.status) \(response.text)")
                #expect(response.headers[.contentType]?.hasPrefix("application/problem+json") == true)
                #expect(!response.errorFields.isEmpty)
            }
            // An escaped backslash before `u0000` is text, not a NUL.
            let escaped = try await client.call(.post, "/api/carts", host: store.host, raw: #"{"note":"C:\\u0000"}"#)
            #expect(!escaped.text.contains("NUL character"), "\(escaped.status) \(escaped.text)")
            for path in ["/api/products?q=%00", "/api/products/%00", "/search?q=a%00b"] {
                let response = try await client.call(.get, path, host: store.host)
                #expect(response.status == .badRequest, "\(path): \(response.status)")
            }
            // A multipart image upload's alt text, which no JSON or form check sees.
            let product = try await client.makeProduct(store, title: "Nul Mug", price: 500, stock: 1)
            let productID = try #require(product["id"] as? String)
            var upload = ByteBuffer(string: "--nulb\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\nA\u{0}B\r\n")
            upload.writeString("--nulb\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n")
            upload.writeBytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 32))
            upload.writeString("\r\n--nulb--\r\n")
            let image = try await client.execute(
                uri: "/api/products/\(productID)/images", method: .post,
                headers: [HTTPField.Name("Host")!: store.host, .authorization: "Bearer \(store.token)", .contentType: "multipart/form-data; boundary=nulb"],
                body: upload)
            #expect(image.status == .unprocessableContent, "\(image.status) \(String(buffer: image.body))")
            #expect(image.errorFields == ["alt"])
            let browser = BrowserClient(client)
            let form = try await browser.get("/account/login", host: store.host)
            let page = try await browser.post("/account/login", host: store.host, form: ["email": "a\u{0}@example.test", "password": "x"], csrf: form.csrf)
            #expect(page.status == .badRequest)
            #expect(page.html.contains("<html"), "a friendly page, not a bare error")
        }
    }

    @Test("a replayed checkout needs the cart secret the first request had")
    func replayNeedsTheSameAuthorization() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Replay Shop")
            let product = try await client.makeProduct(store, title: "Mug", price: 1500, stock: 10)
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let cart = try await client.makeCart(store, variantID: variant, quantity: 1)
            let key = HTTPField.Name("Idempotency-Key")!
            let first = try await client.call(
                .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody,
                headers: [.cartSecret: cart.secret, key: "replay-1"])
            #expect(first.status == .created)
            let orderID = try #require(first.json["id"] as? String)
            for headers in [[key: "replay-1"], [key: "replay-1", .cartSecret: "not-the-secret"]] as [[HTTPField.Name: String]] {
                let thief = try await client.call(.post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: headers)
                #expect(thief.status == .notFound || thief.status == .unauthorized, "\(thief.status)")
                #expect(!thief.text.contains(orderID))
                #expect(!thief.text.contains("shopper@example.test"))
            }
            let again = try await client.call(
                .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody,
                headers: [.cartSecret: cart.secret, key: "replay-1"])
            #expect(again.status == .created)
            #expect(again.json["id"] as? String == orderID)
            #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
        }
    }

    @Test("the signup link's page shows the owner's address only with a live token")
    func handoffWithoutToken() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Handoff Leak Shop")
            let browser = BrowserClient(client)
            for path in ["/admin/handoff", "/admin/handoff?token=", "/admin/handoff?token=lph_guess"] {
                let page = try await browser.get(path, host: store.host)
                #expect(page.status == .notFound, "\(path)")
                #expect(!page.html.contains(store.ownerEmail), "\(path) shows the owner's address")
            }
        }
    }

    @Test("a Host with user info or junk is refused, and links are built from the store's own address")
    func hostHeader() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Host Shop")
            for host in ["\(store.host):8080@evil.test", "\(store.host)@evil.test", "\(store.host):80/evil", "\(store.host):8o80", "\(store.host) evil.test"] {
                let response = try await client.execute(uri: "/", method: .get, headers: [HTTPField.Name("Host")!: host])
                #expect(response.status == .badRequest, "\(host): \(response.status)")
                #expect(!String(buffer: response.body).contains("evil"))
            }
            let page = try await client.execute(uri: "/", method: .get, headers: [HTTPField.Name("Host")!: "\(store.host):8080"])
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(html.contains("http://\(store.host):8080/"), "canonical link on the store's address")
            #expect(HostClassifier.isWellFormedAuthority("[::1]:8080"))
            #expect(HostClassifier.isWellFormedAuthority("shop.example.com"))
            #expect(!HostClassifier.isWellFormedAuthority("[::1]x"))
            #expect(!HostClassifier.isWellFormedAuthority("shop.example.com:"))
            #expect(!HostClassifier.isWellFormedAuthority("shop.example.com:123456"))
        }
    }
}
