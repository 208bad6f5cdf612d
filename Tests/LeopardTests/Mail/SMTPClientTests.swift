import Foundation
import LeopardMail
import Testing

/// The SMTP client against aiosmtpd, a real SMTP server, on 127.0.0.1.
@Suite("SMTP against aiosmtpd", .enabled(if: SMTPTestServer.isAvailable, Comment(rawValue: SMTPTestServer.skipReason)))
struct SMTPClientTests {
    func message(_ subject: String, text: String = "Hello from the tests.\n.A line that starts with a dot.") -> MailMessage {
        MailMessage(
            from: .init(name: "Test Shop", address: "no-reply@shop.test"), to: .init(address: "ada@example.test"), subject: subject, text: text,
            html: "<p>Hello</p>", messageID: "\(UUID().uuidString)@shop.test", date: Date())
    }

    func client(_ url: String) throws -> SMTPClient {
        SMTPClient(settings: try SMTPSettings(url: url), localName: "leopard.test", timeout: .seconds(20))
    }

    @Test("a plain session delivers the message as it was written, dots and all")
    func plain() async throws {
        let server = try await SMTPTestServer()
        defer { server.stop() }
        let sent = message("Plain é")
        try await SMTPTransport(client: try client("smtp://127.0.0.1:\(server.port)")).deliver(sent, mailbox: "shop")
        let received = try #require(try server.mailbox.all().first)
        #expect(received.subject == "Plain é")
        #expect(received.headers["x-envelope-from"] == "no-reply@shop.test")
        #expect(received.headers["x-envelope-to"] == "ada@example.test")
        #expect(received.headers["message-id"] == "<\(sent.messageID)>")
        #expect(received.text == sent.text)
    }

    @Test("STARTTLS with a certificate the URL trusts, then AUTH PLAIN")
    func startTLSAndAuth() async throws {
        let server = try await SMTPTestServer(.init(tls: true, auth: ("shop", "s3cret pass")))
        defer { server.stop() }
        let ca = try #require(server.certificate).path
        try await SMTPTransport(client: try client("smtp://shop:s3cret%20pass@127.0.0.1:\(server.port)?tls=required&ca=\(ca)"))
            .deliver(message("Over TLS"), mailbox: "shop")
        #expect(try server.mailbox.all().map(\.subject) == ["Over TLS"])
    }

    @Test("a wrong password is a permanent failure; nothing is delivered")
    func wrongPassword() async throws {
        let server = try await SMTPTestServer(.init(tls: true, auth: ("shop", "right")))
        defer { server.stop() }
        let ca = try #require(server.certificate).path
        let error = await #expect(throws: SMTPError.self) {
            try await SMTPTransport(client: try client("smtp://shop:wrong@127.0.0.1:\(server.port)?ca=\(ca)")).deliver(message("No"), mailbox: "shop")
        }
        #expect(error?.permanent == true, "\(String(describing: error))")
        #expect(try server.mailbox.all().isEmpty)
    }

    @Test("a certificate nobody trusts is refused, and so is a server without STARTTLS when TLS is required")
    func refusedTLS() async throws {
        let tls = try await SMTPTestServer(.init(tls: true))
        defer { tls.stop() }
        await #expect(throws: SMTPError.self) {
            try await SMTPTransport(client: try client("smtp://127.0.0.1:\(tls.port)")).deliver(message("Untrusted"), mailbox: "shop")
        }
        let plain = try await SMTPTestServer()
        defer { plain.stop() }
        let error = await #expect(throws: SMTPError.self) {
            try await SMTPTransport(client: try client("smtp://127.0.0.1:\(plain.port)?tls=required")).deliver(message("Clear"), mailbox: "shop")
        }
        #expect(error?.permanent == true)
        #expect(try tls.mailbox.all().isEmpty && plain.mailbox.all().isEmpty)
    }

    @Test("a server that drops the connection after the message is a failure worth trying again")
    func dropped() async throws {
        let server = try await SMTPTestServer(.init(dropFirst: 1))
        defer { server.stop() }
        let transport = SMTPTransport(client: try client("smtp://127.0.0.1:\(server.port)"))
        let error = await #expect(throws: SMTPError.self) { try await transport.deliver(message("Dropped"), mailbox: "shop") }
        #expect(error?.permanent == false, "\(String(describing: error))")
        try await transport.deliver(message("Second try"), mailbox: "shop")
        #expect(try server.mailbox.all().map(\.subject) == ["Second try"])
    }

    @Test("nobody listening is a failure worth trying again, within the deadline")
    func nobodyListening() async throws {
        let port = try FreePort.tcp()
        let error = await #expect(throws: SMTPError.self) {
            try await SMTPTransport(client: try client("smtp://127.0.0.1:\(port)")).deliver(message("Nobody"), mailbox: "shop")
        }
        #expect(error?.permanent == false)
    }
}
