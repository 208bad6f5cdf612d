import Crypto
import Foundation

/// Seals secrets (tenant database passwords, provider keys) with AES-GCM under the platform key.
///
/// The key comes from `LEOPARD_SECRET_KEY` (base64 of 32 bytes; any other text is stretched with
/// SHA-256) or from a key file created on first start with mode 0600.
///
/// During a key rotation the box holds a key ring: the current key seals and derives, and every
/// key (current first, then the previous ones) opens. The key file then has one key per line,
/// current first; the environment gives the previous key in `LEOPARD_SECRET_KEY_PREVIOUS`.
public struct SecretBox: Sendable {
    private let key: SymmetricKey
    private let previous: [SymmetricKey]

    public init(key: SymmetricKey, previous: [SymmetricKey] = []) {
        self.key = key
        self.previous = previous
    }

    /// How many keys open sealed values (1 unless a rotation is under way).
    public var keyCount: Int { 1 + previous.count }

    /// A key for another purpose (signing form tokens, say), derived from the platform key with
    /// HKDF, so that every instance sharing the platform key derives the same one.
    public func derivedKey(purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("leopard:\(purpose)".utf8), outputByteCount: 32)
    }

    /// A box with a fresh random key (tests).
    public static func random() -> SecretBox {
        SecretBox(key: SymmetricKey(size: .bits256))
    }

    public static func key(fromText text: String) -> SymmetricKey {
        if let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 {
            return SymmetricKey(data: data)
        }
        return SymmetricKey(data: SHA256.hash(data: Data(text.utf8)))
    }

    /// Loads the key from `environmentValue` when set, else from `keyFile`, creating the file
    /// (mode 0600) with a new random key when it does not exist.
    public static func load(environmentValue: String?, previousEnvironmentValue: String? = nil, keyFile: URL) throws -> SecretBox {
        if let environmentValue, !environmentValue.isEmpty {
            let previous = (previousEnvironmentValue ?? "").isEmpty ? [] : [key(fromText: previousEnvironmentValue ?? "")]
            return SecretBox(key: key(fromText: environmentValue), previous: previous)
        }
        let manager = FileManager.default
        if manager.fileExists(atPath: keyFile.path) {
            // An existing key file is never replaced: a new key would make every sealed secret
            // unreadable. One that cannot be read or holds no key stops the start instead.
            let keys = try readKeyFile(keyFile)
            return SecretBox(key: keys[0], previous: Array(keys.dropFirst()))
        }
        try manager.createDirectory(at: keyFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fresh = SymmetricKey(size: .bits256)
        let text = fresh.withUnsafeBytes { Data($0) }.base64EncodedString() + "\n"
        // Created 0600 from the start (O_EXCL: never over a file that appeared meanwhile).
        let descriptor = Foundation.open(keyFile.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw KeyFileInvalid(path: keyFile.path) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        fsync(descriptor)
        close(descriptor)
        guard written == bytes.count else { throw KeyFileInvalid(path: keyFile.path) }
        return SecretBox(key: fresh)
    }

    public struct KeyFileInvalid: Error, CustomStringConvertible {
        public let path: String
        public var description: String {
            "the platform key file \(path) cannot be read or holds no 32-byte base64 key; restore it (sealed secrets need it) or set LEOPARD_SECRET_KEY"
        }
    }

    public struct OpenError: Error, CustomStringConvertible {
        public var description: String { "a sealed secret could not be opened (wrong platform key, or damaged)" }
    }

    /// `v1:` followed by base64 of nonce, ciphertext and tag.
    public func seal(_ plaintext: String) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key)
        guard let combined = box.combined else { throw OpenError() }
        return "v1:" + combined.base64EncodedString()
    }

    /// Opens with the current key, else with a previous one.
    public func open(_ sealed: String) throws -> String {
        guard sealed.hasPrefix("v1:"), let data = Data(base64Encoded: String(sealed.dropFirst(3))),
            let box = try? AES.GCM.SealedBox(combined: data)
        else { throw OpenError() }
        for candidate in [key] + previous {
            if let plaintext = try? AES.GCM.open(box, using: candidate) {
                guard let text = String(data: plaintext, encoding: .utf8) else { throw OpenError() }
                return text
            }
        }
        throw OpenError()
    }

    /// Whether the current key opens the value (so it needs no re-sealing).
    public func isSealedWithCurrentKey(_ sealed: String) -> Bool {
        guard sealed.hasPrefix("v1:"), let data = Data(base64Encoded: String(sealed.dropFirst(3))),
            let box = try? AES.GCM.SealedBox(combined: data)
        else { return false }
        return (try? AES.GCM.open(box, using: key)) != nil
    }
}

extension SecretBox {
    /// The keys of a key file, current first: one base64 32-byte key per line.
    static func readKeyFile(_ keyFile: URL) throws -> [SymmetricKey] {
        guard let text = try? String(contentsOf: keyFile, encoding: .utf8) else { throw KeyFileInvalid(path: keyFile.path) }
        var keys: [SymmetricKey] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            guard let data = Data(base64Encoded: trimmed), data.count == 32 else { throw KeyFileInvalid(path: keyFile.path) }
            keys.append(SymmetricKey(data: data))
        }
        guard !keys.isEmpty else { throw KeyFileInvalid(path: keyFile.path) }
        return keys
    }

    /// Writes `keys` (current first) to the key file: a new file with mode 0600, flushed, then
    /// renamed over the old one, so a crash leaves the old file or the new one, never half.
    static func writeKeyFile(_ keyFile: URL, keys: [SymmetricKey]) throws {
        let text = keys.map { $0.withUnsafeBytes { Data($0) }.base64EncodedString() }.joined(separator: "\n") + "\n"
        let temporary = keyFile.path + ".new-\(UUID().uuidString)"
        let descriptor = Foundation.open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw KeyFileInvalid(path: temporary) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, rename(temporary, keyFile.path) == 0 else {
            unlink(temporary)
            throw KeyFileInvalid(path: keyFile.path)
        }
    }

    /// Step one of a rotation with a key file: a new current key, the old one kept after it.
    /// Returns false (and changes nothing) when the file already holds more than one key: a
    /// rotation that stopped half-way, which goes on with the keys it has.
    public static func beginRotation(keyFile: URL) throws -> Bool {
        let keys = try readKeyFile(keyFile)
        guard keys.count == 1 else { return false }
        try writeKeyFile(keyFile, keys: [SymmetricKey(size: .bits256)] + keys)
        return true
    }

    /// The last step: only the current key stays in the file.
    public static func finishRotation(keyFile: URL) throws {
        let keys = try readKeyFile(keyFile)
        guard keys.count > 1 else { return }
        try writeKeyFile(keyFile, keys: [keys[0]])
    }
}
