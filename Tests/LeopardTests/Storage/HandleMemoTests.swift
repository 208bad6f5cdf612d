import Foundation
import LeopardStorage
import SQLKit
import Synchronization
import Testing

@Suite("Values memoized beside a database handle")
struct HandleMemoTests {
    @Test("reused while nothing is written, read again after a write, after the trust runs out, and never shared between handles")
    func memo() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try await SQLiteDatabaseHandle.open(path: directory.path("a.sqlite"))
        let second = try await SQLiteDatabaseHandle.open(path: directory.path("b.sqlite"))
        for (handle, value) in [(first, 1), (second, 2)] {
            try await handle.write { sql in
                try await sql.raw("CREATE TABLE t (v INTEGER NOT NULL)").run()
                try await sql.raw("INSERT INTO t (v) VALUES (\(bind: value))").run()
            }
        }
        let loads = Atomic<Int>(0)
        func read(_ handle: SQLiteDatabaseHandle, trust: Duration = .seconds(60)) async throws -> Int? {
            try await handle.memoized("t", trust: trust) {
                loads.add(1, ordering: .relaxed)
                return try await handle.read { try await $0.raw("SELECT v FROM t").first()?.decode(column: "v", as: Int.self) }
            }
        }
        #expect(try await read(first) == 1 && loads.load(ordering: .relaxed) == 1)
        #expect(try await read(first) == 1 && loads.load(ordering: .relaxed) == 1, "reused")
        #expect(try await read(second) == 2 && loads.load(ordering: .relaxed) == 2, "another handle reads its own")
        try await first.write { try await $0.raw("UPDATE t SET v = 3").run() }
        #expect(try await read(first) == 3 && loads.load(ordering: .relaxed) == 3, "a write through the handle is seen at once")
        #expect(try await read(first, trust: .zero) == 3 && loads.load(ordering: .relaxed) == 4, "past its trust, read again")
        #expect(try await read(second) == 2 && loads.load(ordering: .relaxed) == 4)
        await first.close()
        await second.close()
    }
}
