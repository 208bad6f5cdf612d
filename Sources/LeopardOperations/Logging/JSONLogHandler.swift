import Foundation
import LeopardCore
import Logging

/// One JSON object per line (`serve --log-format json`): `ts`, `level`, `logger`, `msg`, then
/// the metadata (request id, tenant, route, status, duration…) as string fields.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let output: @Sendable (String) -> Void

    public init(label: String, output: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line =
            "{\"ts\":\"\(Timestamp.string(Date()))\",\"level\":\"\(event.level.rawValue)\",\"logger\":\(Self.quoted(label)),\"msg\":\(Self.quoted(event.message.description))"
        var merged = metadata
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        for key in merged.keys.sorted() {
            guard let value = merged[key] else { continue }
            line += ",\(Self.quoted(key == "hb.request.id" ? "request_id" : key)):\(Self.quoted(value.description))"
        }
        output(line + "}\n")
    }

    public static let standardError: @Sendable (String) -> Void = { text in
        var text = text
        // One write(2) per line: lines from different threads do not interleave.
        text.withUTF8 { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
