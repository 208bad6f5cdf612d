import Foundation
import LeopardPayments
import LeopardPlatform
import LeopardStorage
import Logging

/// How the `test` provider reports outcomes: like a real provider, later, as a signed event
/// through the store's webhook receiver. Deliveries run in the background; `idle()` lets tests
/// wait for them without sleeping.
actor PaymentWebhookRelay {
    private let databases: TenantDatabases
    private let logger: Logger
    private var inFlight = 0
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    init(databases: TenantDatabases, logger: Logger) {
        self.databases = databases
        self.logger = logger
    }

    /// Sends `body` to the store's receiver for `provider`, signed with the store's secret, in
    /// the background. Counted as under way from this call, so `idle()` cannot miss it.
    func send(_ body: Data, provider: String, tenant: Tenant) {
        inFlight += 1
        Task { await self.deliver(body, provider: provider, tenant: tenant) }
    }

    private func deliver(_ body: Data, provider: String, tenant: Tenant) async {
        do {
            _ = try await databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                let secret = try await Payments(database: database).webhookSecret(provider: provider)
                let header = WebhookSignature.header(for: body, secret: secret)
                return try await PaymentWebhookReceiver(database: database).receive(provider: provider, signature: header, body: body)
            }
        } catch {
            logger.error("test gateway webhook not applied", metadata: ["tenant": .string(tenant.id), "error": .string(String(describing: type(of: error)))])
        }
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
