import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardPayments
import LeopardWeb

/// Settings in the admin (store, shipping and tax, theme, Stripe keys) and the team page
/// (staff and API keys, owner only), each saved through the same service as its API.
struct AdminSettingsPages {
    let routes: AdminRoutes

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/admin/settings") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            return try await settings(visit, values: SettingsPage.values(visit.settings), errors: FieldMessages())
        }
        router.post("/admin/settings", use: saveSettings)
        router.post("/admin/settings/stripe") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let fields = try await visit.form()
            let credentials = ProviderCredentials(database: visit.database, secrets: routes.services.paymentProviders.secrets)
            let saved = await visit.attempt {
                let owner = try visit.requireOwner()
                return try await credentials.configureStripe(
                    secretKey: fields["secretKey"] ?? "", webhookSecret: fields["webhookSecret"] ?? "", publishableKey: fields.text("publishableKey"),
                    captureMethod: fields["manualCapture"] == "1" ? "manual" : "automatic", actor: owner.actor)
            }
            if case .failure(let problem) = saved {
                return try await settings(
                    visit, values: SettingsPage.values(visit.settings), errors: FieldMessages(problem),
                    status: problem.pageStatus)
            }
            return routes.pages.redirect(to: "/admin/settings?done=stripe")
        }
        AdminTeamPages(routes: routes).register(on: router)
    }

    func settings(_ visit: AdminVisit, values: [String: String], errors: FieldMessages, status: HTTPResponse.Status = .ok) async throws -> Response {
        let isOwner = visit.staff?.isOwner ?? false
        // The key's hint is the owner's to see, as on the API.
        let setup = try await PaymentSetup.load(database: visit.database)
        var platform = routes.services.configuration.platformURL.absoluteString
        if platform.hasSuffix("/") { platform.removeLast() }
        let webhook = platform + "/webhooks/payments/stripe/" + visit.tenantID
        let model = SettingsPage(
            values: values, errors: errors, stripeConfigured: setup.stripe.configured, stripeHint: isOwner ? setup.stripe.secretKeyHint : nil,
            stripeTestKeys: setup.stripe.configured && setup.mode == .test, webhookUrl: webhook, isOwner: isOwner,
            manualCapture: setup.stripe.captureMethod == "manual")
        return try visit.page("admin/settings", model, title: "Settings", section: "/admin/settings", status: status)
    }

    @Sendable func saveSettings(_ request: Request, context: StoreContext) async throws -> Response {
        let visit = try await routes.visit(request, context)
        guard visit.staff != nil else { return visit.signIn() }
        let fields = try await visit.form()
        let (values, body, problems) = SettingsForm.read(fields, currentCurrency: visit.settings.currency)
        guard problems.isEmpty else {
            return try await settings(
                visit, values: values, errors: FieldMessages(problems, general: "Check the fields marked below."), status: .unprocessableContent)
        }
        let saved = await visit.attempt {
            try await StoreSettings.update(with: try body.decoded(as: StoreSettingsInput.self), database: visit.database, actor: try visit.requireStaff().actor)
        }
        if case .failure(let problem) = saved {
            // `theme.accentColor` → `accentColor`, the form's field.
            let errors = FieldMessages(form: problem) { String($0.split(separator: ".").last ?? Substring($0)) }
            return try await settings(visit, values: values, errors: errors, status: problem.pageStatus)
        }
        return routes.pages.redirect(to: "/admin/settings?done=settings")
    }
}
