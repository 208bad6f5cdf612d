import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// A merchant's endpoint for tests: a real HTTP server on 127.0.0.1 that records what it gets
/// and answers 500 to the first `failures` requests.
actor WebhookReceiver {
    struct Received: Sendable {
        let headers: HTTPFields
        let body: Data

        func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
    }

    private(set) var received: [Received] = []
    private var failuresLeft: Int
    private var waiters: [(id: UUID, count: Int, continuation: CheckedContinuation<Void, Never>)] = []

    /// Whether `count` requests arrived within `limit` (the wait ends either way).
    func waitFor(_ count: Int, within limit: Duration) async -> Bool {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitFor(count) }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
        return received.count >= count
    }

    /// Returns once `count` requests have arrived, or when the test is cancelled (its time
    /// limit), so that a delivery that never comes fails the test instead of hanging it.
    func waitFor(_ count: Int) async {
        if received.count >= count { return }
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled { continuation.resume() } else { waiters.append((id, count, continuation)) }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: UUID) {
        waiters.removeAll { waiter in
            guard waiter.id == id else { return false }
            waiter.continuation.resume()
            return true
        }
    }

    init(failures: Int = 0) {
        failuresLeft = failures
    }

    func failNext(_ count: Int) { failuresLeft = count }

    func record(_ request: Received) -> HTTPResponse.Status {
        received.append(request)
        waiters.removeAll { waiter in
            guard received.count >= waiter.count else { return false }
            waiter.continuation.resume()
            return true
        }
        if failuresLeft > 0 {
            failuresLeft -= 1
            return .internalServerError
        }
        return .ok
    }

    /// Runs `body` with the receiver listening; passes its URL.
    func serve<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let status = await self.record(Received(headers: request.headers, body: Data(buffer: bytes)))
            return Response(status: status)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            guard let port = client.port else { throw CancellationError() }
            return try await body("http://127.0.0.1:\(port)/hook")
        }
    }
}
