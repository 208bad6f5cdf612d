import Foundation
import NIOCore

/// The parts of a `multipart/form-data` body (RFC 7578 over RFC 2046), read whole from memory.
///
/// Written here rather than taken from MultipartKit: its parser (4.7) traps on any byte above
/// 127 in a part's header name, so one crafted upload stopped the server. This one never
/// traps: anything it cannot read is `MultipartForm.Malformed`.
public struct MultipartForm: Sendable {
    public struct Part: Sendable {
        /// Header fields in order, names lowercased.
        public var headers: [(name: String, value: String)]
        public var body: ByteBuffer

        /// The `name` parameter of the part's `Content-Disposition: form-data`.
        public var name: String? {
            guard let disposition = headers.first(where: { $0.name == "content-disposition" })?.value else { return nil }
            return Self.parameter("name", in: disposition)
        }

        static func parameter(_ wanted: String, in field: String) -> String? {
            for piece in field.split(separator: ";").dropFirst() {
                let pair = piece.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == wanted else { continue }
                var value = pair[1].trimmingCharacters(in: .whitespaces)
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
                return value
            }
            return nil
        }
    }

    public struct Malformed: Error, Equatable {
        public let reason: String
    }

    public let parts: [Part]

    /// Most parts and most bytes of one part's header block this parser reads.
    static let partLimit = 64
    static let headerLimit = 8 * 1024

    public init(_ buffer: ByteBuffer, boundary: String) throws {
        guard Self.isValidBoundary(boundary) else { throw Malformed(reason: "the boundary is not valid") }
        let bytes = Array(buffer.readableBytesView)
        let delimiter = Array("--\(boundary)".utf8)
        guard var cursor = Self.firstDelimiter(delimiter, in: bytes) else { throw Malformed(reason: "no part starts") }
        var parts: [Part] = []
        while true {
            cursor += delimiter.count
            if bytes[cursor...].starts(with: [0x2D, 0x2D]) { break }
            cursor = try Self.skipLineEnd(bytes, from: cursor)
            guard parts.count < Self.partLimit else { throw Malformed(reason: "too many parts") }
            let (headers, bodyStart) = try Self.headers(bytes, from: cursor)
            guard let end = Self.find([0x0D, 0x0A] + delimiter, in: bytes, from: bodyStart) else {
                throw Malformed(reason: "a part does not end")
            }
            parts.append(Part(headers: headers, body: ByteBuffer(bytes: bytes[bodyStart..<end])))
            cursor = end + 2
        }
        self.parts = parts
    }

    public func first(named name: String) -> Part? {
        parts.first { $0.name == name }
    }

    /// RFC 2046 §5.1.1: 1 to 70 characters from a small set, not ending in a space.
    static func isValidBoundary(_ boundary: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'()+_,-./:=? ".utf8)
        return (1...70).contains(boundary.utf8.count) && boundary.utf8.allSatisfy(allowed.contains) && !boundary.hasSuffix(" ")
    }

    /// The first delimiter at the very start of the body or after a line end (a preamble before
    /// it is ignored, as RFC 2046 says).
    static func firstDelimiter(_ delimiter: [UInt8], in bytes: [UInt8]) -> Int? {
        if bytes.starts(with: delimiter) { return 0 }
        return find([0x0D, 0x0A] + delimiter, in: bytes, from: 0).map { $0 + 2 }
    }

    /// After a delimiter: optional spaces or tabs, then CRLF.
    static func skipLineEnd(_ bytes: [UInt8], from start: Int) throws -> Int {
        var index = start
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
        guard bytes[index...].starts(with: [0x0D, 0x0A]) else { throw Malformed(reason: "a delimiter is not followed by a line end") }
        return index + 2
    }

    /// A part's header fields up to the empty line, and where its body starts.
    static func headers(_ bytes: [UInt8], from start: Int) throws -> ([(name: String, value: String)], Int) {
        if bytes[start...].starts(with: [0x0D, 0x0A]) { return ([], start + 2) }
        guard let end = find([0x0D, 0x0A, 0x0D, 0x0A], in: bytes, from: start), end - start <= headerLimit else {
            throw Malformed(reason: "a part's headers do not end")
        }
        var fields: [(name: String, value: String)] = []
        for line in bytes[start..<end].split(separator: 0x0A, omittingEmptySubsequences: false) {
            let text = line.last == 0x0D ? line.dropLast() : line[...]
            guard let colon = text.firstIndex(of: 0x3A), colon > text.startIndex,
                text[..<colon].allSatisfy(isTokenByte),
                let name = String(bytes: text[..<colon], encoding: .ascii),
                let value = String(bytes: text[(colon + 1)...], encoding: .utf8)
            else { throw Malformed(reason: "a part has a header that cannot be read") }
            fields.append((name.lowercased(), value.trimmingCharacters(in: .whitespaces)))
        }
        return (fields, end + 4)
    }

    /// RFC 7230 token characters: visible ASCII except separators.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        guard byte > 0x20, byte < 0x7F else { return false }
        return !"\"(),/:;<=>?@[\\]{}".utf8.contains(byte)
    }

    /// Where `needle` first occurs in `bytes` at or after `start`. The needle starts with CR or
    /// `-` and a boundary holds neither CR nor LF, so a scan is linear in practice.
    static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
        var index = start
        let last = bytes.count - needle.count
        while index <= last {
            if bytes[index] == first, bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
