import Foundation

/// One e-mail as RFC 5322 and RFC 2045–2047 want it: `multipart/alternative` with a text and an
/// HTML part (both quoted-printable, so no line is longer than 76 characters whatever the
/// content), non-ASCII names and subjects as encoded words, a fixed `Message-ID` and `Date`.
public struct MailMessage: Sendable, Equatable {
    public struct Mailbox: Sendable, Equatable {
        public var name: String?
        public var address: String

        public init(name: String? = nil, address: String) {
            self.name = name
            self.address = address
        }

        /// `"Name" <address>`, the name encoded when it is not plain ASCII.
        var header: String {
            guard let name, !name.isEmpty else { return "<\(address)>" }
            return "\(HeaderText.phrase(name)) <\(address)>"
        }
    }

    public var from: Mailbox
    public var to: Mailbox
    public var replyTo: Mailbox?
    public var subject: String
    public var text: String
    public var html: String?
    /// Without the angle brackets: `id@domain`.
    public var messageID: String
    public var date: Date

    public init(
        from: Mailbox, to: Mailbox, replyTo: Mailbox? = nil, subject: String, text: String, html: String? = nil, messageID: String, date: Date
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
    }

    /// The message with CRLF line ends, ready for SMTP's DATA (before dot-stuffing) or a
    /// `.eml` file. `boundary` is fixed in tests.
    public func rendered(boundary: String = "=_leopard_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")) -> String {
        var lines: [String] = []
        func header(_ name: String, _ value: String) { lines.append(HeaderText.folded("\(name): \(value)")) }
        header("From", from.header)
        header("To", to.header)
        if let replyTo { header("Reply-To", replyTo.header) }
        header("Subject", HeaderText.unstructured(subject))
        header("Date", Self.dateHeader(date))
        header("Message-ID", "<\(messageID)>")
        header("MIME-Version", "1.0")
        let textPart = [
            "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "", QuotedPrintable.encode(text),
        ]
        guard let html else {
            lines += textPart
            return lines.joined(separator: "\r\n") + "\r\n"
        }
        header("Content-Type", "multipart/alternative; boundary=\"\(boundary)\"")
        lines += ["", "This is a message in MIME format.", "", "--\(boundary)"] + textPart
        lines += [
            "--\(boundary)", "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "", QuotedPrintable.encode(html),
            "--\(boundary)--",
        ]
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// `Thu, 03 Dec 2026 22:13:52 +0000` (RFC 5322 section 3.3), always in UTC.
    public static func dateHeader(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
