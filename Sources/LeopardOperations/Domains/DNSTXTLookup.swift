import Foundation
import NIOCore
import NIOPosix

/// Looks up TXT records by asking one DNS server over UDP: `--dns-server`, else the first
/// `nameserver` of /etc/resolv.conf. Custom domain checks use it.
struct DNSTXTLookup: Sendable {
    let server: SocketAddress
    let timeout: TimeAmount

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    init(server: SocketAddress, timeout: TimeAmount = .seconds(3)) {
        self.server = server
        self.timeout = timeout
    }

    /// `HOST`, `HOST:PORT` or `[IPv6]:PORT`; nil reads /etc/resolv.conf: its first nameserver
    /// this can use (a link-local one with a `%zone` cannot be), else 127.0.0.1.
    static func make(server text: String?, resolvConf: String = "/etc/resolv.conf") throws -> DNSTXTLookup {
        if let text, !text.isEmpty { return try parse(text) }
        let conf = (try? String(contentsOfFile: resolvConf, encoding: .utf8)) ?? ""
        for line in conf.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 2, words[0] == "nameserver" else { continue }
            let address = String(words[1])
            if let lookup = try? parse(address.contains(":") ? "[\(address)]" : address) { return lookup }
        }
        return try parse("127.0.0.1")
    }

    static func parse(_ text: String) throws -> DNSTXTLookup {
        var host = text
        var port = 53
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw Failed(description: "bad DNS server \(text)") }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") { port = Int(rest.dropFirst()) ?? -1 }
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            port = Int(text[text.index(after: colon)...]) ?? -1
        }
        guard (1...65535).contains(port) else { throw Failed(description: "bad DNS server port in \(text)") }
        do {
            return DNSTXTLookup(server: try SocketAddress(ipAddress: host, port: port))
        } catch {
            throw Failed(description: "the DNS server must be an IP address, not \(host)")
        }
    }

    /// The TXT values of `name` (empty when it has none or does not exist).
    func txt(_ name: String) async throws -> [String] {
        let id = UInt16.random(in: 0...UInt16.max)
        let query = DNSMessage.txtQuery(name: name, id: id)
        let group = MultiThreadedEventLoopGroup.singleton
        let loop = group.any()
        let reply = OnceOnLoop(loop.makePromise(of: [UInt8].self))
        let server = self.server
        let channel: any Channel
        do {
            channel = try await DatagramBootstrap(group: loop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ReplyHandler(server: server, id: id, reply: reply))
                    }
                }
                .bind(host: server.protocol == .inet6 ? "::" : "0.0.0.0", port: 0).get()
        } catch {
            loop.execute { reply.fail(error) }
            throw Failed(description: "cannot open a socket for DNS: \(error)")
        }
        // The promise is completed once, on the loop: by the first matching reply (the handler
        // then ignores the rest), the timer, or a failed send.
        let timer = loop.scheduleTask(in: timeout) { reply.fail(Failed(description: "the DNS server \(server) did not answer")) }
        reply.promise.futureResult.whenComplete { _ in timer.cancel() }
        let bytes: [UInt8]
        do {
            var buffer = channel.allocator.buffer(capacity: query.count)
            buffer.writeBytes(query)
            do {
                try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: server, data: buffer)).get()
            } catch {
                loop.execute { reply.fail(error) }
            }
            bytes = try await reply.promise.futureResult.get()
            try? await channel.close()
        } catch {
            try? await channel.close()
            throw error
        }
        switch try DNSMessage.parseTXTAnswer(bytes, id: id) {
        case .records(let values): return values
        case .noSuchName: return []
        case .failure(let code): throw Failed(description: "the DNS server answered with error code \(code)")
        }
    }

    /// Hands the first answer from the server with the query's id to the promise.
    private final class ReplyHandler: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let server: SocketAddress
        public let id: UInt16
        let reply: OnceOnLoop

        init(server: SocketAddress, id: UInt16, reply: OnceOnLoop) {
            self.server = server
            self.id = id
            self.reply = reply
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            guard envelope.remoteAddress == server, let bytes = envelope.data.getBytes(at: envelope.data.readerIndex, length: envelope.data.readableBytes),
                bytes.count >= 2, UInt16(bytes[0]) << 8 | UInt16(bytes[1]) == id
            else { return }
            reply.succeed(bytes)
        }
    }

    /// The reply promise, completed at most once: by the first matching answer, the timer or a
    /// failed send, whichever comes first; the others are ignored. Whether it is done lives in a
    /// box bound to the promise's event loop (every caller runs there: the channel handler, the
    /// scheduled timer and `execute` blocks), which checks each access.
    struct OnceOnLoop: Sendable {
        let promise: EventLoopPromise<[UInt8]>
        private let done: NIOLoopBoundBox<Bool>

        init(_ promise: EventLoopPromise<[UInt8]>) {
            self.promise = promise
            self.done = .makeBoxSendingValue(false, eventLoop: promise.futureResult.eventLoop)
        }

        func succeed(_ bytes: [UInt8]) {
            guard !done.value else { return }
            done.value = true
            promise.succeed(bytes)
        }

        func fail(_ error: any Error) {
            guard !done.value else { return }
            done.value = true
            promise.fail(error)
        }
    }
}
