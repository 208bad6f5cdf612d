import Foundation

/// Where rendered mail goes: an SMTP server, or `.eml` files for a developer.
public protocol MailTransport: Sendable {
    /// Hands the message over. `mailbox` names whose mail it is (a store's slug, or `platform`),
    /// for transports that keep mail apart.
    func deliver(_ message: MailMessage, mailbox: String) async throws
}

/// Sends through an SMTP server; the envelope sender is the message's From address.
public struct SMTPTransport: MailTransport {
    public let client: SMTPClient

    public init(client: SMTPClient) {
        self.client = client
    }

    public func deliver(_ message: MailMessage, mailbox: String) async throws {
        try await client.send(data: message.rendered(), sender: message.from.address, recipient: message.to.address)
    }
}

/// Writes each message to `directory/<mailbox>/<date>-<message id>.eml`, one folder per store,
/// named by its Message-ID so that a mail written twice (after a crash) is still one file.
public struct FileMailTransport: MailTransport {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public func deliver(_ message: MailMessage, mailbox: String) async throws {
        let folder = directory.appendingPathComponent(Self.safe(mailbox), isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let stamp = ISO8601DateFormatter().string(from: message.date).replacingOccurrences(of: ":", with: "")
        let file = folder.appendingPathComponent("\(stamp)-\(Self.safe(message.messageID)).eml")
        try Data(message.rendered().utf8).write(to: file, options: .atomic)
    }

    /// Letters, digits, dots, dashes and underscores only: no name leaves its folder.
    static func safe(_ name: String) -> String {
        let kept = String(
            name.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._-".unicodeScalars.contains($0) ? Character($0) : "_" })
        return kept.isEmpty || kept.hasPrefix(".") ? "_" + kept : kept
    }
}
