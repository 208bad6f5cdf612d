import Foundation
import LeopardCommerce
import LeopardCore
import LeopardPayments
import LeopardPlatform
import LeopardStorage
import Logging

/// Sends merchants' webhooks from every store's outbox. A pass looks into the stores that have
/// endpoints or take test payments (the platform's `webhook_tenants`), sends their queued
/// provider events that were not sent at once (see `PaymentWebhookRelay`), claims what is due, sends it signed
/// with the endpoint's secret, and records the outcome. Database handles are held only to claim
/// and to record, never while waiting on a merchant's server.
actor WebhookDispatcher {
    static let timeout: Duration = .seconds(10)

    private let databases: TenantDatabases
    private let directory: TenantDirectory
    private let tenants: WebhookTenants
    private let secrets: SecretBox
    private let transport: any WebhookTransport
    private let relay: PaymentWebhookRelay
    private let logger: Logger
    private var wakeUp: CheckedContinuation<Void, Never>?
    private var woken = false

    init(databases: TenantDatabases, directory: TenantDirectory, tenants: WebhookTenants, secrets: SecretBox, transport: any WebhookTransport, relay: PaymentWebhookRelay, logger: Logger) {
        self.relay = relay
        self.databases = databases
        self.directory = directory
        self.tenants = tenants
        self.secrets = secrets
        self.transport = transport
        self.logger = logger
    }

    /// One pass over every store with endpoints; returns how many deliveries were attempted.
    @discardableResult
    func runPass(now: @escaping @Sendable () -> Date = { Date() }) async -> Int {
        let ids: [String]
        do {
            ids = try await tenants.all()
        } catch {
            logger.error("webhook worker could not list stores", metadata: ["error": .string(DatabaseErrors.summary(error))])
            return 0
        }
        var attempted = 0
        for id in ids {
            attempted += await deliverDue(tenantID: id, now: now)
        }
        return attempted
    }

    /// Sends what is due in one store, batch after batch, until nothing is due.
    @discardableResult
    func deliverDue(tenantID: String, now: @escaping @Sendable () -> Date = { Date() }) async -> Int {
        var attempted = 0
        do {
            guard let tenant = try await directory.tenant(id: tenantID), tenant.status == .active else { return 0 }
            await relay.flush(tenant: tenant, now: now())
            for _ in 0..<50 {
                let jobs = try await databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                    try await WebhookQueue(database: database).claim(now: now())
                }
                if jobs.isEmpty { break }
                let outcomes = await withTaskGroup(of: (WebhookQueue.Job, WebhookQueue.Outcome).self) { group in
                    for job in jobs {
                        group.addTask { (job, await self.send(job, tenant: tenant, now: now())) }
                    }
                    var outcomes: [(WebhookQueue.Job, WebhookQueue.Outcome)] = []
                    for await outcome in group { outcomes.append(outcome) }
                    return outcomes
                }
                try await databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                    let queue = WebhookQueue(database: database)
                    for (job, outcome) in outcomes {
                        try await queue.complete(job, outcome: outcome, now: now())
                    }
                }
                attempted += jobs.count
            }
        } catch {
            logger.error("webhook deliveries not processed", metadata: ["tenant": .string(tenantID), "error": .string(DatabaseErrors.summary(error))])
        }
        return attempted
    }

    /// The request for one delivery. The body is the same on every attempt; the signature's
    /// time is the attempt's.
    nonisolated func request(for job: WebhookQueue.Job, tenant: Tenant, secret: String, now: Date) -> (headers: [(String, String)], body: Data) {
        let body = Data(WebhookEnvelope.body(job: job, storeID: tenant.id, storeSlug: tenant.slug).utf8)
        let headers = [
            ("Content-Type", "application/json"),
            ("User-Agent", "Leopard-Webhooks/1.0"),
            ("X-Leopard-Signature", WebhookSignature.header(for: body, secret: secret, time: now)),
            ("X-Leopard-Event", job.topic),
            ("X-Leopard-Event-Id", job.eventID),
            ("X-Leopard-Delivery-Id", job.deliveryID),
            ("X-Leopard-Attempt", String(job.attempt)),
            ("X-Leopard-Store", tenant.slug),
        ]
        return (headers, body)
    }

    nonisolated func send(_ job: WebhookQueue.Job, tenant: Tenant, now: Date) async -> WebhookQueue.Outcome {
        let secret: String
        do {
            secret = try secrets.open(job.sealedSecret)
        } catch {
            return .failed(statusCode: nil, error: "the endpoint's signing secret cannot be opened")
        }
        let (headers, body) = request(for: job, tenant: tenant, secret: secret, now: now)
        do {
            let status = try await transport.post(url: job.url, headers: headers, body: body, timeout: Self.timeout)
            if (200..<300).contains(status) { return .acknowledged(statusCode: status) }
            return .failed(statusCode: status, error: "the endpoint answered \(status)")
        } catch {
            return .failed(statusCode: nil, error: "no answer: \(String(describing: error).prefix(200))")
        }
    }

    // MARK: Background loop

    /// Wakes the loop now (a store queued something through this process).
    func nudge() {
        if let wakeUp {
            self.wakeUp = nil
            wakeUp.resume()
        } else {
            woken = true
        }
    }

    /// Waits for a nudge or `interval`, whichever comes first.
    func pause(_ interval: Duration) async {
        if woken {
            woken = false
            return
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: interval)
            await self?.nudge()
        }
        await withCheckedContinuation { wakeUp = $0 }
        woken = false
        timer.cancel()
    }
}

/// The JSON a merchant's endpoint receives.
enum WebhookEnvelope {
    static func body(job: WebhookQueue.Job, storeID: String, storeSlug: String) -> String {
        func quoted(_ text: String) -> String {
            String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
        }
        return """
            {"id":\(quoted(job.eventID)),"type":\(quoted(job.topic)),"createdAt":\(quoted(job.eventCreatedAt)),\
            "store":{"id":\(quoted(storeID)),"slug":\(quoted(storeSlug))},"data":{"object":\(job.payloadJSON)}}
            """
    }
}
