import LeopardCommerce

/// A signed-in shopper's own details: names, password, saved addresses, and a reminder to
/// confirm the address when an older account has not.
public struct ProfilePage: Sendable {
    public struct Saved: Sendable {
        public let id: String
        public let lines: [String]
        public let isDefault: Bool
    }

    public let email: String
    public let unverified: Bool
    public let values: [String: String]
    public let errors: [String: String]
    public let general: String?
    public let notice: String?
    public let addresses: [Saved]
    public let hasAddresses: Bool
    public let countries: [CheckoutPage.Country]

    public init(
        customer: Customer, addresses: [Customers.SavedAddress], values: [String: String] = [:], errors: FieldMessages = FieldMessages(),
        notice: String? = nil
    ) {
        email = customer.email
        unverified = !customer.verified
        var merged = ["firstName": customer.firstName ?? "", "lastName": customer.lastName ?? "", "country": "US"]
        for (key, value) in values { merged[key] = value }
        self.values = merged
        self.errors = errors.messages
        general = errors.general
        self.notice = notice
        self.addresses = addresses.map { saved in
            let address = saved.address
            let place = [address.postalCode, address.city, address.region].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            let lines = [address.name, address.line1, address.line2, place, address.country].compactMap { $0 }.filter { !$0.isEmpty }
            return Saved(id: saved.id, lines: lines, isDefault: saved.isDefault)
        }
        hasAddresses = !addresses.isEmpty
        let chosen = merged["country"] ?? "US"
        countries = Address.countries.sorted().map { CheckoutPage.Country(code: $0, selected: $0 == chosen) }
    }

    /// Notices after an action, by the code in `?done=`; the page never echoes text from the address.
    public static let notices: [String: String] = [
        "names": "Your name is saved.", "password": "Your password is changed. Other devices are signed out.",
        "address-added": "Address saved.", "address-removed": "Address removed.", "verification": "Check your e-mail: we sent a link.",
    ]
}
