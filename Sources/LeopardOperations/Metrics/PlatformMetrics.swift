import Foundation
import LeopardStorage
import Prometheus

/// The platform's Prometheus metrics, in a registry of its own (not swift-metrics' process-wide
/// bootstrap, which can happen once per process: tests run many platforms in one process, and
/// each must count only its own). `GET /metrics` renders it; gauges that describe the present
/// (store databases open, resident memory) are read when it is rendered.
public final class PlatformMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]
    static let provisioningBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    init() {}

    /// One answered HTTP request. `route` is the route's template (`/api/products/:product`),
    /// never the path itself, so that the number of series stays bounded.
    public func request(method: String, route: String, status: Int, duration: Duration) {
        let labels = [("method", method), ("route", route), ("status", String(status))]
        registry.makeCounter(
            descriptor: .init(
                namespace: "leopard", metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered, by method, route template and status."),
            labels: labels
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(
                namespace: "leopard", metricName: "http_request_duration", unitName: "seconds",
                helpText: "Time to answer an HTTP request, by method and route template."),
            labels: [("method", method), ("route", route)], buckets: Self.latencyBuckets
        ).record(duration)
    }

    func provisioned(duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: .init(
                namespace: "leopard", metricName: "provisioning_duration", unitName: "seconds", helpText: "Time to create a store, signup to ready."),
            labels: [], buckets: Self.provisioningBuckets
        ).record(duration)
    }

    func provisioningFailed(step: String) {
        registry.makeCounter(
            descriptor: .init(
                namespace: "leopard", metricName: "provisioning_failures", unitName: "total",
                helpText: "Store creations that failed and were rolled back, by the step that failed."),
            labels: [("step", step)]
        ).increment()
    }

    func orderCreated() {
        registry.makeCounter(
            descriptor: .init(namespace: "leopard", metricName: "orders_created", unitName: "total", helpText: "Orders placed, over all stores."),
            labels: []
        ).increment()
    }

    func paymentFailed(provider: String, reason: String) {
        registry.makeCounter(
            descriptor: .init(
                namespace: "leopard", metricName: "payment_failures", unitName: "total",
                helpText: "Payments declined or not completed by the provider, by provider and reason."),
            labels: [("provider", provider), ("reason", reason)]
        ).increment()
    }

    func changeFeedOutage() {
        registry.makeCounter(
            descriptor: .init(
                namespace: "leopard", metricName: "tenant_change_feed_outages", unitName: "total",
                helpText: "Times this instance lost the registry's change feed (a platform database restart, a dropped connection)."),
            labels: []
        ).increment()
    }

    func webhookDelivery(succeeded: Bool) {
        registry.makeCounter(
            descriptor: .init(
                namespace: "leopard", metricName: "webhook_deliveries", unitName: "total", helpText: "Merchant webhook delivery attempts, by outcome."),
            labels: [("outcome", succeeded ? "delivered" : "failed")]
        ).increment()
    }

    public func backup(succeeded: Bool) {
        registry.makeCounter(
            descriptor: .init(namespace: "leopard", metricName: "backups", unitName: "total", helpText: "Scheduled store backups, by outcome."),
            labels: [("outcome", succeeded ? "succeeded" : "failed")]
        ).increment()
        if succeeded {
            registry.makeGauge(
                descriptor: .init(
                    namespace: "leopard", metricName: "last_backup", unitName: "timestamp_seconds", helpText: "When a store backup last succeeded (Unix time)."),
                labels: []
            ).set(Date().timeIntervalSince1970)
        }
    }

    /// The exposition text, with the gauges of the moment.
    public func render(databases: TenantDatabases, changeFeed: TenantChangeFeed? = nil) async -> [UInt8] {
        let stats = await databases.stats()
        if let changeFeed {
            let up: Double = await changeFeed.state == .listening ? 1 : 0
            registry.makeGauge(
                descriptor: .init(
                    namespace: "leopard", metricName: "tenant_change_feed_up", unitName: "",
                    helpText: "1 while this instance hears registry changes as they happen, 0 while it relies on look-up lifetimes."),
                labels: []
            ).set(up)
        }
        func gauge(_ name: String, _ help: String, _ value: Int) {
            registry.makeGauge(descriptor: .init(namespace: "leopard", metricName: name, unitName: "", helpText: help), labels: []).set(Double(value))
        }
        gauge("tenant_databases_open", "Store databases open now.", stats.open)
        gauge("tenant_databases_in_use", "Store databases a request is using now.", stats.inUse)
        gauge("tenant_databases_capacity", "Store databases that may be open at once.", stats.capacity)
        gauge("tenant_database_hits_total", "Requests that found their store's database open.", stats.hits)
        gauge("tenant_database_misses_total", "Requests that had to open their store's database.", stats.misses)
        gauge("tenant_database_evictions_total", "Idle store databases closed to make room.", stats.evictions)
        if let resident = Self.residentBytes() {
            registry.makeGauge(
                descriptor: .init(metricName: "process_resident_memory", unitName: "bytes", helpText: "Resident memory of this process."), labels: []
            ).set(Double(resident))
        }
        return registry.emitToBuffer()
    }

    /// Resident set size from `/proc/self/statm` (Linux), nil elsewhere.
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
