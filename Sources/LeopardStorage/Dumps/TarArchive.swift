import Foundation

/// A plain ustar archive of regular files, so that a backup is one file an operator can look
/// into with `tar -tvf`. Names are at most 100 bytes and files below 8 GiB (ustar's limits).
public enum TarArchive {
    public struct Damaged: Error, CustomStringConvertible {
        public let reason: String
        public init(_ reason: String) { self.reason = reason }
        public var description: String { "the backup file is damaged or not a Leopard backup: \(reason)" }
    }

    static let blockSize = 512
    static let chunkSize = 1 << 20

    /// Writes `entries` (name in the archive, file on disk) to a new file at `destination`
    /// (mode 0600), flushed to disk before it returns.
    public static func write(_ entries: [(name: String, path: String)], to destination: String, modified: Date = Date()) throws {
        let manager = FileManager.default
        guard manager.createFile(atPath: destination, contents: nil, attributes: [.posixPermissions: 0o600]),
            let output = FileHandle(forWritingAtPath: destination)
        else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: destination])
        }
        defer { try? output.close() }
        for entry in entries {
            let size = (try manager.attributesOfItem(atPath: entry.path)[.size] as? NSNumber)?.intValue ?? 0
            try output.write(contentsOf: try header(name: entry.name, size: size, modified: modified))
            guard let input = FileHandle(forReadingAtPath: entry.path) else {
                throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: entry.path])
            }
            defer { try? input.close() }
            var copied = 0
            while copied < size, let chunk = try input.read(upToCount: min(chunkSize, size - copied)), !chunk.isEmpty {
                try output.write(contentsOf: chunk)
                copied += chunk.count
            }
            guard copied == size else { throw Damaged("\(entry.name) changed while it was archived") }
            try output.write(contentsOf: Data(count: padding(size)))
        }
        try output.write(contentsOf: Data(count: 2 * blockSize))
        try output.synchronize()
    }

    /// Unpacks the archive at `path` into `directory`. `accept` sees each entry's name and
    /// returns where under `directory` to write it, or nil to refuse the whole archive (so that no
    /// name can reach outside the folder). Returns the names unpacked, in order.
    @discardableResult
    public static func extract(_ path: String, into directory: String, accept: (String) -> String?) throws -> [String] {
        guard let input = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? input.close() }
        var names: [String] = []
        while true {
            let block = try input.read(upToCount: blockSize) ?? Data()
            guard block.count == blockSize else { throw Damaged("it ends in the middle of an entry header") }
            if block.allSatisfy({ $0 == 0 }) {
                guard !names.isEmpty else { throw Damaged("it holds no files") }
                return names
            }
            let bytes = [UInt8](block)
            let (name, size) = try parse(header: bytes)
            guard let relative = accept(name) else { throw Damaged("it holds an unexpected entry \(name.debugDescription)") }
            let target = directory + "/" + relative
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: target, contents: nil, attributes: [.posixPermissions: 0o600]),
                let output = FileHandle(forWritingAtPath: target)
            else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target])
            }
            defer { try? output.close() }
            var copied = 0
            while copied < size {
                let chunk = try input.read(upToCount: min(chunkSize, size - copied)) ?? Data()
                guard !chunk.isEmpty else { throw Damaged("it ends in the middle of \(name)") }
                try output.write(contentsOf: chunk)
                copied += chunk.count
            }
            let skip = padding(size)
            if skip > 0 {
                guard (try input.read(upToCount: skip))?.count == skip else { throw Damaged("it ends in the middle of \(name)") }
            }
            names.append(name)
        }
    }

    static func padding(_ size: Int) -> Int {
        (blockSize - size % blockSize) % blockSize
    }

    static func header(name: String, size: Int, modified: Date) throws -> Data {
        let nameBytes = Array(name.utf8)
        guard !nameBytes.isEmpty, nameBytes.count <= 100, size < 0o77777777777 else {
            throw Damaged("\(name) cannot be archived (name over 100 bytes or file over 8 GiB)")
        }
        var block = [UInt8](repeating: 0, count: blockSize)
        block.replaceSubrange(0..<nameBytes.count, with: nameBytes)
        put(octal: 0o600, width: 8, at: 100, in: &block)  // mode
        put(octal: 0, width: 8, at: 108, in: &block)  // uid
        put(octal: 0, width: 8, at: 116, in: &block)  // gid
        put(octal: size, width: 12, at: 124, in: &block)
        put(octal: max(0, Int(modified.timeIntervalSince1970)), width: 12, at: 136, in: &block)
        block.replaceSubrange(148..<156, with: [UInt8](repeating: 0x20, count: 8))
        block[156] = UInt8(ascii: "0")  // a regular file
        block.replaceSubrange(257..<265, with: Array("ustar\u{0}00".utf8))
        let sum = block.reduce(0) { $0 + Int($1) }
        put(octal: sum, width: 7, at: 148, in: &block)  // six digits and a NUL, then the space
        return Data(block)
    }

    static func parse(header block: [UInt8]) throws -> (name: String, size: Int) {
        guard Array(block[257..<262]) == Array("ustar".utf8) else { throw Damaged("an entry header is not a tar header") }
        var unsigned = block
        unsigned.replaceSubrange(148..<156, with: [UInt8](repeating: 0x20, count: 8))
        guard let recorded = octal(block[148..<156]), recorded == unsigned.reduce(0, { $0 + Int($1) }) else {
            throw Damaged("an entry header does not match its checksum")
        }
        guard block[156] == UInt8(ascii: "0") || block[156] == 0 else { throw Damaged("it holds something other than plain files") }
        let nameField = block[0..<100].prefix { $0 != 0 }
        guard let name = String(bytes: nameField, encoding: .utf8), !name.isEmpty, let size = octal(block[124..<136]) else {
            throw Damaged("an entry header is unreadable")
        }
        return (name, size)
    }

    private static func put(octal value: Int, width: Int, at offset: Int, in block: inout [UInt8]) {
        let digits = Array(String(value, radix: 8).utf8)
        let padded = [UInt8](repeating: UInt8(ascii: "0"), count: max(0, width - 1 - digits.count)) + digits
        block.replaceSubrange(offset..<(offset + width - 1), with: padded)
        block[offset + width - 1] = 0
    }

    private static func octal(_ field: ArraySlice<UInt8>) -> Int? {
        var value = 0
        var seen = false
        for byte in field {
            if byte == 0 || byte == 0x20 {
                if seen { break } else { continue }
            }
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte) else { return nil }
            value = value * 8 + Int(byte - UInt8(ascii: "0"))
            seen = true
            guard value < Int.max / 16 else { return nil }
        }
        return seen ? value : nil
    }
}
