import Foundation
import LeopardPlatform
import LeopardStorage
import Testing

@testable import LeopardOperations
@testable import LeopardServer

extension PodTests {
    @Test(
        "a burst of signups fills a pod up to its limit, never past it; the rest go to the platform's own server",
        Self.needsSecondCluster, .timeLimit(.minutes(3)))
    func burstRespectsCapacity() async throws {
        try await withSecondCluster { _, podServer, platform, client in
            // Four stores on main first, so that the empty pod is where every signup of the
            // burst wants to go.
            for index in 0..<4 { _ = try await client.makeStore("Early Store \(index)") }
            _ = try await PodAdmin(services: platform.services.platform).add(name: "pod-b", url: url(podServer), maxStores: 3)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<8 {
                    group.addTask { Int(try await client.signup(storeName: "Burst Store \(index)").status.code) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 201, count: 8), "\(statuses)")
            let tenants = try await platform.services.registry.all()
            let onPod = tenants.filter { $0.database.pod == "pod-b" }
            #expect(onPod.count == 3, "exactly the pod's limit: \(tenants.map { $0.database.pod ?? "main" })")
            #expect(tenants.count == 12)
            for tenant in onPod { #expect(try await databaseExists(tenant.database.name, on: podServer)) }
        }
    }
}
