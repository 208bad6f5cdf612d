/// One reply of an SMTP server: a three-digit code and its text lines (RFC 5321 section 4.2).
public struct SMTPReply: Sendable, Equatable {
    public let code: Int
    public let lines: [String]

    public var isPositive: Bool { (200..<400).contains(code) }
    public var text: String { lines.joined(separator: " ") }
}

/// Why a mail was not sent. `permanent` (a 5xx reply) is not worth trying again; anything else
/// (a 4xx, a dropped connection, a timeout) is.
public struct SMTPError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public let permanent: Bool

    public init(_ description: String, permanent: Bool = false) {
        self.description = description
        self.permanent = permanent
    }

    static func unexpected(_ reply: SMTPReply, after step: String) -> SMTPError {
        SMTPError("the server answered \(reply.code) \(reply.text.prefix(200)) to \(step)", permanent: (500..<600).contains(reply.code))
    }
}
