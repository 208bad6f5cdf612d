import Synchronization
import Testing

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

/// Waits until `condition` holds, yielding between looks; a recorded failure (and a thrown
/// `TimedOut`) once `limit` has passed, so a condition that never comes fails the test instead of
/// hanging the run.
func waitUntil(
    _ what: String, within limit: Duration = .seconds(20), sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("waited \(limit) for \(what)", sourceLocation: sourceLocation)
            throw TimedOut(what: what)
        }
        await Task.yield()
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}
