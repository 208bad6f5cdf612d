/// The small pages around mailed links, in the storefront and the admin alike: "check your
/// e-mail", the form that asks for an address to send a link to, and the form a link opens
/// (confirm, or choose a new password). A link's token travels in a hidden field, and only the
/// form's POST uses it up, so a mail scanner that opens the link changes nothing.
public struct LinkFormPage: Sendable {
    public let heading: String
    public let message: String?
    public let general: String?
    /// Where the form posts; nil for a page with no form.
    public let action: String?
    public let token: String?
    public let askEmail: Bool
    public let askPassword: Bool
    public let passwordLabel: String
    public let button: String
    public let email: String
    public let errors: [String: String]
    public let footer: String?
    public let footerLink: String?

    public init(
        heading: String, message: String? = nil, errors: FieldMessages = FieldMessages(), action: String? = nil, token: String? = nil,
        askEmail: Bool = false, askPassword: Bool = false, button: String = "Continue", email: String = "", footer: String? = nil,
        footerLink: String? = nil, passwordLabel: String = "New password"
    ) {
        self.passwordLabel = passwordLabel
        self.heading = heading
        self.message = message
        self.general = errors.general
        self.errors = errors.messages
        self.action = action
        self.token = token
        self.askEmail = askEmail
        self.askPassword = askPassword
        self.button = button
        self.email = email
        self.footer = footer
        self.footerLink = footerLink
    }
}
