/// The two DNS messages the platform needs (RFC 1035): a recursive query for the TXT records of
/// one name, and reading the answer. Nothing else of DNS is handled here.
enum DNSMessage {
    struct Malformed: Error, CustomStringConvertible {
        let reason: String
        var description: String { "the DNS answer is malformed: \(reason)" }
    }

    static let typeTXT: UInt16 = 16
    static let classIN: UInt16 = 1

    /// A query with recursion desired for `name`'s TXT records.
    static func txtQuery(name: String, id: UInt16) -> [UInt8] {
        var bytes: [UInt8] = []
        func u16(_ value: UInt16) { bytes += [UInt8(value >> 8), UInt8(value & 0xFF)] }
        u16(id)
        u16(0x0100)  // a standard query, recursion desired
        u16(1)  // one question
        u16(0)
        u16(0)
        u16(0)
        for label in name.split(separator: ".") {
            let utf8 = Array(label.utf8)
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        bytes.append(0)
        u16(typeTXT)
        u16(classIN)
        return bytes
    }

    enum Answer: Equatable {
        /// The TXT values (each record's strings joined), possibly none.
        case records([String])
        /// The name does not exist.
        case noSuchName
        /// The server failed (RCODE other than 0 and 3).
        case failure(code: Int)
    }

    static func parseTXTAnswer(_ bytes: [UInt8], id: UInt16) throws -> Answer {
        var reader = Reader(bytes: bytes)
        guard try reader.u16() == id else { throw Malformed(reason: "it answers another query") }
        let flags = try reader.u16()
        guard flags & 0x8000 != 0 else { throw Malformed(reason: "it is not a response") }
        guard flags & 0x0200 == 0 else { throw Malformed(reason: "it was truncated") }
        let code = Int(flags & 0x000F)
        if code == 3 { return .noSuchName }
        if code != 0 { return .failure(code: code) }
        let questions = try reader.u16()
        let answers = try reader.u16()
        _ = try reader.u16()
        _ = try reader.u16()
        for _ in 0..<questions {
            try reader.skipName()
            try reader.skip(4)
        }
        var values: [String] = []
        for _ in 0..<answers {
            try reader.skipName()
            let type = try reader.u16()
            let recordClass = try reader.u16()
            try reader.skip(4)  // TTL
            let length = Int(try reader.u16())
            let data = try reader.take(length)
            // CNAMEs and the like on the way are skipped; a recursive server adds the target's TXT.
            guard type == typeTXT, recordClass == classIN else { continue }
            var text: [UInt8] = []
            var index = 0
            while index < data.count {
                let size = Int(data[index])
                guard index + 1 + size <= data.count else { throw Malformed(reason: "a TXT string runs past its record") }
                text += data[(index + 1)..<(index + 1 + size)]
                index += 1 + size
            }
            values.append(String(decoding: text, as: UTF8.self))
        }
        return .records(values)
    }

    struct Reader {
        public let bytes: [UInt8]
        var offset = 0

        mutating func take(_ count: Int) throws -> [UInt8] {
            guard count >= 0, offset + count <= bytes.count else { throw Malformed(reason: "it ends early") }
            defer { offset += count }
            return Array(bytes[offset..<(offset + count)])
        }

        mutating func skip(_ count: Int) throws { _ = try take(count) }

        mutating func u16() throws -> UInt16 {
            let pair = try take(2)
            return UInt16(pair[0]) << 8 | UInt16(pair[1])
        }

        /// Skips a name: labels up to a zero byte, or up to a compression pointer.
        mutating func skipName() throws {
            var labels = 0
            while true {
                let length = try take(1)[0]
                if length == 0 { return }
                if length & 0xC0 == 0xC0 {
                    try skip(1)
                    return
                }
                guard length & 0xC0 == 0 else { throw Malformed(reason: "a name has an unknown label type") }
                try skip(Int(length))
                labels += 1
                guard labels <= 128 else { throw Malformed(reason: "a name is too long") }
            }
        }
    }
}
