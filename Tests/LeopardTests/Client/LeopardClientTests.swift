import Foundation
import LeopardClient
import LeopardStoreAPI
import Testing

@testable import LeopardOperations

/// The generated Swift client against a live server: what an iOS app or a Swift integration does.
@Suite("Swift client (LeopardClient)", .timeLimit(.minutes(3)))
struct LeopardClientTests {
    static let password = "correct horse battery"
    static let address = Components.Schemas.Address(city: "Springfield", country: .us, line1: "1 Main St", name: "Ada Shopper", postalCode: "12345")
    static let testCard = Components.Schemas.PayInput.CardPayload(cvc: "123", expMonth: 12, expYear: 2040, number: "4242424242424242")

    /// A store signed up through the platform client, its owner signed in, one product on sale.
    struct Shop: Sendable {
        let slug: String
        let id: String
        let store: Store
        let staff: Store
        let staffToken: String
        let variantID: String
    }

    static func openShop(_ baseURL: URL, name: String) async throws -> Shop {
        let platform = Platform(baseURL)
        let email = "owner@\(name.lowercased().replacingOccurrences(of: " ", with: "-")).test"
        let signed = try await ClientSignup.signUp(platform, storeName: name, email: email, password: password)
        let store = platform.store(signed.slug)
        let session = try await store.api.staffLogin(body: .json(.init(email: email, password: password))).ok.body.json
        let staff = store.with(staffToken: session.token)
        let product = try await staff.api.createProduct(
            body: .json(.init(price: .case1(1_250), status: .active, stock: 3, title: "Heirloom tomato seeds"))
        ).created.body.json
        #expect(product.price.amount == 1_250)
        let variant = try #require(product.variants.first)
        return Shop(slug: signed.slug, id: signed.id, store: store, staff: staff, staffToken: session.token, variantID: variant.id)
    }

