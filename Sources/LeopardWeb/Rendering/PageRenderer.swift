import Foundation
import Mustache

/// The HTML templates (package resources under `Templates/`), parsed once at start-up. A page
/// renders in two steps: its own template inside `{{#page}}…{{/page}}` with the shared frame
/// (store, CSRF token) below it on the context stack, then the layout around the result.
/// Every `{{value}}` is HTML-escaped by swift-mustache; templates use `{{{…}}}` only for
/// HTML this code made (the rendered body, the theme's CSS).
public struct PageRenderer: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case missingTemplates(String)
        case unknownTemplate(String)

        public var description: String {
            switch self {
            case .missingTemplates(let path): return "the HTML templates are not at \(path)"
            case .unknownTemplate(let name): return "there is no template named \(name)"
            }
        }
    }

    let library: MustacheLibrary

    public init(library: MustacheLibrary) {
        self.library = library
    }

    /// The templates shipped with the package.
    public static func bundled() async throws -> PageRenderer {
        guard let url = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw Failure.missingTemplates(Bundle.module.bundlePath + "/Templates")
        }
        return PageRenderer(library: try await MustacheLibrary(directory: url.path))
    }

    /// Renders `template` (a name like `storefront/product`) for `page`, inside `layout`.
    public func render<Page, Layout>(_ template: String, page: Page, frame: Frame, layout: String, chrome: Layout) throws -> String {
        guard let body = library.render(Stacked(page: page, frame: frame), withTemplate: template) else { throw Failure.unknownTemplate(template) }
        guard let html = library.render(Wrapped(body: body, chrome: chrome, frame: frame), withTemplate: layout) else { throw Failure.unknownTemplate(layout) }
        return html
    }

    /// Renders one template with no layout (`sitemap.xml`, fragments).
    public func renderBare<Model>(_ template: String, model: Model) throws -> String {
        guard let text = library.render(model, withTemplate: template) else { throw Failure.unknownTemplate(template) }
        return text
    }

    /// What every page and layout can read: the store's name and the form token.
    public struct Frame: Sendable {
        public var csrf: String
        public var storeName: String

        public init(csrf: String, storeName: String) {
            self.csrf = csrf
            self.storeName = storeName
        }
    }

    struct Stacked<Page> {
        let page: Page
        let frame: Frame
    }

    struct Wrapped<Layout> {
        let body: String
        let chrome: Layout
        let frame: Frame
    }
}

extension PageRenderer.Stacked: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "page": return page
        case "csrf": return frame.csrf
        case "storeName": return frame.storeName
        default: return nil
        }
    }
}

extension PageRenderer.Wrapped: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "body": return body
        case "chrome": return chrome
        case "csrf": return frame.csrf
        case "storeName": return frame.storeName
        default: return nil
        }
    }
}
