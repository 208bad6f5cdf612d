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
public actor WebhookDispatcher {
    static let timeout: Duration = .seconds(10)

    private let databases: TenantDatabases
    private let directory: TenantDirectory
    private let tenants: WebhookTenants
    private let secrets: SecretBox
    private let transport: any WebhookTransport
    private let relay: PaymentWebhookRelay
    private let mailer: StoreMailer?
    private let logger: Logger
    private let metrics: PlatformMetrics?
    /// Told when orders expire here, without a request, so the operator's reports follow.
    private let usage: UsageLedger?
    private var wakeUp: CheckedContinuation<Void, Never>?
    private var woken = false

    init(
        databases: TenantDatabases, directory: TenantDirectory, tenants: WebhookTenants, secrets: SecretBox, transport: any WebhookTransport,
        relay: PaymentWebhookRelay, mailer: StoreMailer? = nil,
        metrics: PlatformMetrics? = nil, usage: UsageLedger? = nil, logger: Logger
    ) {
        self.usage = usage
        self.mailer = mailer
        self.metrics = metrics
        self.relay = relay
        self.databases = databases
        self.directory = directory
        self.tenants = tenants
        self.secrets = secrets
        self.transport = transport
        self.logger = logger
    }

    /// When each known store is next looked into. A store is looked into when something may be
    /// due: at its next delivery's time, soon after a provider event was queued, at once when a
    /// write request through this process nudges it, and at least every `idleRecheck`
    /// (deliveries queued through another instance).
    private var schedule: [String: Date] = [:]
    private var listedAt: Date?
    static let idleRecheck: TimeInterval = 60
    static let relist: TimeInterval = 30
    static let concurrentStores = 8

    /// One pass over the stores whose time has come (every listed store when `everything`);
    /// returns how many deliveries were attempted.
    @discardableResult
    func runPass(everything: Bool = false, now: @escaping @Sendable () -> Date = { Date() }) async -> Int {
        let start = now()
        if everything || listedAt.map({ start.timeIntervalSince($0) >= Self.relist }) ?? true {
            do {
                let listed = Set(try await tenants.all())
                registered = listed
                for id in listed where schedule[id] == nil { schedule[id] = start }
                // A store nudged since (its first write: not listed yet) waits for its visit.
                for id in schedule.keys where !listed.contains(id) && schedule[id] != .distantPast { schedule[id] = nil }
                listedAt = start
            } catch {
                logger.error("webhook worker could not list stores", metadata: ["error": .string(DatabaseErrors.summary(error))])
            }
        }
        let due = schedule.filter { everything || $0.value <= start }.keys.sorted()
        // Marked taken in this same turn, before any visit starts: a nudge that arrives from now
        // on sets the distant past again and wins at the end of the visit. (Marking it in the
        // visit itself could overwrite a nudge that came between this pass and the visit.)
        for id in due { schedule[id] = .distantFuture }
        var attempted = 0
        await withTaskGroup(of: (String, Int, Date).self) { group in
            var next = due.makeIterator()
            func addNext() {
                guard let id = next.next() else { return }
                group.addTask { await self.visit(tenantID: id, now: now) }
            }
            for _ in 0..<Self.concurrentStores { addNext() }
            while let (id, sent, nextCheck) = await group.next() {
                attempted += sent
                // A nudge during the visit (distant past) wins over the computed time.
                if let current = schedule[id] { schedule[id] = min(current, nextCheck) }
                addNext()
            }
        }
        return attempted
    }

    /// Delivers what is due in one store; returns when to look again.
    private func visit(tenantID: String, now: @escaping @Sendable () -> Date) async -> (String, Int, Date) {
        let sent = await deliverDue(tenantID: tenantID, now: now)
        var next = now().addingTimeInterval(Self.idleRecheck)
        if let tenant = try? await directory.tenant(id: tenantID), tenant.status == .active {
            await register(tenantID)
            let due = try? await databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database -> Date? in
                let deliveries = try await WebhookQueue(database: database).nextDue()
                let events =
                    try await Payments(database: database).pendingEvents(before: .distantFuture, limit: 1).isEmpty
                    ? nil : now().addingTimeInterval(PaymentWebhookRelay.sweepAge)
                let mail = try await MailQueue(database: database).nextDue()
                let expiry = try await Payments(database: database).nextExpiry()
                return [deliveries, events, mail, expiry].compactMap { $0 }.min()
            }
            if let due = due ?? nil { next = min(next, max(due, now())) }
        }
        return (tenantID, sent, next)
    }

    /// Sends what is due in one store, batch after batch, until nothing is due, and then its due
    /// mail; returns how many webhook deliveries were attempted.
    @discardableResult
    func deliverDue(tenantID: String, now: @escaping @Sendable () -> Date = { Date() }) async -> Int {
        var attempted = 0
        do {
            // A store being moved takes no writes: its deliveries wait for the move to end.
            guard let tenant = try await directory.tenant(id: tenantID), tenant.status == .active, !tenant.isReadOnly else { return 0 }
            await relay.flush(tenant: tenant, now: now())
            // Unpaid card orders past their reservation give their stock back (and queue
            // order.expired, sent below in this visit).
            await expire(tenant: tenant, now: now)
            for _ in 0..<50 {
                let jobs = try await databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                    try await WebhookQueue(database: database).claim(now: now())
                }
                if jobs.isEmpty { break }
                // Each outcome is recorded as soon as it is known, so a 2xx is never left waiting
                // for a slow neighbour (or a crash) and sent again when its lease runs out.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for job in jobs {
                        group.addTask {
                            let outcome = await self.send(job, tenant: tenant, now: now())
                            if case .acknowledged = outcome {
                                self.metrics?.webhookDelivery(succeeded: true)
                            } else {
                                self.metrics?.webhookDelivery(succeeded: false)
                            }
                            try await self.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                                try await WebhookQueue(database: database).complete(job, outcome: outcome, now: now())
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                attempted += jobs.count
            }
        } catch {
            logger.error("webhook deliveries not processed", metadata: ["tenant": .string(tenantID), "error": .string(DatabaseErrors.summary(error))])
        }
        await deliverMail(tenantID: tenantID, now: now)
        return attempted
    }

    /// Expires the store's unpaid card orders that are due, and tells the providers of payments
    /// abandoned with them. A failure here is logged and leaves the visit's deliveries to go on.
    private func expire(tenant: Tenant, now: @escaping @Sendable () -> Date) async {
        do {
            let (expired, stopped) = try await databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                try await Payments(database: database).expireDue(now: now())
            }
            if expired > 0 { usage?.markChanged(tenantID: tenant.id) }
            guard !stopped.isEmpty else { return }
            try await databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                await relay.stop(stopped, database: database)
            }
        } catch {
            logger.error("orders not expired", metadata: ["tenant": .string(tenant.id), "error": .string(DatabaseErrors.summary(error))])
        }
    }

    /// Sends a store's due mail (the same visit as its webhooks: one loop, one schedule);
    /// returns how many mails were attempted.
    @discardableResult
    func deliverMail(tenantID: String, now: @escaping @Sendable () -> Date = { Date() }) async -> Int {
        guard let mailer else { return 0 }
        do {
            guard let tenant = try await directory.tenant(id: tenantID), tenant.status == .active, !tenant.isReadOnly else { return 0 }
            return try await mailer.deliverDue(tenant: tenant, databases: databases, now: now)
        } catch {
            logger.error("mail not processed", metadata: ["tenant": .string(tenantID), "error": .string(DatabaseErrors.summary(error))])
            return 0
        }
    }

    /// The request for one delivery. The body is the same on every attempt; the signature's
    /// time is the attempt's.
    public nonisolated func request(for job: WebhookQueue.Job, tenant: Tenant, secret: String, now: Date) -> (headers: [(String, String)], body: Data) {
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
        } catch let refused as WebhookAddressGuard.Refused {
            return .failed(statusCode: nil, error: refused.description)
        } catch {
            return .failed(statusCode: nil, error: "no answer: \(String(describing: error).prefix(200))")
        }
    }

    // MARK: Background loop

    /// Asks for a store to be looked into on the next pass (a write through this process may have
    /// queued mail or a delivery); wakes the loop.
    public func nudge(tenantID: String) {
        schedule[tenantID] = .distantPast
        wake()
    }

    /// The stores in the platform's list; a store this process looks into that is not there yet
    /// (its first write since mail began) is added, so that mail it queued is found after a
    /// restart or by another instance.
    private var registered: Set<String> = []

    private func register(_ tenantID: String) async {
        guard !registered.contains(tenantID) else { return }
        do {
            try await tenants.add(tenantID: tenantID)
            registered.insert(tenantID)
        } catch {
            logger.warning("store not recorded for mail", metadata: ["tenant": .string(tenantID), "error": .string(DatabaseErrors.summary(error))])
        }
    }

    /// Learns of a store that has just become one to look into (its first endpoint or payment).
    public func watch(tenantID: String) {
        schedule[tenantID] = .distantPast
        wake()
    }

    private func wake() {
        if let wakeUp {
            self.wakeUp = nil
            wakeUp.resume()
        } else {
            woken = true
        }
    }

    /// Waits for a nudge, `interval`, or cancellation (shutdown), whichever comes first.
    func pause(_ interval: Duration) async {
        if woken || Task.isCancelled {
            woken = false
            return
        }
        let timer = Task { [weak self] in
            // Cancelled when the pause ends otherwise: then it must not wake the next one.
            guard (try? await Task.sleep(for: interval)) != nil else { return }
            await self?.wake()
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // Checked again here: a wake that came after the check above (had anything
                // suspended in between) must not be left waiting for the timer.
                if Task.isCancelled || woken { continuation.resume() } else { wakeUp = continuation }
            }
        } onCancel: {
            Task { await self.wake() }
        }
        woken = false
        timer.cancel()
    }
}

/// The JSON a merchant's endpoint receives.
enum WebhookEnvelope {
    public static func body(job: WebhookQueue.Job, storeID: String, storeSlug: String) -> String {
        func quoted(_ text: String) -> String {
            String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
        }
        return """
            {"id":\(quoted(job.eventID)),"type":\(quoted(job.topic)),"createdAt":\(quoted(job.eventCreatedAt)),\
            "store":{"id":\(quoted(storeID)),"slug":\(quoted(storeSlug))},"data":{"object":\(job.payloadJSON)}}
            """
    }
}
