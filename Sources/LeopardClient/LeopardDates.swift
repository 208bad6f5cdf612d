import Foundation
import OpenAPIRuntime

/// Leopard writes timestamps as ISO 8601 with milliseconds (`2026-12-04T22:57:18.123Z`); this
/// reads them with or without the fraction, and writes them with it.
struct LeopardDateTranscoder: DateTranscoder {
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let whole = Date.ISO8601FormatStyle()

    func encode(_ date: Date) throws -> String { Self.fractional.format(date) }

    func decode(_ string: String) throws -> Date {
        if let date = try? Self.fractional.parse(string) { return date }  // the usual form; the other is tried next
        do {
            return try Self.whole.parse(string)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Expected an ISO 8601 date, got \(string)"))
        }
    }
}

extension Configuration {
    /// The generated clients' settings for Leopard's dates.
    static let leopard = Configuration(dateTranscoder: LeopardDateTranscoder())
}
