import Testing

@testable import LeopardStorage

@Suite("Waiting for a task, at most so long")
struct BoundedWaitTests {
    @Test("a task that finishes is waited for")
    func finishes() async {
        let task = Task<Void, Never> { await Task.yield() }
        #expect(await waitAtMost(.seconds(30), for: task))
    }

    @Test("a task that does not finish is given up on, and keeps running")
    func givesUp() async {
        let gate = Gate()
        let task = Task<Void, Never> { await gate.wait() }
        #expect(await !waitAtMost(.milliseconds(20), for: task))
        #expect(!task.isCancelled, "left alone")
        await gate.open()
        await task.value
    }
}
