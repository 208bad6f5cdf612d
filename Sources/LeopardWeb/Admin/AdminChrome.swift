/// The admin layout's model: the navigation with the current section marked, who is signed in,
/// and a one-line notice after an action.
public struct AdminChrome: Sendable {
    public struct NavItem: Sendable {
        public let label: String
        public let url: String
        public let current: Bool
    }

    public let title: String
    public let stylesheet: String
    public let themeCSS: String
    public let nav: [NavItem]
    public let staffEmail: String?
    public let signedIn: Bool
    public let notice: String?
    /// The test-mode banner's text, shown on every page while the store takes no real money.
    public let testMode: String?

    public static let sections: [(label: String, url: String)] = [
        ("Dashboard", "/admin"), ("Products", "/admin/products"), ("Categories", "/admin/categories"), ("Orders", "/admin/orders"),
        ("Draft orders", "/admin/drafts"),
        ("Customers", "/admin/customers"), ("Reports", "/admin/reports"), ("Discounts", "/admin/discounts"), ("Shipping and tax", "/admin/shipping"),
        ("Settings", "/admin/settings"),
        ("Staff and API keys", "/admin/team"), ("Audit log", "/admin/audit"),
        ("Webhooks", "/admin/webhooks"), ("Mail", "/admin/mail"),
    ]

    /// `shows`: whether the signed-in member may open a section (its link is left out otherwise).
    public init(
        title: String, section: String?, stylesheet: String, themeCSS: String, staffEmail: String?, notice: String?, testMode: String? = nil,
        shows: (String) -> Bool = { _ in true }
    ) {
        self.title = title
        self.stylesheet = stylesheet
        self.themeCSS = themeCSS
        self.nav = Self.sections.filter { shows($0.url) }.map { NavItem(label: $0.label, url: $0.url, current: $0.url == section) }
        self.staffEmail = staffEmail
        self.signedIn = staffEmail != nil
        self.notice = notice
        self.testMode = testMode
    }
}

/// The sign-in form.
public struct AdminLoginPage: Sendable {
    public let email: String
    public let error: String?

    public init(email: String, error: String?) {
        self.email = email
        self.error = error
    }
}
