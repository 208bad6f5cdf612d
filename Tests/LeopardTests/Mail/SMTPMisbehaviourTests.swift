import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import LeopardMail

/// What no real SMTP server does on purpose, and an attacker in the path might: a scripted
/// server on 127.0.0.1 that sends text after agreeing to STARTTLS.
@Suite("SMTP against a server that misbehaves")
struct SMTPMisbehaviourTests {
    @Test("text after the STARTTLS answer, before encryption, ends the session: nothing is read as the server's")
    func startTLSInjection() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(InjectingSMTPServer()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let port = try #require(server.localAddress?.port)
        let client = SMTPClient(settings: try SMTPSettings(url: "smtp://127.0.0.1:\(port)"), localName: "leopard.test", timeout: .seconds(20))
        let error = await #expect(throws: SMTPError.self) {
            try await client.send(data: "Subject: x\r\n\r\nbody\r\n", sender: "a@shop.test", recipient: "b@example.test")
        }
        #expect(error?.description.contains("after agreeing to STARTTLS") == true, "\(String(describing: error))")
    }

    @Test("a password goes in clear text only to this machine")
    func loopbackOnly() {
        for host in ["127.0.0.1", "127.1.2.3", "::1", "localhost"] { #expect(SMTPSession.isLoopback(host), "\(host)") }
        for host in ["smtp.example.test", "10.0.0.1", "::ffff:127.0.0.1", "localhost.example.test"] {
            #expect(!SMTPSession.isLoopback(host), "\(host)")
        }
    }
}

/// Answers EHLO with STARTTLS, and STARTTLS with its 220 followed at once, in clear text, by
/// replies of its own: the shape of the STARTTLS command injection (CVE-2011-0411).
private final class InjectingSMTPServer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private var pending = ""

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "220 scripted ESMTP\r\n")), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending += String(buffer: unwrapInboundIn(data))
        while let end = pending.range(of: "\r\n") {
            let line = pending[..<end.lowerBound].uppercased()
            pending.removeSubrange(..<end.upperBound)
            let answer: String
            if line.hasPrefix("EHLO") {
                answer = "250-scripted\r\n250 STARTTLS\r\n"
            } else if line == "STARTTLS" {
                answer = "220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n"
            } else {
                answer = "250 ok\r\n"
            }
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer)), promise: nil)
        }
    }
}
