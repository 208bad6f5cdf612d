import Foundation
import Synchronization

/// A one-time signal between a child process's handlers (which run on Foundation's threads) and
/// async code: opened once with a result; waiters get it at once or when it opens, or `false`
/// when their timeout passes first.
public final class Latch: Sendable {
    private struct State {
        var result: Bool?
        var waiters: [UUID: CheckedContinuation<Bool, Never>] = [:]
        /// Waits whose timeout passed before they were registered (the timer starts first).
        var expired: Set<UUID> = []
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
    public func wait(timeout: Duration) async -> Bool {
        let id = UUID()
        let timer = Task {
            // Cancelled: the wait ended first, and there is nothing to expire.
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            self.expire(id)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool? in
                // The timer may have fired before this wait was registered.
                let expired = state.expired.remove(id) != nil
                if let result = state.result { return result }
                if expired { return false }
                state.waiters[id] = continuation
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    /// Ends a wait whose timeout passed: at once if it is registered; otherwise it is marked, and
    /// ends as it registers. Nothing is marked once the latch is open (every wait then ends at once).
    func expire(_ id: UUID) {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
            if state.result == nil { state.expired.insert(id) }
            return nil
        }
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

    public func wait(timeout: Duration) async -> Bool { await latch.wait(timeout: timeout) }
}
