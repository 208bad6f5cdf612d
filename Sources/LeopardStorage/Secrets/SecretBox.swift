import Crypto
import Foundation

/// Seals secrets (tenant database passwords, provider keys) with AES-GCM under the platform key.
///
/// The key comes from `LEOPARD_SECRET_KEY` (base64 of 32 bytes; any other text is stretched with
/// SHA-256) or from a key file created on first start with mode 0600.
public struct SecretBox: Sendable {
    private let key: SymmetricKey

    public init(key: SymmetricKey) {
        self.key = key
    }

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
    public static func load(environmentValue: String?, keyFile: URL) throws -> SecretBox {
        if let environmentValue, !environmentValue.isEmpty {
            return SecretBox(key: key(fromText: environmentValue))
        }
        let manager = FileManager.default
        if manager.fileExists(atPath: keyFile.path) {
            // An existing key file is never replaced: a new key would make every sealed secret
            // unreadable. One that cannot be read or holds no key stops the start instead.
            guard let text = try? String(contentsOf: keyFile, encoding: .utf8),
                  let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32
            else { throw KeyFileInvalid(path: keyFile.path) }
            return SecretBox(key: SymmetricKey(data: data))
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
        public var description: String { "the platform key file \(path) cannot be read or holds no 32-byte base64 key; restore it (sealed secrets need it) or set LEOPARD_SECRET_KEY" }
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

    public func open(_ sealed: String) throws -> String {
        guard sealed.hasPrefix("v1:"), let data = Data(base64Encoded: String(sealed.dropFirst(3))) else { throw OpenError() }
        do {
            let box = try AES.GCM.SealedBox(combined: data)
            let plaintext = try AES.GCM.open(box, using: key)
            guard let text = String(data: plaintext, encoding: .utf8) else { throw OpenError() }
            return text
        } catch {
            throw OpenError()
        }
    }
}
