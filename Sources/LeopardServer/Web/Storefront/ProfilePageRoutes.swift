import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardWeb

/// The shopper's own details in the storefront: names, password, saved addresses, and a new
/// verification link. Each form calls the same `Customers` service as the API; a refused form
/// shows its field errors and changes nothing.
struct ProfilePageRoutes {
    let pages: WebPages
    let services: LeopardServices

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/account/profile") { request, context in
            try await signedIn(request, context) { visit, customer in
                let notice = request.queryDictionary["done"].flatMap { ProfilePage.notices[$0] }
                return try await page(visit, customer, notice: notice)
            }
        }
        router.post("/account/profile") { request, context in
            try await change(request, context, done: "names") { visit, customer, fields in
                _ = try await customers(visit).updateProfile(
                    customerID: customer.id, .init(firstName: fields["firstName"] ?? "", lastName: fields["lastName"] ?? ""))
            }
        }
        router.post("/account/password") { request, context in
            try await change(request, context, done: "password") { visit, customer, fields in
                try await customers(visit).changePassword(
                    customerID: customer.id, current: String((fields["currentPassword"] ?? "").prefix(1024)),
                    new: String((fields["newPassword"] ?? "").prefix(1024)), keepingSession: visit.customerToken ?? "")
            }
        }
        router.post("/account/addresses") { request, context in
            try await change(request, context, done: "address-added") { visit, customer, fields in
                let (input, _) = CheckoutPageRoutes.checkoutInput(fields)
                _ = try await customers(visit).addAddress(customerID: customer.id, address: input.shippingAddress, isDefault: fields["isDefault"] != nil)
            }
        }
        router.post("/account/addresses/:addressId/delete") { request, context in
            try await change(request, context, done: "address-removed") { visit, customer, _ in
                let id = try context.parameters.require("addressId")
                guard try await customers(visit).removeAddress(customerID: customer.id, addressID: id) else {
                    throw Problem.notFound("That address is not one of yours.")
                }
            }
        }
        router.post("/account/verification") { request, context in
            try await change(request, context, done: "verification") { visit, customer, _ in
                try await AccountMailRoutes(services: services).throttle("verify", context, email: customer.email)
                try await customers(visit).requestVerification(customer: customer, mail: services.mailer.sender)
            }
        }
    }

    /// Runs `body` for a signed-in shopper; sends anyone else to sign in.
    private func signedIn(
        _ request: Request, _ context: StoreContext, _ body: (StorefrontVisit, Customer) async throws -> Response
    ) async throws -> Response {
        let visit = try await StorefrontVisit(request, context: context, pages: pages)
        guard let customer = await visit.customer() else { return pages.redirect(to: "/account/login", cookies: visit.baseCookies) }
        return try await body(visit, customer)
    }

    /// A form post: checks the form token, makes the change, and shows the page again with
    /// the field errors when it is refused, or the notice when it is done.
    private func change(
        _ request: Request, _ context: StoreContext, done: String, _ body: (StorefrontVisit, Customer, FormFields) async throws -> Void
    ) async throws -> Response {
        try await signedIn(request, context) { visit, customer in
            let fields = try await visit.form()
            do {
                try await body(visit, customer, fields)
            } catch let problem as Problem where problem.status < 500 {
                var values: [String: String] = [:]
                for name in ["firstName", "lastName", "name", "line1", "line2", "city", "region", "postalCode", "country"] {
                    if let value = fields[name] { values[name] = String(value.prefix(300)) }
                }
                let errors = FieldMessages(form: problem, field: CheckoutPageRoutes.formField)
                return try await page(visit, customer, values: values, errors: errors, status: .init(code: problem.status))
            }
            return pages.redirect(to: "/account/profile?done=\(done)", cookies: visit.baseCookies)
        }
    }

    private func page(
        _ visit: StorefrontVisit, _ customer: Customer, values: [String: String] = [:], errors: FieldMessages = FieldMessages(), notice: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let current = try await customers(visit).find(id: customer.id) ?? customer
        let addresses = try await customers(visit).addresses(customerID: customer.id)
        var chrome = visit.chrome(
            title: "Your details", description: "Your account at \(visit.settings.name).", path: "/account/profile", cart: await visit.cart(),
            signedIn: true)
        chrome.noindex = true
        let model = ProfilePage(customer: current, addresses: addresses, values: values, errors: errors, notice: notice)
        return try visit.page("storefront/profile", model, chrome: chrome, status: status)
    }

    private func customers(_ visit: StorefrontVisit) -> Customers {
        Customers(database: visit.database, hasher: pages.hasher)
    }
}
