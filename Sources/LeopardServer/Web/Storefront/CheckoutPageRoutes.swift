import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import LeopardPayments
import LeopardStorage
import LeopardWeb

/// Checkout in two steps (contact and shipping address, then payment) and the confirmation.
/// The order is made by the same `Checkout` service as the API's, and paid through the same
/// `OrderPayments`, with the cart's secret and an idempotency key per payment form.
struct CheckoutPageRoutes {
    let pages: WebPages
    let payments: OrderPayments
    let stripe: StripeCheckoutPages
    var providers: PaymentProviders { payments.providers }
    var metrics: PlatformMetrics { payments.metrics }

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/checkout") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            guard let cart = await visit.cart(), cart.status == "active", !cart.items.isEmpty else { return pages.redirect(to: "/cart") }
            let customer = await visit.customer()
            return try await form(visit, cart: cart, values: ["email": cart.email ?? customer?.email ?? ""], errors: FieldMessages())
        }
        router.post("/checkout", use: placeOrder)
        router.get("/checkout/pay") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            let order = try await authorizedOrder(visit, id: request.queryDictionary["order"])
            guard order.status == .pending, order.paymentMethod == "card" else { return pages.redirect(to: "/orders/\(order.id)") }
            // A card already authorized (charged when the order ships) needs nothing more here.
            if try await Payments(database: visit.database).forOrder(order.id).contains(where: { $0.status == .authorized }) {
                return pages.redirect(to: "/orders/\(order.id)")
            }
            // A bank's step left half-way (the page closed, the back button) picks up where it was.
            if let secret = try await stripe.pendingStep(orderID: order.id, database: visit.database),
                let form = stripe.cardForm(try await providers.setup(database: visit.database))
            {
                return try await stripe.confirmPage(visit, order: order, clientSecret: secret, form: form)
            }
            let failed = request.queryDictionary["failed"] == "1"
            let errors =
                failed
                ? FieldMessages(general: "Your bank did not confirm the payment, and nothing was charged. Try again, or use another card.") : FieldMessages()
            return try await payment(visit, order: order, values: [:], errors: errors)
        }
        router.post("/checkout/pay", use: pay)
        router.get("/checkout/return") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            let order = try await authorizedOrder(visit, id: request.queryDictionary["order"])
            switch try await stripe.settleReturn(orderID: order.id, database: visit.database) {
            case .failed, .cancelled: return pages.redirect(to: "/checkout/pay?order=\(order.id)&failed=1", cookies: visit.baseCookies)
            default: return pages.redirect(to: "/orders/\(order.id)", cookies: visit.baseCookies)
            }
        }
        router.post("/checkout/authenticate") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            let fields = try await visit.form()
            let order = try await authorizedOrder(visit, id: fields.text("order"))
            guard let payment = fields.text("payment"), Identifier.isWellFormed(payment, prefix: "pay"), let cookie = visit.cartCookie else {
                return pages.redirect(to: "/orders/\(order.id)")
            }
            do {
                _ = try await payments.authenticate(paymentID: payment, access: .cartSecret(cookie.secret), tenant: visit.tenant, database: visit.database)
            } catch {
                let problem = ProblemRenderer.problem(for: error, context: context)
                return try await self.payment(
                    visit, order: order, values: [:], errors: FieldMessages(general: problem.detail ?? problem.title), status: problem.pageStatus)
            }
            return pages.redirect(to: "/orders/\(order.id)", cookies: visit.baseCookies)
        }
        router.get("/orders/:orderId", use: confirmation)
    }

    /// The order's page: what was bought, and where its card payment is.
    @Sendable func confirmation(_ request: Request, context: StoreContext) async throws -> Response {
        let visit = try await StorefrontVisit(request, context: context, pages: pages)
        let orderID = try context.parameters.require("orderId")
        // Read before the order: a payment's capture and its order's move to paid are one
        // transaction, so with no payment being confirmed here the order read next is
        // either paid or waiting for a payment the shopper has not made.
        let payments = orderID.utf8.count <= 64 ? try await Payments(database: visit.database).forOrder(orderID) : []
        let order = try await authorizedOrder(visit, id: orderID)
        var chrome = visit.chrome(
            title: "Order #\(order.number)", description: "Your order at \(visit.settings.name).", path: "/orders/\(order.id)", cart: nil,
            signedIn: await visit.customer() != nil)
        chrome.noindex = true
        var model = ConfirmationPage(order: order)
        if order.status == .pending, order.paymentMethod == "card" {
            try await showCardState(payments, of: order, model: &model, chrome: &chrome, database: visit.database)
        }
        return try visit.page("storefront/confirmation", model, chrome: chrome)
    }

    /// Where a pending order's card payment is: authorized only (captured when the order
    /// ships), being confirmed (the page looks again by itself, without script), or not made.
    func showCardState(
        _ payments: [Payment], of order: Order, model: inout ConfirmationPage, chrome: inout StorefrontChrome, database: any DatabaseHandle
    ) async throws {
        var authorizedOnly = payments.contains { $0.status == .authorized && $0.provider == StripeProvider.providerName }
        if authorizedOnly { authorizedOnly = try await providers.setup(database: database).stripe.captureMethod == "manual" }
        if authorizedOnly {
            model.authorized = true
        } else if payments.contains(where: { $0.status == .authorized }) {
            chrome.refresh = 2
        } else {
            model.payUrl = "/checkout/pay?order=\(order.id)"
        }
    }

    /// The order, when the browser holds the secret of the cart it came from or is signed in as
    /// the customer who placed it; a 404 otherwise (as if it did not exist).
    func authorizedOrder(_ visit: StorefrontVisit, id: String?) async throws -> Order {
        guard let id, id.utf8.count <= 64 else { throw Problem.notFound("There is no such order.") }
        let orders = Orders(database: visit.database)
        var allowed = false
        if let cookie = visit.cartCookie { allowed = try await orders.cartSecretMatches(orderID: id, secret: cookie.secret) }
        let order = try await orders.find(id: id)
        if !allowed, order != nil, let customer = await visit.customer() { allowed = try await orders.isInAccount(orderID: id, customerID: customer.id) }
        guard allowed, let order else { throw Problem.notFound("There is no such order.") }
        return order
    }

    func form(
        _ visit: StorefrontVisit, cart: Cart, values: [String: String], errors: FieldMessages, shippingNote: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var chrome = visit.chrome(
            title: "Checkout", description: "Checkout at \(visit.settings.name).", path: "/checkout", cart: cart, signedIn: await visit.customer() != nil)
        chrome.noindex = true
        let page = CheckoutPage(
            cart: cart, values: values, errors: errors, shipping: try await shippingOptions(visit, cart: cart), shippingNote: shippingNote)
        return try visit.page("storefront/checkout", page, chrome: chrome, status: status)
    }

    @Sendable func placeOrder(_ request: Request, context: StoreContext) async throws -> Response {
        let visit = try await StorefrontVisit(request, context: context, pages: pages)
        let fields = try await visit.form()
        guard let cookie = visit.cartCookie, let cart = await visit.anyCart() else { return pages.redirect(to: "/cart") }
        if cart.status != "active", let orderID = cart.orderId { return pages.redirect(to: "/orders/\(orderID)") }
        let (input, values) = Self.checkoutInput(fields)
        if let step = try await prepareShipping(visit, cookie: cookie, fields: fields, input: input, values: values) { return step }
        let order: Order
        do {
            let placed = try await OrderPlacement(providers: providers, metrics: metrics)
                .place(
                    cartID: cookie.id, access: .secret(cookie.secret), input: input, customerID: await visit.customer()?.id, idempotency: nil,
                    database: visit.database)
            guard case .value(let value) = placed else { return pages.redirect(to: "/cart") }
            order = value.order
        } catch let problem as Problem where problem.status < 500 {
            let current = await visit.anyCart() ?? cart
            return try await form(
                visit, cart: current, values: values, errors: FieldMessages(form: problem, field: Self.formField), status: .unprocessableContent)
        }
        return pages.redirect(to: order.paymentMethod == "card" ? "/checkout/pay?order=\(order.id)" : "/orders/\(order.id)", cookies: visit.baseCookies)
    }

    /// The checkout form as the checkout API's input, and the values to show again.
    static func checkoutInput(_ fields: FormFields) -> (Checkout.Input, [String: String]) {
        let names = ["email", "name", "line1", "line2", "city", "region", "postalCode", "country", "paymentMethod"]
        var values: [String: String] = [:]
        for name in names { values[name] = String((fields[name] ?? "").prefix(300)) }
        let address = Address(
            name: values["name"] ?? "", line1: values["line1"] ?? "", line2: fields.text("line2"), city: values["city"] ?? "",
            region: fields.text("region"), postalCode: values["postalCode"] ?? "", country: values["country"] ?? "")
        let method = fields.text("paymentMethod") ?? "card"
        return (Checkout.Input(email: values["email"] ?? "", shippingAddress: address, paymentMethod: method), values)
    }

    /// `shippingAddress.city` → `city`, the form's own field names.
    static func formField(_ apiField: String) -> String {
        apiField.split(separator: ".").last.map(String.init) ?? apiField
    }

    func payment(
        _ visit: StorefrontVisit, order: Order, values: [String: String], errors: FieldMessages, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var chrome = visit.chrome(
            title: "Payment", description: "Pay for your order.", path: "/checkout/pay", cart: nil, signedIn: await visit.customer() != nil)
        chrome.noindex = true
        var values = values
        values["attempt"] = SecureToken.make(bytes: 16)
        // The test card form only while the store is in test mode with the built-in gateway;
        // Stripe.js's form once the store has Stripe with a publishable key.
        let setup = try await providers.setup(database: visit.database)
        let form = stripe.cardForm(setup)
        let page = PaymentPage(order: order, values: values, errors: errors, testGateway: setup.acceptsTestGateway, stripe: form)
        let response = try visit.page("storefront/payment", page, chrome: chrome, status: status)
        return form == nil ? response : stripe.withStripePolicy(response)
    }

    @Sendable func pay(_ request: Request, context: StoreContext) async throws -> Response {
        let visit = try await StorefrontVisit(request, context: context, pages: pages)
        let form = try await visit.form()
        let order = try await authorizedOrder(visit, id: form.text("order"))
        guard order.status == .pending, let cookie = visit.cartCookie else { return pages.redirect(to: "/orders/\(order.id)") }
        let (input, values) = Self.payInput(form)
        guard let input else {
            return try await payment(
                visit, order: order, values: values, errors: FieldMessages([("expiry", "Enter the expiry as MM/YY.")]), status: .unprocessableContent)
        }
        let outcome: OrderPayments.Outcome
        do {
            outcome = try await payments.pay(
                orderID: order.id, input: input, access: .cartSecret(cookie.secret),
                idempotency: try Self.idempotency(form, order: order, input: input, cartSecret: cookie.secret),
                tenant: visit.tenant, database: visit.database, logger: context.logger)
        } catch {
            return try await refused(visit, order: order, problem: ProblemRenderer.problem(for: error, context: context), values: values)
        }
        return try await paid(visit, order: order, outcome: outcome, values: values)
    }

    /// What the form pays with: a Stripe payment method made by Stripe.js in the browser (only
    /// its id comes here), or the test gateway's card; nil for an expiry that is not MM/YY.
    static func payInput(_ form: FormFields) -> (OrderPayments.PayInput?, [String: String]) {
        if let method = form.text("paymentMethod") {
            return (OrderPayments.PayInput(provider: StripeProvider.providerName, paymentMethod: String(method.prefix(255))), [:])
        }
        let number = String((form["cardNumber"] ?? "").prefix(40))
        let expiry = String((form["expiry"] ?? "").prefix(10))
        let values = ["cardNumber": number, "expiry": expiry]
        let parts = expiry.split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let month = Int(parts[0]), let rawYear = Int(parts[1]) else { return (nil, values) }
        let card = TestGateway.Card(
            number: number, expMonth: month, expYear: rawYear < 100 ? 2000 + rawYear : rawYear, cvc: String((form["cvc"] ?? "").prefix(8)))
        return (OrderPayments.PayInput(provider: TestGateway.name, card: card), values)
    }

    /// One key per payment form (its `attempt` token), so a form sent twice pays once.
    static func idempotency(_ form: FormFields, order: Order, input: OrderPayments.PayInput, cartSecret: String) throws -> OrderPayments.Idempotency? {
        guard let attempt = form.text("attempt"), attempt.utf8.count <= 64, attempt.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            return nil
        }
        let caller = IdempotencyKeys.caller(staffID: nil, customerID: nil, cartSecret: cartSecret)
        return .init(
            key: IdempotencyKeys.scoped("web-pay-\(attempt)", caller: caller),
            fingerprint: IdempotencyKeys.fingerprint(method: "POST", path: "/api/orders/\(order.id)/pay", body: try JSONBodyEncoder.encode(input)))
    }

    /// The form again with what went wrong: a 502 when the provider failed, else a 422.
    func refused(_ visit: StorefrontVisit, order: Order, problem: Problem, values: [String: String]) async throws -> Response {
        guard problem.status < 500 else {
            return try await payment(visit, order: order, values: values, errors: FieldMessages(general: problem.detail ?? problem.title), status: .badGateway)
        }
        let messages = FieldMessages(
            problem.errors.map { error in
                let name = error.field.hasSuffix("expMonth") || error.field.hasSuffix("expYear") ? "expiry" : Self.formField(error.field)
                return (name, error.message.capitalizedFirst)
            }, general: problem.detail ?? problem.title)
        return try await payment(visit, order: order, values: values, errors: messages, status: .unprocessableContent)
    }

    /// The page after a payment: the order's page, the bank's extra step, or the form again
    /// with what went wrong.
    func paid(_ visit: StorefrontVisit, order: Order, outcome: OrderPayments.Outcome, values: [String: String]) async throws -> Response {
        let started: (id: String, status: PaymentStatus, action: Payment.NextAction?)
        switch outcome {
        case .value(let payment):
            started = (payment.id, payment.status, payment.nextAction)
        case .stored(let stored):
            if let problem = stored.problem { return try await refused(visit, order: order, problem: problem, values: values) }
            struct Started: Decodable {
                let id: String
                let status: PaymentStatus
                let nextAction: Payment.NextAction?
            }
            let decoded = try JSONDecoder().decode(Started.self, from: Data(stored.body.utf8))
            started = (decoded.id, decoded.status, decoded.nextAction)
        }
        // The card asks for an extra step (3-D Secure): the test provider's is a page here,
        // a real provider's is its own page.
        guard started.status == .requiresAction, let action = started.action else {
            return pages.redirect(to: "/orders/\(order.id)", cookies: visit.baseCookies)
        }
        if action.type == "redirect_to_url", action.url.hasPrefix("https://") { return Response(status: .seeOther, headers: [.location: action.url]) }
        if action.type == "use_stripe_sdk", let secret = action.clientSecret, let form = stripe.cardForm(try await providers.setup(database: visit.database)) {
            return try await stripe.confirmPage(visit, order: order, clientSecret: secret, form: form)
        }
        var chrome = visit.chrome(
            title: "Confirm your payment", description: "Confirm your payment.", path: "/checkout/pay", cart: nil, signedIn: await visit.customer() != nil)
        chrome.noindex = true
        return try visit.page("storefront/authenticate", AuthenticationPage(order: order, paymentID: started.id), chrome: chrome)
    }
}
