/// Header values as RFC 5322 and RFC 2047 want them: printable ASCII as it is, anything else as
/// UTF-8 encoded words, and lines folded before 78 characters.
public enum HeaderText {
    /// An unstructured value (a subject): encoded words when it is not printable ASCII. Line
    /// breaks never survive, so a value cannot add a header of its own.
    public static func unstructured(_ value: String) -> String {
        let flat = flatten(value)
        return isPlain(flat) ? flat : encodedWords(flat)
    }

    /// A display name: quoted when plain, encoded words otherwise.
    public static func phrase(_ value: String) -> String {
        let flat = flatten(value)
        guard isPlain(flat) else { return encodedWords(flat) }
        return "\"" + flat.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Folds a whole header line at spaces so that no line is longer than 78 characters where
    /// that is possible; continuation lines start with a space.
    public static func folded(_ line: String) -> String {
        guard line.utf8.count > 78 else { return line }
        var result: [String] = []
        var current = ""
        for word in line.split(separator: " ", omittingEmptySubsequences: false) {
            if !current.isEmpty, current.utf8.count + 1 + word.utf8.count > 78 {
                result.append(current)
                current = String(word)
            } else {
                current = current.isEmpty && result.isEmpty ? String(word) : current + (current.isEmpty ? "" : " ") + word
            }
        }
        result.append(current)
        return result.joined(separator: "\r\n ")
    }

    static func flatten(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    static func isPlain(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F } && !value.contains("=?")
    }

    /// `=?utf-8?B?…?=` words of at most 75 characters each, split between characters (never inside
    /// one), separated by spaces so that folding can break between them.
    static func encodedWords(_ value: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in value {
            let bytes = Array(String(character).utf8)
            // 45 bytes of UTF-8 make 60 characters of base64; with `=?utf-8?B?` and `?=`, 72.
            if !chunk.isEmpty, chunk.count + bytes.count > 45 {
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(word(chunk)) }
        return words.joined(separator: " ")
    }

    private static func word(_ bytes: [UInt8]) -> String {
        "=?utf-8?B?" + Base64.encode(bytes) + "?="
    }
}

/// Standard base64, without line breaks.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index]
            let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
            let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(index + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
