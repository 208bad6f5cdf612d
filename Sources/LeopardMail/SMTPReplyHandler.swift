import NIOCore

/// Turns the server's bytes into replies and hands each to the next waiter, in order. Replies
/// that come before anyone waits (the greeting) are kept; when the connection ends, every
/// waiter fails. Lives on the channel's event loop only.
final class SMTPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var partial: [UInt8] = []
    private var lines: [String] = []
    private var ready: [SMTPReply] = []
    private var waiters: [EventLoopPromise<SMTPReply>] = []
    private var failure: SMTPError?

    /// A reply longer than this (or a line) is a broken server, not a reply.
    static let maximumLine = 4096
    static let maximumLines = 100

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard let bytes = buffer.readBytes(length: buffer.readableBytes) else { return }
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if partial.last == UInt8(ascii: "\r") { partial.removeLast() }
                line(String(decoding: partial, as: UTF8.self), context: context)
                partial = []
            } else {
                partial.append(byte)
                if partial.count > Self.maximumLine { fail(SMTPError("the server sent a line too long"), context: context) }
            }
        }
    }

    private func line(_ text: String, context: ChannelHandlerContext) {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 3, let code = Int(String(decoding: utf8[0..<3], as: UTF8.self)), (200..<600).contains(code) else {
            fail(SMTPError("the server sent something that is not an SMTP reply"), context: context)
            return
        }
        let more = utf8.count > 3 && utf8[3] == UInt8(ascii: "-")
        lines.append(utf8.count > 4 ? String(decoding: utf8[4...], as: UTF8.self) : "")
        guard !more else {
            if lines.count > Self.maximumLines { fail(SMTPError("the server sent a reply too long"), context: context) }
            return
        }
        let reply = SMTPReply(code: code, lines: lines)
        lines = []
        if waiters.isEmpty { ready.append(reply) } else { waiters.removeFirst().succeed(reply) }
    }

    /// The next reply, as soon as it is here.
    func nextReply(on eventLoop: any EventLoop) -> EventLoopFuture<SMTPReply> {
        if !ready.isEmpty { return eventLoop.makeSucceededFuture(ready.removeFirst()) }
        if let failure { return eventLoop.makeFailedFuture(failure) }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        waiters.append(promise)
        return promise.futureResult
    }

    /// Whether the server sent anything not yet asked for. After the reply to STARTTLS nothing
    /// may follow in plain text: bytes that did were written by someone in the path, and would
    /// otherwise be read as the encrypted server's answers (CVE-2011-0411's injection).
    var hasUnaskedInput: Bool {
        !ready.isEmpty || !partial.isEmpty || !lines.isEmpty
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(SMTPError("the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(SMTPError("the connection failed: \(String(describing: error).prefix(200))"), context: context)
    }

    private func fail(_ error: SMTPError, context: ChannelHandlerContext) {
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: SMTPError) {
        if failure == nil { failure = error }
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter.fail(error) }
    }
}