    /// A cart holding `quantity` of the shop's product, and the store as that cart's shopper.
    static func fillCart(_ shop: Shop, as shopper: Store, quantity: Int) async throws -> (cartID: String, shopper: Store) {
        let cart = try await shopper.api.createCart().created.body.json
        let withCart = shopper.with(cartSecret: try #require(cart.secret, "a new cart carries its secret"))
        let filled = try await withCart.api.addCartItem(path: .init(cartId: cart.id), body: .json(.init(quantity: quantity, variantId: shop.variantID)))
            .ok.body.json
        #expect(filled.itemCount == quantity)
        #expect(filled.subtotal.amount == 1_250 * quantity)
        return (cart.id, withCart)
    }

    @Test("a shopper's cart, checkout and test-card payment; the order shows paid", arguments: TestPlatform.storages)
    func buyFlow(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withLiveServer(storage) { platform, baseURL in
            let shop = try await Self.openShop(baseURL, name: "Client Seeds")
            let (cartID, shopper) = try await Self.fillCart(shop, as: shop.store, quantity: 2)
            let order = try await shopper.api.checkout(
                path: .init(cartId: cartID), headers: .init(idempotencyKey: "client-buy-1"),
                body: .json(.init(email: "ada@example.test", paymentMethod: .card, shippingAddress: Self.address))
            ).created.body.json
            #expect(order.status == .pending)
            #expect(order.total.amount >= 2_500)

            let payment = try await shopper.api.payOrder(path: .init(orderId: order.id), body: .json(.init(card: Self.testCard))).created.body.json
            #expect(payment.status == .authorized || payment.status == .captured)
            #expect(payment.cardLast4 == "4242")
            // The capture is relayed after the answer; an app polls the order, the test waits.
            await platform.services.paymentRelay.idle()

            let paid = try await shopper.api.getOrder(path: .init(orderId: order.id)).ok.body.json
            #expect(paid.status == .paid)
            let product = try await shop.staff.api.listProducts().ok.body.json.data.first
            #expect(product?.stock == 1)
            let payments = try await shop.staff.api.listOrderPayments(path: .init(orderId: order.id)).ok.body.json.data
            #expect(payments.map(\.id) == [payment.id])
            #expect(payments.first?.captured.amount == order.total.amount)
        }
    }

    @Test("the buy flow in docs/client.md runs as written, and is the code compiled here")
    func documentedBuyFlow() async throws {
        let here = URL(fileURLWithPath: #filePath)
        let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let doc = try String(contentsOf: root.appendingPathComponent("docs/client.md"), encoding: .utf8)
        let compiled = try String(contentsOf: here.deletingLastPathComponent().appendingPathComponent("DocumentedBuyFlow.swift"), encoding: .utf8)
        let section = try #require(doc.components(separatedBy: "## The buy flow").dropFirst().first)
        let block = try #require(section.components(separatedBy: "```swift\n").dropFirst().first?.components(separatedBy: "```").first)
        #expect(compiled.hasSuffix(block), "docs/client.md's buy flow and DocumentedBuyFlow.swift differ")

        try await TestPlatform.withLiveServer { _, baseURL in
            let shop = try await Self.openShop(baseURL, name: "Client Documented")
            let order = try await buy(variantID: shop.variantID, from: shop.store)
            #expect(order.status == .paid)
            #expect(order.total.amount >= 1_250)
        }
    }

    @Test("a customer account signs in, buys, and lists its orders", arguments: TestPlatform.storages)
    func customerOrders(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withLiveServer(storage) { platform, baseURL in
            let shop = try await Self.openShop(baseURL, name: "Client Bulbs")
            let email = "grace@example.test"
            let registered = try await shop.store.api.registerCustomer(body: .json(.init(email: email, password: Self.password)))
            _ = try registered.accepted
            let fixture = StoreFixture(id: shop.id, slug: shop.slug, token: shop.staffToken)
            let token = try await platform.mailedToken(to: email, store: fixture, path: "/account/verify")
            let session = try await shop.store.api.verifyCustomerEmail(body: .json(.init(password: Self.password, token: token))).ok.body.json
            let customer = shop.store.with(customerToken: session.token)
            #expect(try await customer.api.getCustomerMe().ok.body.json.email == email)

            let (cartID, shopper) = try await Self.fillCart(shop, as: customer, quantity: 1)
            let order = try await shopper.api.checkout(
                path: .init(cartId: cartID), body: .json(.init(email: email, paymentMethod: .card, shippingAddress: Self.address))
            ).created.body.json
            _ = try await shopper.api.payOrder(path: .init(orderId: order.id), body: .json(.init(card: Self.testCard))).created
            await platform.services.paymentRelay.idle()
            let mine = try await customer.api.listMyOrders().ok.body.json.data
            #expect(mine.map(\.id) == [order.id])
            #expect(mine.first?.status == .paid)
            #expect(mine.first?.customerId == session.customer.id)
        }
    }

    @Test("refusals arrive as typed problem details", arguments: TestPlatform.storages)
    func problems(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withLiveServer(storage) { _, baseURL in
            let shop = try await Self.openShop(baseURL, name: "Client Errors")
            let refused = try await ClientSignup.refusedSignUp(Platform(baseURL), storeName: "Client Errors", email: "not an address")
            #expect(refused.status == 422)
            #expect(refused.problem.status == 422)
            #expect(refused.problem.errors?.contains { $0.field == "ownerEmail" } == true)

            // No staff token: the catalog's write routes answer 401.
            let anonymous = try await shop.store.api.createProduct(body: .json(.init(price: .case1(100), title: "Free seeds")))
            guard case .default(let status, let response) = anonymous else {
                Issue.record("a product was created without a token: \(anonymous)")
                return
            }
            #expect(status == 401)
            #expect(try response.body.applicationProblemJson.status == 401)

            // Another shopper's cart secret: the cart does not exist for them.
            let (cartID, _) = try await Self.fillCart(shop, as: shop.store, quantity: 1)
            let stranger = shop.store.with(cartSecret: "not-the-secret")
            guard case .default(let notFound, let problem) = try await stranger.api.getCart(path: .init(cartId: cartID)) else {
                Issue.record("a cart answered to the wrong secret")
                return
            }
            #expect(notFound == 404)
            #expect(try problem.body.applicationProblemJson.title.isEmpty == false)

            // A checkout with a bad e-mail: 422 with the field named, and the cart still open.
            let (openCart, shopper) = try await Self.fillCart(shop, as: shop.store, quantity: 1)
            let bad = try await shopper.api.checkout(
                path: .init(cartId: openCart), body: .json(.init(email: "nobody", paymentMethod: .card, shippingAddress: Self.address)))
            guard case .default(let invalid, let details) = bad else {
                Issue.record("a checkout with a bad e-mail was accepted: \(bad)")
                return
            }
            #expect(invalid == 422)
            #expect(try details.body.applicationProblemJson.errors?.map(\.field).contains("email") == true)
            #expect(try await shopper.api.getCart(path: .init(cartId: openCart)).ok.body.json.status == .active)
        }
    }
}

@Suite("Swift client credentials")
struct LeopardClientCredentialsTests {
    @Test("printing or dumping a store never shows its tokens")
    func redacted() throws {
        let url = try #require(URL(string: "http://127.0.0.1:9"))
        let store = Store(.platform(url, tenant: "acme")).with(staffToken: "lps_secret-token").with(cartSecret: "cart-secret-value")
        var dumped = ""
        dump(store, to: &dumped)
        for text in [String(describing: store), String(reflecting: store), dumped, "\(store.credentials)"] {
            #expect(!text.contains("lps_secret-token"))
            #expect(!text.contains("cart-secret-value"))
        }
        #expect(String(describing: store.credentials).contains("redacted"))
    }
}
