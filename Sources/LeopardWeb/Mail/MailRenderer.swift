import Foundation
import Mustache

/// Lays a mail's content out as text and as HTML (inline styles in the store's colours, its
/// logo when it has one), with the templates under `Templates/mail/`. Values are HTML-escaped
/// in the HTML part and left as they are in the text part.
public struct MailRenderer: Sendable {
    let library: MustacheLibrary

    public init(library: MustacheLibrary) {
        self.library = library
    }

    /// The templates shipped with the package.
    public static func bundled() async throws -> MailRenderer {
        guard let url = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw PageRenderer.Failure.missingTemplates(Bundle.module.bundlePath + "/Templates")
        }
        return MailRenderer(library: try await MustacheLibrary(directory: url.path))
    }

    /// Who the mail is from, as its layout shows it.
    public struct Brand: Sendable, Equatable {
        public let storeName: String
        public let logoURL: String?
        public let colours: ThemeStyle.Colours
        public let homeURL: String

        public init(storeName: String, logoURL: String?, colours: ThemeStyle.Colours, homeURL: String) {
            self.storeName = storeName
            self.logoURL = logoURL
            self.colours = colours
            self.homeURL = homeURL
        }
    }

    public func render(_ content: MailContent, brand: Brand) throws -> (text: String, html: String) {
        let model = Model(content: content, brand: brand)
        guard let text = library.render(model, withTemplate: "mail/message-text") else { throw PageRenderer.Failure.unknownTemplate("mail/message-text") }
        guard let html = library.render(model, withTemplate: "mail/message-html") else { throw PageRenderer.Failure.unknownTemplate("mail/message-html") }
        return (text, html)
    }

    struct Model {
        let content: MailContent
        let brand: Brand
    }
}

extension MailRenderer.Model: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "subject": return content.subject
        case "heading": return content.heading
        case "paragraphs": return content.paragraphs
        case "action": return content.action.map { ["label": $0.label, "url": $0.url] }
        case "summary": return content.summary.map(summary)
        case "footnote": return content.footnote
        case "storeName": return brand.storeName
        case "logoURL": return brand.logoURL
        case "homeURL": return brand.homeURL
        case "colours":
            let c = brand.colours
            return [
                "primary": c.primary, "accent": c.accent, "onAccent": c.onAccent, "background": c.background, "text": c.text, "muted": c.muted,
                "border": c.border,
            ]
        default: return nil
        }
    }

    private func summary(_ summary: MailContent.Summary) -> [String: Any] {
        [
            "lines": summary.lines.map { ["title": $0.title, "quantity": $0.quantity, "total": $0.total] as [String: Any] },
            "totals": summary.totals.map { ["label": $0.label, "amount": $0.amount] },
            "address": summary.address,
            "hasAddress": !summary.address.isEmpty,
        ]
    }
}
