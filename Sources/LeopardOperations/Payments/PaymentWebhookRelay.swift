import Foundation
import LeopardCore
import LeopardPayments
import LeopardPlatform
import LeopardStorage
import Logging

/// How the `test` provider reports outcomes: like a real provider, later, as a signed event
/// through the store's webhook receiver. Each event is first written to the store's
/// `provider_outbox` with the payment it is about; it is sent at once in the background and
/// forgotten once applied. Whatever a crash interrupts, the webhook worker's pass sends again
/// (the receiver de-duplicates by event id). `idle()` lets tests wait without sleeping.
actor PaymentWebhookRelay {
    /// Events younger than this are left to the in-process send.
    static let sweepAge: TimeInterval = 10
    static let giveUpAfter: TimeInterval = 24 * 3600

    private let databases: TenantDatabases
    private let providers: PaymentProviders
    private let tenants: WebhookTenants
    private let logger: Logger
    private var registered: Set<String> = []
    private var inFlight = 0
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    init(databases: TenantDatabases, providers: PaymentProviders, tenants: WebhookTenants, logger: Logger) {
        self.databases = databases
        self.providers = providers
        self.tenants = tenants
        self.logger = logger
    }

    /// Tells the providers of payments cancelled with an expired order (the test gateway needs
    /// nothing), as a cancelled order's are told; a late capture is refunded on arrival.
    func stop(_ payments: [Payments.Stopped], database: any DatabaseHandle) async {
        let cancellation = OrderCancellation(providers: providers, logger: logger)
        for payment in payments where payment.provider != TestGateway.name { await cancellation.stop(payment, database: database) }
    }

    /// Makes sure the worker's passes look into this store; called before its first event is
    /// written (the platform write happens once per store and process).
    func register(tenantID: String) async throws {
        guard !registered.contains(tenantID) else { return }
        try await tenants.add(tenantID: tenantID)
        registered.insert(tenantID)
    }

    /// Sends an already queued event in the background. Counted as under way from this call,
    /// so `idle()` cannot miss it.
    func send(_ event: Payments.PendingEvent, tenant: Tenant) {
        inFlight += 1
        Task {
            await self.deliver(event, tenant: tenant)
            self.finished()
        }
    }

    /// Sends the store's queued events that the in-process send has not (a crash, a restart).
    func flush(tenant: Tenant, now: Date = Date()) async {
        do {
            let pending = try await databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                try await Payments(database: database).pendingEvents(before: now.addingTimeInterval(-Self.sweepAge))
            }
            for event in pending {
                if event.createdAt < now.addingTimeInterval(-Self.giveUpAfter) {
                    // A day of failures will not end by itself: logged for the operator, dropped.
                    logger.error("queued provider event dropped after a day of failures", metadata: ["tenant": .string(tenant.id), "event": .string(event.id)])
                    try await databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                        try await Payments(database: database).eventDelivered(id: event.id)
                    }
                    continue
                }
                await deliver(event, tenant: tenant)
            }
        } catch {
            logger.error("queued provider events not read", metadata: ["tenant": .string(tenant.id), "error": .string(DatabaseErrors.summary(error))])
        }
    }

    private func deliver(_ event: Payments.PendingEvent, tenant: Tenant) async {
        do {
            try await databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                let payments = Payments(database: database)
                let secret = try await payments.webhookSecret(provider: event.provider)
                let header = WebhookSignature.header(for: event.body, secret: secret)
                do {
                    _ = try await PaymentWebhookReceiver(database: database, providers: providers, logger: logger).receive(
                        provider: event.provider, signature: header, body: event.body)
                } catch let problem as Problem where problem.status < 500 {
                    // Refused for good (it will not read better next time): logged and dropped.
                    logger.error(
                        "queued provider event refused",
                        metadata: ["tenant": .string(tenant.id), "event": .string(event.id), "status": .stringConvertible(problem.status)])
                }
                try await payments.eventDelivered(id: event.id)
            }
        } catch {
            logger.error(
                "test gateway webhook not applied; the worker will send it again",
                metadata: ["tenant": .string(tenant.id), "error": .string(String(describing: type(of: error)))])
        }
    }

    private func finished() {
        inFlight -= 1
        if inFlight == 0 {
            for waiter in idleWaiters { waiter.resume() }
            idleWaiters.removeAll()
        }
    }

    /// Returns once no delivery is under way.
    func idle() async {
        if inFlight == 0 { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }
}
