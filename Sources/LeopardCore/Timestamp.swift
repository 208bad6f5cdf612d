import Foundation

/// UTC timestamps as ISO 8601 text with milliseconds (`2026-11-22T23:40:07.123Z`): sortable as
/// text, readable in both SQLite and PostgreSQL, and the format the JSON API speaks.
public enum Timestamp {
    static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    static let plain = Date.ISO8601FormatStyle()

    public static func string(_ date: Date) -> String {
        withFraction.format(date)
    }

    public static func date(_ text: String) -> Date? {
        (try? withFraction.parse(text)) ?? (try? plain.parse(text))
    }
}

extension Date {
    /// This moment as the ISO 8601 text the databases store and compare.
    public var stamp: String { Timestamp.string(self) }
}
