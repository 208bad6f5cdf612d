import Foundation
import LeopardCommerce
import LeopardCore
import LeopardPlatform
import Logging

/// A new store from a signup, for the API's `POST /api/tenants` and the signup page alike:
/// limited per client address, checked field by field, provisioned whole or not at all.
public struct StoreSignup: Sendable {
    let services: PlatformServices

    public init(services: PlatformServices) {
        self.services = services
    }

    public func signup(_ request: SignupRequest, clientAddress: String?, logger: Logger) async throws -> TenantResource {
        if let wait = try await services.signupLimiter.attempt(clientAddress ?? "local") {
            throw Problem.tooManyRequests(retryAfterSeconds: wait, detail: "Too many signups from this address; try again in \(wait) seconds.")
        }
        let valid = try request.validate()
        let hash = try await valid.password.asyncMap { try await services.passwordHasher.hash($0) }
        let start = ContinuousClock.now
        do {
            let result = try await services.provisioner.provision(
                ProvisioningRequest(storeName: valid.storeName, slug: valid.slug, ownerEmail: valid.email, ownerPasswordHash: hash)
            )
            services.metrics.provisioned(duration: .now - start)
            await services.directory.invalidate(id: result.tenant.id, slug: result.tenant.slug)
            await welcome(result, logger: logger)
            return TenantResource(result.tenant, configuration: services.configuration, setupToken: result.setupToken)
        } catch let failure as ProvisioningFailed {
            logger.error("signup failed", metadata: ["step": .string(failure.step.rawValue)])
            services.metrics.provisioningFailed(step: failure.step.rawValue)
            throw Problem.unavailable("The store could not be created just now, and nothing was kept. Please try again.", retryAfterSeconds: 5)
        }
    }

    /// Queues the owner's welcome mail with the store's links (and the link to choose a password
    /// when they signed up without one), and a link that confirms their address. The store exists either way: a mail that cannot be
    /// queued is logged, not a failed signup.
    private func welcome(_ result: ProvisioningResult, logger: Logger) async {
        let (tenant, sender) = (result.tenant, services.mailer.sender)
        do {
            try await services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                try await database.write { sql in
                    try await sender.send(.storeWelcome, to: tenant.ownerEmail, link: result.setupToken, now: Date(), on: sql)
                    try await StaffEmailVerification.queue(email: tenant.ownerEmail, mail: sender, now: Date(), on: sql)
                }
            }
            await services.webhookDispatcher.nudge(tenantID: tenant.id)
        } catch {
            logger.warning(
                "welcome mail not queued", metadata: ["tenant": .string(tenant.id), "error": .string(String(describing: error).prefix(200).description)])
        }
    }
}
