import LeopardCommerce
import LeopardCore

/// The admin's categories as a tree (each under its parent, by position), with a form to add
/// or change one.
public struct CategoriesPage: Sendable {
    public struct Row: Sendable {
        public let id: String
        public let name: String
        public let slug: String
        public let position: Int
        /// Indentation: 0 at the top.
        public let depth: Int
        public let indent: String
    }

    public struct Choice: Sendable {
        public let value: String
        public let label: String
        public let selected: Bool
    }

    public let rows: [Row]
    public let empty: Bool
    /// Set when the page shows one category to change.
    public let editing: String?
    public let action: String
    public let button: String
    public let parents: [Choice]
    public let values: [String: String]
    public let errors: [String: String]
    public let general: String?

    public init(categories: [Category], editing: Category? = nil, values: [String: String], errors: FieldMessages) {
        let ordered = Self.tree(categories)
        rows = ordered.map {
            Row(
                id: $0.category.id, name: $0.category.name, slug: $0.category.slug, position: $0.category.position, depth: $0.depth,
                indent: String(repeating: "— ", count: $0.depth))
        }
        empty = rows.isEmpty
        self.editing = editing?.id
        action = editing.map { "/admin/categories/\($0.id)" } ?? "/admin/categories"
        button = editing == nil ? "Add category" : "Save category"
        let parent = values["parentId"] ?? ""
        // A category cannot go under itself or under one of its own.
        let excluded = editing.map { Self.subtree(of: $0.id, in: categories) } ?? []
        parents =
            [Choice(value: "", label: "None (top level)", selected: parent.isEmpty)]
            + ordered.filter { !excluded.contains($0.category.id) }.map {
                Choice(value: $0.category.id, label: String(repeating: "— ", count: $0.depth) + $0.category.name, selected: $0.category.id == parent)
            }
        self.values = values
        self.errors = errors.messages
        general = errors.general
    }

    /// Depth first: each category after its parent, siblings by position, then name.
    public static func tree(_ categories: [Category]) -> [(category: Category, depth: Int)] {
        let ids = Set(categories.map(\.id))
        var children: [String: [Category]] = [:]
        for category in categories {
            // One whose parent is not in the list is shown at the top.
            let parent = category.parentId.flatMap { ids.contains($0) ? $0 : nil } ?? ""
            children[parent, default: []].append(category)
        }
        var ordered: [(Category, Int)] = []
        var seen = Set<String>()
        func visit(_ parent: String, depth: Int) {
            for child in (children[parent] ?? []).sorted(by: { ($0.position, $0.name) < ($1.position, $1.name) }) where seen.insert(child.id).inserted {
                ordered.append((child, depth))
                visit(child.id, depth: depth + 1)
            }
        }
        visit("", depth: 0)
        return ordered
    }

    static func subtree(of id: String, in categories: [Category]) -> Set<String> {
        var found: Set<String> = [id]
        var grew = true
        while grew {
            grew = false
            for category in categories where !found.contains(category.id) && category.parentId.map(found.contains) == true {
                found.insert(category.id)
                grew = true
            }
        }
        return found
    }

    /// A category's fields as the form shows them.
    public static func values(of category: Category) -> [String: String] {
        [
            "name": category.name, "slug": category.slug, "description": category.description, "position": String(category.position),
            "parentId": category.parentId ?? "",
        ]
    }
}
