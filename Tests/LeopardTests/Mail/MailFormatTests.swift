import Foundation
import LeopardMail
import Testing

@Suite("Mail format: RFC 5322 messages, quoted-printable, encoded headers")
struct MailFormatTests {
    let date = Date(timeIntervalSince1970: 1_796_336_000)

    func message(
        subject: String = "Order #1001 confirmed", name: String? = "Corner Shop", text: String = "Hello", html: String? = "<p>Hello</p>"
    ) -> MailMessage {
        MailMessage(
            from: .init(name: name, address: "no-reply@shop.test"), to: .init(address: "ada@example.test"),
            replyTo: .init(address: "help@shop.test"), subject: subject, text: text, html: html, messageID: "mail_1.abc@shop.test", date: date)
    }

    @Test("a message has the headers a reader needs, CRLF line ends, and both parts")
    func headersAndParts() throws {
        let raw = message().rendered(boundary: "BOUNDARY")
        #expect(raw.contains("From: \"Corner Shop\" <no-reply@shop.test>\r\n"))
        #expect(raw.contains("To: <ada@example.test>\r\n"))
        #expect(raw.contains("Reply-To: <help@shop.test>\r\n"))
        #expect(raw.contains("Message-ID: <mail_1.abc@shop.test>\r\n"))
        #expect(raw.contains("Date: \(MailMessage.dateHeader(date))\r\n"))
        #expect(MailMessage.dateHeader(date).hasSuffix("+0000"))
        #expect(raw.contains("Content-Type: multipart/alternative; boundary=\"BOUNDARY\""))
        #expect(!raw.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends in CRLF")
        let parsed = try ReceivedMail(raw: raw)
        #expect(parsed.text == "Hello")
        #expect(parsed.html == "<p>Hello</p>")
        #expect(parsed.subject == "Order #1001 confirmed")
    }

    @Test("non-ASCII names and subjects become encoded words that decode back")
    func encodedWords() throws {
        let subject = "Bestellung bestätigt – danke schön, Zoë! 🐆 " + String(repeating: "ü", count: 40)
        let raw = message(subject: subject, name: "Café Ümlaut").rendered(boundary: "B")
        let head = raw.components(separatedBy: "\r\n\r\n")[0]
        #expect(head.unicodeScalars.allSatisfy { $0.isASCII }, "headers are 7-bit")
        #expect(head.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 }, "header lines are folded")
        let parsed = try ReceivedMail(raw: raw)
        #expect(parsed.subject == subject)
        #expect(parsed.headers["from"] == "Café Ümlaut <no-reply@shop.test>")
    }

    @Test("a header value cannot add a header: line breaks are flattened")
    func headerInjection() throws {
        let raw = message(subject: "Hi\r\nBcc: thief@evil.test", name: "Shop\nBcc: thief@evil.test").rendered(boundary: "B")
        #expect(!raw.contains("\r\nBcc:"))
        #expect(try ReceivedMail(raw: raw).headers["bcc"] == nil)
    }

    @Test("quoted-printable keeps lines within 76 characters, escapes = and 8-bit bytes, and decodes back")
    func quotedPrintable() {
        let text = String(repeating: "word ", count: 40) + "= naïve ✓\n.starts with a dot\nends with space \n" + String(repeating: "x", count: 200)
        let encoded = QuotedPrintable.encode(text)
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        #expect(encoded.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(lines.allSatisfy { !$0.hasPrefix(".") }, "no line starts with a dot")
        #expect(lines.allSatisfy { !$0.hasSuffix(" ") }, "no line ends in a space")
        #expect(ReceivedMail.quotedPrintable(encoded) == text)
    }

    @Test("dot-stuffing doubles a dot that starts a line, and only then")
    func dotStuffing() {
        #expect(DotStuffing.apply(".first\r\nmiddle.\r\n.\r\n..two\r\n") == "..first\r\nmiddle.\r\n..\r\n...two\r\n")
        #expect(DotStuffing.apply("no final break") == "no final break\r\n")
    }

    @Test("SMTP URLs: schemes, ports, TLS modes and credentials; the password never shows")
    func smtpURLs() throws {
        let plain = try SMTPSettings(url: "smtp://user%40x:p%40ss@mail.example.com:2525")
        #expect(plain.host == "mail.example.com" && plain.port == 2525 && plain.security == .opportunistic)
        #expect(plain.username == "user@x" && plain.password == "p@ss")
        #expect(!plain.description.contains("p@ss") && plain.description.contains("***"))
        #expect(try SMTPSettings(url: "smtp://mail.example.com").port == 587)
        #expect(try SMTPSettings(url: "smtps://mail.example.com").port == 465)
        #expect(try SMTPSettings(url: "smtps://mail.example.com").security == .implicitTLS)
        #expect(try SMTPSettings(url: "smtp://mail.example.com?tls=required").security == .startTLSRequired)
        #expect(try SMTPSettings(url: "smtp://[::1]:25").host == "::1")
        #expect(throws: SMTPSettings.Invalid.self) { try SMTPSettings(url: "http://mail.example.com") }
        #expect(throws: SMTPSettings.Invalid.self) { try SMTPSettings(url: "smtp://mail.example.com?tls=maybe") }
        #expect(throws: SMTPSettings.Invalid.self) { try SMTPSettings(url: "not a url") }
    }

    @Test("the file transport writes one .eml per Message-ID, inside the store's folder")
    func fileTransport() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let transport = FileMailTransport(directory: directory.url)
        try await transport.deliver(message(), mailbox: "corner")
        try await transport.deliver(message(), mailbox: "corner")  // the same mail again (after a crash)
        try await transport.deliver(message(), mailbox: "../escape")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.url.appendingPathComponent("corner").path)
        #expect(files.count == 1)
        #expect(!FileManager.default.fileExists(atPath: directory.url.deletingLastPathComponent().appendingPathComponent("escape").path))
    }
}
