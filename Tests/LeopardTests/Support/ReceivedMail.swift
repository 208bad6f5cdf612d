import Foundation

/// A mail as a reader gets it, parsed from its raw text (an `.eml` file, or what the SMTP
/// server stored): headers unfolded, encoded words decoded, each part's quoted-printable body
/// decoded. Written for the tests, independent of the code that builds the mail.
struct ReceivedMail: Sendable {
    let raw: String
    let headers: [String: String]
    let text: String
    let html: String?

    struct Malformed: Error, CustomStringConvertible { let description: String }

    init(raw: String) throws {
        self.raw = raw
        let (head, body) = try Self.split(raw)
        headers = Self.headers(head)
        let type = headers["content-type"] ?? "text/plain"
        if type.lowercased().hasPrefix("multipart/") {
            guard let boundary = Self.parameter("boundary", in: type) else { throw Malformed(description: "a multipart mail without a boundary") }
            var text: String?
            var html: String?
            for part in body.components(separatedBy: "--" + boundary).dropFirst() where !part.hasPrefix("--") {
                // The line break before a boundary belongs to the boundary (RFC 2046 section 5.1.1).
                var content = String(part.drop(while: { $0 == "\r\n" || $0 == "\n" }))
                if content.hasSuffix("\r\n") || content.hasSuffix("\n") { content.removeLast() }
                let (partHead, partBody) = try Self.split(content)
                let partHeaders = Self.headers(partHead)
                let decoded = Self.decodeBody(partBody, encoding: partHeaders["content-transfer-encoding"])
                if (partHeaders["content-type"] ?? "").hasPrefix("text/html") { html = decoded } else { text = decoded }
            }
            self.text = text ?? ""
            self.html = html
        } else {
            text = Self.decodeBody(body, encoding: headers["content-transfer-encoding"])
            html = nil
        }
    }

    var subject: String { headers["subject"] ?? "" }
    var to: String { headers["to"] ?? "" }

    /// The first link in the text part that starts with `prefix` (a path such as `/account/verify`
    /// matches any host).
    func link(containing path: String) -> String? {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" }).map(String.init).first { $0.hasPrefix("http") && $0.contains(path) }
    }

    /// The `token` query value of that link.
    func token(in path: String) -> String? {
        link(containing: path).flatMap { URLComponents(string: $0)?.queryItems?.first { $0.name == "token" }?.value }
    }

    static func split(_ text: String) throws -> (String, String) {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        guard let range = normalized.range(of: "\n\n") else { return (normalized, "") }
        return (String(normalized[..<range.lowerBound]), String(normalized[range.upperBound...]))
    }

    static func headers(_ head: String) -> [String: String] {
        var result: [String: String] = [:]
        var lines: [String] = []
        for line in head.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(" ") || line.hasPrefix("\t"), let last = lines.popLast() { lines.append(last + String(line)) } else { lines.append(String(line)) }
        }
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            if result[name] == nil { result[name] = decodeWords(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)) }
        }
        return result
    }

    static func parameter(_ name: String, in value: String) -> String? {
        guard let range = value.range(of: name + "=") else { return nil }
        var rest = value[range.upperBound...]
        if rest.hasPrefix("\"") {
            rest = rest.dropFirst()
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
        return String(rest.prefix { $0 != ";" && $0 != " " })
    }

    /// RFC 2047 `=?utf-8?B?…?=` and `?Q?` words; the spaces between adjacent words go.
    static func decodeWords(_ value: String) -> String {
        let pattern = try! NSRegularExpression(pattern: #"=\?([^?]+)\?([BbQq])\?([^?]*)\?=(\s+(?==\?))?"#)  // a fixed, valid pattern
        var result = value
        for match in pattern.matches(in: value, range: NSRange(value.startIndex..., in: value)).reversed() {
            guard let whole = Range(match.range, in: value), let kind = Range(match.range(at: 2), in: value), let data = Range(match.range(at: 3), in: value)
            else { continue }
            let payload = String(value[data])
            let bytes: Data? =
                value[kind].uppercased() == "B"
                ? Data(base64Encoded: payload) : Data(quotedPrintable(payload.replacingOccurrences(of: "_", with: " ")).utf8)
            if let bytes, let text = String(data: bytes, encoding: .utf8) { result.replaceSubrange(whole, with: text) }
        }
        return result
    }

    static func decodeBody(_ body: String, encoding: String?) -> String {
        switch encoding?.lowercased() {
        case "quoted-printable": return quotedPrintable(body)
        case "base64": return Data(base64Encoded: body.filter { !$0.isWhitespace }).map { String(decoding: $0, as: UTF8.self) } ?? ""
        default: return body
        }
    }

    static func quotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let source = Array(text.replacingOccurrences(of: "\r\n", with: "\n").utf8)
        var index = 0
        while index < source.count {
            let byte = source[index]
            if byte == UInt8(ascii: "="), index + 1 < source.count, source[index + 1] == UInt8(ascii: "\n") {
                index += 2
            } else if byte == UInt8(ascii: "="), index + 2 < source.count,
                let value = UInt8(String(decoding: source[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(byte)
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The `.eml` files a platform with no SMTP server wrote for one store (`DATA_DIR/mail/<slug>/`).
struct MailFolder {
    let folder: URL

    init(platform: TestPlatform, slug: String) {
        folder = platform.directory.url.appendingPathComponent("mail").appendingPathComponent(slug)
    }

    init(folder: URL) {
        self.folder = folder
    }

    func all() throws -> [ReceivedMail] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []  // no folder yet: no mail yet
        return try names.filter { $0.hasSuffix(".eml") }.sorted().map { name in
            try ReceivedMail(raw: String(decoding: try Data(contentsOf: folder.appendingPathComponent(name)), as: UTF8.self))
        }
    }

    func to(_ address: String) throws -> [ReceivedMail] {
        try all().filter { $0.to.lowercased().contains("<\(address.lowercased())>") || $0.headers["x-envelope-to"]?.lowercased() == address.lowercased() }
    }
}
