/// Quoted-printable (RFC 2045 section 6.7) for message bodies: lines of at most 76 characters
/// with soft breaks, CRLF line ends, and `=` plus anything outside printable ASCII escaped. A
/// line that starts with a dot is escaped too, so the body never needs SMTP's dot-stuffing.
public enum QuotedPrintable {
    public static func encode(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        return normalized.split(separator: "\n", omittingEmptySubsequences: false).map { encodeLine(Array($0.utf8)) }.joined(separator: "\r\n")
    }

    private static let hex = Array("0123456789ABCDEF".utf8)

    private static func encodeLine(_ bytes: [UInt8]) -> String {
        var lines: [String] = []
        var current: [UInt8] = []
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let plain =
                (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 0x20 || byte == 0x09) && !isLast)
            let atLineStartDot = byte == UInt8(ascii: ".") && current.isEmpty
            let token: [UInt8] = plain && !atLineStartDot ? [byte] : [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            // 75 characters and a soft break `=` make 76.
            if current.count + token.count > 75 {
                lines.append(String(decoding: current + [UInt8(ascii: "=")], as: UTF8.self))
                current = []
                if token == [UInt8(ascii: ".")] {
                    current = Array("=2E".utf8)
                    continue
                }
            }
            current += token
        }
        lines.append(String(decoding: current, as: UTF8.self))
        return lines.joined(separator: "\r\n")
    }
}
