import Synchronization

/// Runs `body` in a task of its own and returns its result, or nil when it has not finished
/// within `limit`: for tests of code that must not hang, which then fail instead of hanging the
/// whole run (a task stuck in a driver does not answer cancellation, so a task group would wait
/// for it). The stuck task is left behind.
func finishes<T: Sendable>(within limit: Duration, _ body: @escaping @Sendable () async throws -> T) async -> Result<T, any Error>? {
    let once = Once()
    return await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, any Error>?, Never>) in
        let decide: @Sendable (Result<T, any Error>?) -> Void = { outcome in
            if once.first() { continuation.resume(returning: outcome) }
        }
        Task {
            do { decide(.success(try await body())) } catch { decide(.failure(error)) }
        }
        Task {
            try? await Task.sleep(for: limit)
            decide(nil)
        }
    }
}

/// True for the first caller only.
private final class Once: Sendable {
    private let taken = Mutex(false)

    func first() -> Bool {
        taken.withLock { taken in
            defer { taken = true }
            return !taken
        }
    }
}
