import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import LeopardPayments
import LeopardStorage
import LeopardWeb

/// The storefront's card payments through Stripe: the card form (Stripe.js posts only a payment
/// method id), the bank's extra step in the shopper's browser (`confirmCardPayment` with the
/// intent's client secret), and the return from it, where the store asks Stripe how it went.
/// The order becomes paid from whichever comes first, the return or Stripe's signed
/// `payment_intent.succeeded`, exactly once (a payment's state only moves forward).
struct StripeCheckoutPages {
    let pages: WebPages
    let providers: PaymentProviders
    /// Stripe.js's address (`LEOPARD_STRIPE_JS_URL`).
    let scriptURL: String

    /// The form's model when the store takes cards through Stripe.js (keys with a publishable key).
    func cardForm(_ setup: PaymentSetup) -> StripeCardForm? {
        guard setup.takesStripeJS, let key = setup.stripe.publishableKey else { return nil }
        return StripeCardForm(publishableKey: key, scriptURL: scriptURL, assetPath: pages.assets.stripePayment.path)
    }

    /// The page's policy with Stripe.js's origin allowed for scripts, frames and requests, and
    /// nothing else added. Stripe's own script also frames and calls its other hosts.
    func contentSecurityPolicy() -> String {
        guard let url = URL(string: scriptURL), let scheme = url.scheme, let host = url.host else { return pages.contentSecurityPolicy }
        let origin = "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
        let stripeHosted = host == "js.stripe.com"
        let scripts = origin + (stripeHosted ? " https://*.js.stripe.com" : "")
        return pages.contentSecurityPolicy.replacingOccurrences(of: "script-src 'self'", with: "script-src 'self' \(scripts)")
            + "; frame-src \(scripts)" + (stripeHosted ? " https://hooks.stripe.com" : "")
            + "; connect-src 'self' \(origin)" + (stripeHosted ? " https://api.stripe.com" : "")
    }

    /// A page that loads Stripe.js, with the policy that lets it.
    func withStripePolicy(_ response: Response) -> Response {
        var response = response
        response.headers[.init("Content-Security-Policy")!] = contentSecurityPolicy()
        return response
    }

    /// The bank's extra step for a Stripe payment waiting on the shopper, if the order has one.
    func pendingStep(orderID: String, database: any DatabaseHandle) async throws -> String? {
        let payments = try await Payments(database: database).forOrder(orderID)
        guard let waiting = payments.first(where: { $0.provider == StripeProvider.providerName && $0.status == .requiresAction }) else { return nil }
        return waiting.nextAction?.clientSecret
    }

    func confirmPage(_ visit: StorefrontVisit, order: Order, clientSecret: String, form: StripeCardForm) async throws -> Response {
        var chrome = visit.chrome(
            title: "Confirm your payment", description: "Confirm your payment.", path: "/checkout/pay", cart: nil, signedIn: await visit.customer() != nil)
        chrome.noindex = true
        return withStripePolicy(
            try visit.page("storefront/stripe-confirm", StripeConfirmPage(order: order, clientSecret: clientSecret, stripe: form), chrome: chrome))
    }

    /// The shopper is back from the bank's step: Stripe is asked about the order's payment
    /// under way, and what it says is applied (once: a payment's state only moves forward).
    /// Returns the payment's state, or nil when the order had no Stripe payment under way.
    func settleReturn(orderID: String, database: any DatabaseHandle) async throws -> PaymentStatus? {
        let payments = Payments(database: database)
        guard let live = try await payments.live(orderID: orderID), live.provider == StripeProvider.providerName else { return nil }
        let intent: ProviderPayment
        do {
            intent = try await providers.stripe(database: database).retrieve(reference: live.reference)
        } catch is ProviderFailure {
            return .requiresAction  // Stripe unreachable: its webhook settles the payment later
        }
        let kind: PaymentEvent.Kind
        switch intent.status {
        case .captured: kind = .succeeded
        case .authorized: kind = .authorized  // captured when the order is fulfilled
        case .failed: kind = .failed(message: intent.failureMessage)
        case .cancelled: kind = .cancelled
        default: return intent.status
        }
        _ = try await payments.apply(
            PaymentEvent(id: "return-\(live.reference)-\(intent.status.rawValue)", reference: live.reference, kind: kind),
            provider: StripeProvider.providerName)
        return intent.status
    }
}
