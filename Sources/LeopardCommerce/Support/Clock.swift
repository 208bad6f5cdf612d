import Foundation
import LeopardCore

/// "Now" as the text the database stores, so comparisons happen on sortable ISO 8601 strings.
extension Date {
    var stamp: String { Timestamp.string(self) }
}
