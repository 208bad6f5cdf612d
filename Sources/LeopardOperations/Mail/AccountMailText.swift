import LeopardCommerce
import LeopardWeb

/// The words of the mails about accounts: verification, resets, invites, the welcome. Each
/// link carries a single-use token that the mail alone knows.
struct AccountMailText {
    let storeName: String
    let storeURL: String

    func content(_ kind: MailKind, link token: String?) -> MailContent? {
        func url(_ path: String) -> String? { token.map { storeURL + path + "?token=" + $0 } }
        switch kind {
        case .customerVerification:
            guard let link = url("/account/verify") else { return nil }
            return MailContent(
                subject: "Confirm your e-mail address for \(storeName)", heading: "Confirm your e-mail address",
                paragraphs: ["Someone (we hope you) asked to use this address for an account at \(storeName). Confirm it to sign in and see your orders."],
                action: .init(label: "Confirm my address", url: link),
                footnote: "The link works once, for 24 hours. If you did not ask for this, ignore this mail: nothing changes.")
        case .customerAccountExists:
            return MailContent(
                subject: "You already have an account at \(storeName)", heading: "You already have an account",
                paragraphs: [
                    "Someone tried to create an account at \(storeName) with this address, which has one already. Sign in instead; if you forgot the password, you can set a new one."
                ],
                action: .init(label: "Sign in", url: storeURL + "/account/login"),
                footnote: "If this was not you, ignore this mail: nothing changed.")
        case .customerPasswordReset:
            guard let link = url("/account/reset-password") else { return nil }
            return MailContent(
                subject: "Set a new password for \(storeName)", heading: "Set a new password",
                paragraphs: ["Follow the link to choose a new password for your account at \(storeName)."],
                action: .init(label: "Choose a new password", url: link),
                footnote: "The link works once, for one hour. If you did not ask for this, ignore this mail: your password stays as it is.")
        case .staffInvite:
            guard let link = url("/admin/setup") else { return nil }
            return MailContent(
                subject: "You are invited to run \(storeName)", heading: "Join \(storeName)",
                paragraphs: ["You have been added to the staff of \(storeName). Choose a password to open the admin."],
                action: .init(label: "Choose a password", url: link), footnote: "The link works once, for 7 days.")
        case .staffPasswordReset:
            guard let link = url("/admin/setup") else { return nil }
            return MailContent(
                subject: "Set a new admin password for \(storeName)", heading: "Set a new password",
                paragraphs: ["Follow the link to choose a new password for the admin of \(storeName). Every device signed in now is signed out."],
                action: .init(label: "Choose a new password", url: link),
                footnote: "The link works once, for one hour. If you did not ask for this, ignore this mail: your password stays as it is.")
        case .staffEmailVerification:
            guard let link = url("/admin/verify-email") else { return nil }
            return MailContent(
                subject: "Confirm your e-mail address for \(storeName)", heading: "Confirm your e-mail address",
                paragraphs: ["Confirm that this is the address of the person who runs \(storeName), so that we can reach you about the store."],
                action: .init(label: "Confirm my address", url: link),
                footnote: "The link works once, for 7 days. If you did not create a store, ignore this mail.")
        case .storeWelcome:
            return MailContent(
                subject: "Your store \(storeName) is ready", heading: "Welcome to your store",
                paragraphs: [
                    "\(storeName) is open at \(storeURL)/ and its admin is at \(storeURL)/admin.",
                    "Add your products, choose your colours and your payment provider in the admin; shoppers can order as soon as you have a product.",
                ],
                action: .init(label: "Open the admin", url: url("/admin/setup") ?? storeURL + "/admin"))
        default:
            return nil
        }
    }
}
