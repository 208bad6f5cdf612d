import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A small SMTP client (RFC 5321) on SwiftNIO: one connection per mail, EHLO, STARTTLS (RFC
/// 3207) or TLS from the start, AUTH PLAIN or LOGIN (RFC 4954), then MAIL, RCPT and DATA with
/// dot-stuffing. Every step is bounded by one deadline for the whole session.
public struct SMTPClient: Sendable {
    public let settings: SMTPSettings
    public let group: any EventLoopGroup
    /// The name this host gives in EHLO.
    public let localName: String
    public let timeout: TimeAmount
    /// How long a connection may take to open, before the session's `timeout` starts.
    public static let connectSeconds: Int64 = 10

    public init(
        settings: SMTPSettings, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, localName: String, timeout: TimeAmount = .seconds(60)
    ) {
        self.settings = settings
        self.group = group
        self.localName = localName
        self.timeout = timeout
    }

    /// Sends one message to `recipient` from `sender` (the envelope); `data` is the whole message
    /// with CRLF line ends, as `MailMessage.rendered()` makes it.
    public func send(data: String, sender: String, recipient: String) async throws {
        for address in [sender, recipient] where address.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "<" || $0 == ">" }) {
            throw SMTPError("an address holds characters SMTP cannot carry", permanent: true)
        }
        let tls = try tlsContext()
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(Self.connectSeconds))
                .channelInitializer { [settings] channel in
                    channel.eventLoop.makeCompletedFuture {
                        if settings.security == .implicitTLS {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: tls, serverHostname: Self.serverName(settings.host)))
                        }
                        try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler())
                    }
                }
                .connect(host: settings.host, port: settings.port).get()
        } catch {
            throw SMTPError("no connection to \(settings.host):\(settings.port): \(String(describing: error).prefix(200))")
        }
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        defer {
            deadline.cancel()
            channel.close(promise: nil)
        }
        let session = SMTPSession(channel: channel, tls: tls, settings: settings)
        do {
            try await session.run(localName: localName, sender: sender, recipient: recipient, data: data)
        } catch let error as SMTPError {
            throw error
        } catch {
            throw SMTPError("the session failed: \(String(describing: error).prefix(200))")
        }
    }

    private func tlsContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let path = settings.trustedCertificatePath { configuration.additionalTrustRoots = [.file(path)] }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw SMTPError("the TLS settings are not usable: \(error)", permanent: true)
        }
    }

    /// The name to check the certificate against; nil for an address (then its IP is checked).
    static func serverName(_ host: String) -> String? {
        if host.contains(":") || host.split(separator: ".").allSatisfy({ Int($0) != nil }) { return nil }
        return host
    }
}

/// One conversation with the server.
struct SMTPSession {
    let channel: any Channel
    let tls: NIOSSLContext
    let settings: SMTPSettings

    func run(localName: String, sender: String, recipient: String, data: String) async throws {
        try expect(try await reply(), 220, "the greeting")
        var capabilities = try await hello(localName)
        var encrypted = settings.security == .implicitTLS
        if !encrypted {
            if capabilities.contains("STARTTLS") {
                try expect(try await command("STARTTLS"), 220, "STARTTLS")
                try await startTLS()
                encrypted = true
                capabilities = try await hello(localName)
            } else if settings.security == .startTLSRequired {
                throw SMTPError("the server does not offer STARTTLS, which the SMTP URL requires", permanent: true)
            }
        }
        if let username = settings.username {
            // A password in clear text only to this machine (a local relay).
            guard encrypted || SMTPSession.isLoopback(settings.host) else {
                throw SMTPError("the server offers no STARTTLS: the password is not sent over an unencrypted connection", permanent: true)
            }
            try await authenticate(username: username, password: settings.password ?? "", capabilities: capabilities)
        }
        try expect(try await command("MAIL FROM:<\(sender)>"), 250, "MAIL FROM")
        let accepted = try await command("RCPT TO:<\(recipient)>")
        guard accepted.code == 250 || accepted.code == 251 else { throw SMTPError.unexpected(accepted, after: "RCPT TO") }
        try expect(try await command("DATA"), 354, "DATA")
        try await channel.writeAndFlush(ByteBuffer(string: DotStuffing.apply(data) + ".\r\n"))
        try expect(try await reply(), 250, "the message")
        // The mail is accepted; a QUIT that fails changes nothing.
        _ = try? await command("QUIT")
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    private func hello(_ localName: String) async throws -> Set<String> {
        let answer = try await command("EHLO \(localName)")
        try expect(answer, 250, "EHLO")
        return Set(
            answer.lines.dropFirst().map { $0.uppercased() }.flatMap { line -> [String] in
                let words = line.split(separator: " ").map(String.init)
                guard let first = words.first else { return [] }
                return first == "AUTH" ? [first] + words.dropFirst().map { "AUTH " + $0 } : [first]
            })
    }

    private func authenticate(username: String, password: String, capabilities: Set<String>) async throws {
        if capabilities.contains("AUTH PLAIN") || !capabilities.contains("AUTH LOGIN") {
            let token = Base64.encode(Array("\0\(username)\0\(password)".utf8))
            try expect(try await command("AUTH PLAIN \(token)"), 235, "AUTH PLAIN")
            return
        }
        try expect(try await command("AUTH LOGIN"), 334, "AUTH LOGIN")
        try expect(try await command(Base64.encode(Array(username.utf8))), 334, "the user name")
        try expect(try await command(Base64.encode(Array(password.utf8))), 235, "the password")
    }

    private func startTLS() async throws {
        let tls = self.tls
        let host = settings.host
        let channel = self.channel
        try await channel.eventLoop.submit {
            guard !(try channel.pipeline.syncOperations.handler(type: SMTPReplyHandler.self).hasUnaskedInput) else {
                throw SMTPError("the server sent text after agreeing to STARTTLS, before the encryption began")
            }
            try channel.pipeline.syncOperations.addHandler(
                NIOSSLClientHandler(context: tls, serverHostname: SMTPClient.serverName(host)), position: .first)
        }.get()
    }

    private func command(_ line: String) async throws -> SMTPReply {
        try await channel.writeAndFlush(ByteBuffer(string: line + "\r\n"))
        return try await reply()
    }

    private func reply() async throws -> SMTPReply {
        let channel = self.channel
        return try await channel.eventLoop.flatSubmit {
            do {
                return try channel.pipeline.syncOperations.handler(type: SMTPReplyHandler.self).nextReply(on: channel.eventLoop)
            } catch {
                return channel.eventLoop.makeFailedFuture(SMTPError("the connection is gone"))
            }
        }.get()
    }

    private func expect(_ reply: SMTPReply, _ code: Int, _ step: String) throws {
        guard reply.code == code else { throw SMTPError.unexpected(reply, after: step) }
    }
}

/// RFC 5321 section 4.5.2: a line of the message that starts with a dot gets one more.
public enum DotStuffing {
    public static func apply(_ data: String) -> String {
        var text = data.hasSuffix("\r\n") ? data : data + "\r\n"
        if text.hasPrefix(".") { text = "." + text }
        return text.replacingOccurrences(of: "\r\n.", with: "\r\n..")
    }
}
