import Foundation
import Synchronization

/// A one-time signal between a child process's handlers (which run on Foundation's threads) and
/// async code: opened once with a result; waiters get it at once or when it opens, or `false`
/// when their timeout passes first.
final class Latch: Sendable {
    private struct State {
        var result: Bool?
        var waiters: [UUID: CheckedContinuation<Bool, Never>] = [:]
    }

    private let state = Mutex(State())

    /// Opens the latch with `result`; later calls change nothing.
    func open(_ result: Bool) {
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            guard state.result == nil else { return [] }
            state.result = result
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: result) }
    }

    var isOpen: Bool { state.withLock { $0.result != nil } }

    /// The result once open; `false` if `timeout` passes first.
    func wait(timeout: Duration) async -> Bool {
        let id = UUID()
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.expire(id)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool? in
                if let result = state.result { return result }
                state.waiters[id] = continuation
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    private func expire(_ id: UUID) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.resume(returning: false)
    }
}

/// Watches a child's standard output for the line that says it is ready, and keeps draining it
/// afterwards (a full pipe would block the child), passing its lines on to this process's output.
final class ReadyLine: Sendable {
    let marker: String
    let latch = Latch()
    private let buffer = Mutex(Data())

    init(marker: String) {
        self.marker = marker
    }

    func feed(_ data: Data) {
        if latch.isOpen {
            FileHandle.standardOutput.write(data)
            return
        }
        let text = buffer.withLock { buffer -> String in
            buffer.append(data)
            if buffer.count > 1 << 16 { buffer.removeFirst(buffer.count - (1 << 16)) }
            return String(decoding: buffer, as: UTF8.self)
        }
        FileHandle.standardOutput.write(data)
        if text.contains(marker) { latch.open(true) }
    }

    func finish(_ result: Bool) { latch.open(result) }

    func wait(timeout: Duration) async -> Bool { await latch.wait(timeout: timeout) }
}
