import Foundation
import LeopardCore

/// The admin's CSV import: a file to check, then what importing it would do, with every line
/// that stops it; a file without problems can then be imported as it is.
public struct ProductImportPage: Sendable {
    public struct LineError: Sendable {
        public let line: String
        public let field: String
        public let message: String
    }

    public let checked: Bool
    public let created: Int
    public let updated: Int
    public let errors: [LineError]
    public let hasErrors: Bool
    /// The file, base64, carried to the import button once it has no errors (as bytes, so the
    /// browser cannot change its line ends).
    public let csvBase64: String?
    public let general: String?

    public init(created: Int = 0, updated: Int = 0, errors: [Problem.FieldError] = [], csv: String? = nil, checked: Bool = false, general: String? = nil) {
        (self.created, self.updated, self.checked, self.general) = (created, updated, checked, general)
        self.errors = errors.map { error in
            // `lines.7.price` → line 7, price.
            let parts = error.field.split(separator: ".", maxSplits: 2).map(String.init)
            let line = parts.count > 1 && parts[0] == "lines" ? parts[1] : ""
            return LineError(line: line, field: parts.count > 2 ? parts[2] : "", message: error.message)
        }
        hasErrors = !errors.isEmpty
        csvBase64 = errors.isEmpty ? csv.map { Data($0.utf8).base64EncodedString() } : nil
    }
}
