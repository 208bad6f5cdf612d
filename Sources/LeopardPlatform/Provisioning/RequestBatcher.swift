/// Runs requests that arrive together as one batch: while a batch is being handled, new requests
/// wait, and the next batch takes all of them (up to `maximumBatch`). `handle` gets the inputs in
/// arrival order and answers each with a result, in the same order.
///
/// For platform writes that many signups make at the same moment: one statement for many rows
/// costs about what one row costs (SQLite prepares every statement afresh; PostgreSQL pays a
/// round trip), so a burst of signups no longer queues one statement per signup.
actor RequestBatcher<Input: Sendable, Output: Sendable> {
    typealias Handler = @Sendable ([Input]) async -> [Result<Output, any Error>]

    private struct Request {
        let input: Input
        let continuation: CheckedContinuation<Output, any Error>
    }

    let maximumBatch: Int
    private let handle: Handler
    private var pending: [Request] = []
    private var draining = false

    init(maximumBatch: Int = 64, handle: @escaping Handler) {
        self.maximumBatch = max(1, maximumBatch)
        self.handle = handle
    }

    /// Requests waiting for the next batch.
    var waiting: Int { pending.count }

    func submit(_ input: Input) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            pending.append(Request(input: input, continuation: continuation))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maximumBatch))
            pending.removeFirst(batch.count)
            let results = await handle(batch.map(\.input))
            for (index, request) in batch.enumerated() {
                request.continuation.resume(with: index < results.count ? results[index] : .failure(BatchAnswerMissing()))
            }
        }
        draining = false
    }
}

/// A batch handler answered fewer requests than it was given (a programming error).
struct BatchAnswerMissing: Error, CustomStringConvertible {
    var description: String { "the batch handler gave no answer for this request" }
}
