import ArgumentParser
import Foundation
import LeopardCommerce
import LeopardCore
import LeopardOperations
import LeopardPlatform
import LeopardServer
import Logging

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure the platform on this machine.", subcommands: [ProvisionBench.self, DedicatedBench.self])
}

/// Creates stores through the provisioning saga and reports latency percentiles. The owner's
/// bcrypt hash is made once, timed on its own line, and reused, so the numbers are the
/// platform's work: registry, database clone, schema check, owner row, activation, log.
struct ProvisionBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "provision", abstract: "Provisioning latency: sequential or concurrent signups.")

    @Option(help: "How many stores to create.") var count: Int = 200
    @Option(help: "How many signups run at once.") var concurrency: Int = 1
    @Option(help: ArgumentHelp("postgres://… to measure PostgreSQL; absent means SQLite.", valueName: "url"))
    var databaseURL: String?
    @Option(help: ArgumentHelp("Data directory (default: a new temporary one, removed afterwards).", valueName: "dir"))
    var dataDir: String?
    @Option(help: "bcrypt cost of the owner's password.") var bcryptCost: Int = Int(PasswordHasher.defaultCost)
    @Option(help: "Spare store databases made before the timing starts (the warm pool).") var spareStores: Int = 0

    func run() async throws {
        guard count > 0, concurrency > 0, (4...31).contains(bcryptCost) else {
            throw ValidationError("count and concurrency must be positive; bcrypt cost 4-31")
        }
        let temporary = dataDir == nil
        let directory = URL(fileURLWithPath: dataDir ?? NSTemporaryDirectory() + "leopard-bench-\(UUID().uuidString)", isDirectory: true)
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory
        configuration.databaseURL = databaseURL
        configuration.signupRateLimit = 0
        configuration.maxOpenTenants = max(256, concurrency * 2)
        configuration.spareStores = spareStores
        var logger = Logger(label: "leopard.bench")
        logger.logLevel = .warning
        let services = try await LeopardServices.start(configuration, logger: logger)
        await services.sparePool.fill()

        let hasher = PasswordHasher(cost: UInt8(bcryptCost))
        let clock = ContinuousClock()
        var hashTimes: [Double] = []
        var passwordHash = ""
        for _ in 0..<3 {
            let start = clock.now
            passwordHash = try await hasher.hash("correct horse battery")
            hashTimes.append((clock.now - start).milliseconds)
        }

        let runTag = String(UUID().uuidString.prefix(6)).lowercased()
        let wallStart = clock.now
        let samples = try await withThrowingTaskGroup(of: (Double, [ProvisioningAttempt.StepTiming]).self) { group in
            var results: [(Double, [ProvisioningAttempt.StepTiming])] = []
            var next = 0
            func submit(_ index: Int) {
                let hash = passwordHash
                group.addTask {
                    let request = ProvisioningRequest(
                        storeName: "Bench \(index)",
                        slug: try Slug(validating: "bench-\(runTag)-\(index)"),
                        ownerEmail: EmailAddress("owner\(index)@bench.test")!,
                        ownerPasswordHash: hash
                    )
                    let start = clock.now
                    let result = try await services.provisioner.provision(request)
                    return ((clock.now - start).milliseconds, result.attempt.steps)
                }
            }
            while next < min(concurrency, count) {
                submit(next)
                next += 1
            }
            while let result = try await group.next() {
                results.append(result)
                if next < count {
                    submit(next)
                    next += 1
                }
            }
            return results
        }
        let wall = (clock.now - wallStart).milliseconds

        let latencies = samples.map(\.0).sorted()
        print("storage: \(configuration.storage.rawValue)  stores: \(count)  concurrency: \(concurrency)  spares ready: \(spareStores)")
        print(
            String(
                format: "provisioning ms: p50 %.1f  p95 %.1f  p99 %.1f  mean %.1f  max %.1f", percentile(latencies, 0.50), percentile(latencies, 0.95),
                percentile(latencies, 0.99), latencies.reduce(0, +) / Double(latencies.count), latencies.last ?? 0))
        print(String(format: "throughput: %.1f stores/s (%.0f ms wall)", Double(count) / (wall / 1000), wall))
        for step in ProvisioningStep.allCases {
            let times = samples.compactMap { $0.1.first(where: { $0.step == step }).map { Double($0.microseconds) / 1000 } }.sorted()
            print(String(format: "  step %-16@ p50 %.2f ms  p95 %.2f ms", step.rawValue as NSString, percentile(times, 0.5), percentile(times, 0.95)))
        }
        print(String(format: "bcrypt cost %d (owner password, not in the numbers above): median %.0f ms", bcryptCost, hashTimes.sorted()[hashTimes.count / 2]))

        await services.shutdown()
        if temporary { try? FileManager.default.removeItem(at: directory) }
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    func percentile(_ sorted: [Double], _ p: Double) -> Double { Self.percentile(sorted, p) }
}

/// Dedicated-instance cold start: from spawning `leopard serve --tenant ID` to its first answer
/// through the platform's starter (ready line, health check, one signed `GET /api/store`),
/// then stopped again, `runs` times. SQLite in a temporary data directory.
struct DedicatedBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dedicated", abstract: "Time a dedicated store instance's cold start.")

    @Option(help: "How many cold starts.") var runs: Int = 20

    func run() async throws {
        guard runs > 0 else { throw ValidationError("--runs must be positive") }
        let directory = URL(fileURLWithPath: NSTemporaryDirectory() + "leopard-bench-\(UUID().uuidString)", isDirectory: true)
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory
        configuration.spareStores = 0
        configuration.passwordHashCost = 4
        var logger = Logger(label: "leopard.bench")
        logger.logLevel = .warning
        configuration.logLevel = .warning
        let services = try await LeopardServices.start(configuration, logger: logger)
        let created = try await services.provisioner.provision(
            ProvisioningRequest(
                storeName: "Dedicated Bench", slug: try Slug(validating: "dedicated-bench"), ownerEmail: EmailAddress("owner@bench.test")!,
                ownerPasswordHash: nil))
        guard let tenant = try await services.registry.setDedicated(id: created.tenant.id, true) else { throw ValidationError("the store vanished") }
        let clock = ContinuousClock()
        var times: [Double] = []
        for _ in 0..<runs {
            await services.dedicatedInstances.stop(tenantID: tenant.id)
            let start = clock.now
            let status = try await services.dedicatedInstances.firstResponse(for: tenant)
            times.append((clock.now - start).milliseconds)
            guard status == 200 else { throw ValidationError("the instance answered \(status)") }
        }
        var warm: [Double] = []
        for _ in 0..<200 {
            let start = clock.now
            _ = try await services.dedicatedInstances.firstResponse(for: tenant)
            warm.append((clock.now - start).milliseconds)
        }
        await services.shutdown()
        try? FileManager.default.removeItem(at: directory)
        let sorted = times.sorted()
        let warmSorted = warm.sorted()
        let p = ProvisionBench.percentile
        print("dedicated instance cold start (spawn to first answer), \(runs) runs")
        print(String(format: "cold start ms: p50 %.1f  p95 %.1f  max %.1f", p(sorted, 0.5), p(sorted, 0.95), sorted.last ?? 0))
        print(String(format: "warm signed GET /api/store ms: p50 %.2f  p99 %.2f", p(warmSorted, 0.5), p(warmSorted, 0.99)))
    }
}

extension Duration {
    var milliseconds: Double {
        let parts = components
        return Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
    }
}
