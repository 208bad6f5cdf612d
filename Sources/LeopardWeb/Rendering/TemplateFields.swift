import Mustache

/// A view model that names its fields for the templates. swift-mustache otherwise reads values
/// with `Mirror`, which demangles field types on every look-up and, for a name that belongs to
/// an outer context, once per context on the stack: measured at most of a product page's CPU
/// time. The storefront's models, which shoppers' traffic renders, list their fields instead.
protocol TemplateFields: MustacheParent {
    static var fields: [String: @Sendable (Self) -> Any?] { get }
}

extension TemplateFields {
    public func child(named name: String) -> Any? {
        Self.fields[name].flatMap { $0(self) }
    }
}
