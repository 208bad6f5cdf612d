import Foundation

/// The platform site's layout model.
public struct PlatformChrome: Sendable {
    public let title: String
    public let stylesheet: String
    public let consoleSignedIn: Bool

    public init(title: String, stylesheet: String, consoleSignedIn: Bool) {
        self.title = title
        self.stylesheet = stylesheet
        self.consoleSignedIn = consoleSignedIn
    }
}

public struct SignupPage: Sendable {
    public let values: [String: String]
    public let errors: [String: String]
    public let general: String?
    public let baseDomain: String

    public init(values: [String: String], errors: FieldMessages, baseDomain: String) {
        self.values = values
        self.errors = errors.messages
        self.general = errors.general
        self.baseDomain = baseDomain
    }
}

public struct ConsoleLoginPage: Sendable {
    public let error: String?

    public init(error: String?) {
        self.error = error
    }
}

/// Every store, for the operator.
public struct ConsolePage: Sendable {
    public struct Row: Sendable {
        public let id: String
        public let slug: String
        public let name: String
        public let status: String
        public let created: String
        public let products: String
        public let orders: String
        public let size: String
        /// The estimated cost a month, at the operator's prices.
        public var cost = "–"
        public let storefrontUrl: String
        public let canSuspend: Bool
        public let canActivate: Bool
        public let canDelete: Bool
        public let canRestore: Bool

        public init(id: String, slug: String, name: String, status: String, created: String, products: Int?, orders: Int?, bytes: Int?, storefrontUrl: String) {
            self.id = id
            self.slug = slug
            self.name = name
            self.status = status
            self.created = created
            self.products = products.map(String.init) ?? "–"
            self.orders = orders.map(String.init) ?? "–"
            self.size = bytes.map(ByteText.format) ?? "–"
            self.storefrontUrl = storefrontUrl
            canSuspend = status == "active"
            canActivate = status == "suspended"
            canDelete = status == "active" || status == "suspended"
            canRestore = status == "deleted"
        }
    }

    public let rows: [Row]
    public let total: Int
    public let nextUrl: String?
    public let firstUrl: String?
    public let filters: [ListPage<Row>.Filter]
    public let error: String?
    /// Stored, not computed: templates read values by reflection.
    public let empty: Bool

    public init(rows: [Row], total: Int, nextUrl: String?, firstUrl: String?, filters: [ListPage<Row>.Filter], error: String?) {
        self.rows = rows
        self.empty = rows.isEmpty
        self.total = total
        self.nextUrl = nextUrl
        self.firstUrl = firstUrl
        self.filters = filters
        self.error = error
    }
}

public enum ByteText {
    public static func format(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        let units = ["KB", "MB", "GB", "TB"]
        var value = Double(bytes) / 1024
        var index = 0
        while value >= 1024, index < units.count - 1 {
            value /= 1024
            index += 1
        }
        return String(format: value < 10 ? "%.1f %@" : "%.0f %@", value, units[index])
    }
}
