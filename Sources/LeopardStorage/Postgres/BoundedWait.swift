import Synchronization

/// Waits for `task` to finish, but at most `limit`: returns whether it finished in time. The task
/// is left running when it did not (awaiting a `Task`'s value cannot be cancelled, so a task
/// group would wait for it all the same).
func waitAtMost(_ limit: Duration, for task: Task<Void, Never>) async -> Bool {
    let outcome = FirstOutcome()
    return await withCheckedContinuation { continuation in
        outcome.set(continuation)
        let timer = Task {
            try? await Task.sleep(for: limit)
            outcome.finish(false)
        }
        Task {
            await task.value
            timer.cancel()
            outcome.finish(true)
        }
    }
}

/// Resumes a waiter with whichever outcome comes first; later ones are ignored.
private final class FirstOutcome: Sendable {
    private let waiter = Mutex<CheckedContinuation<Bool, Never>?>(nil)

    func set(_ continuation: CheckedContinuation<Bool, Never>) {
        waiter.withLock { $0 = continuation }
    }

    func finish(_ value: Bool) {
        let waiting = waiter.withLock { waiter in
            let waiting = waiter
            waiter = nil
            return waiting
        }
        waiting?.resume(returning: value)
    }
}
