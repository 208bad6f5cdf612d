import Foundation
import LeopardCore
import LeopardStorage
import Logging

/// A validated signup.
public struct ProvisioningRequest: Sendable {
    public var storeName: String
    public var slug: Slug
    public var ownerEmail: EmailAddress
    /// A bcrypt hash of the owner's password, or nil for a one-time setup token.
    public var ownerPasswordHash: String?

    public init(storeName: String, slug: Slug, ownerEmail: EmailAddress, ownerPasswordHash: String?) {
        self.storeName = storeName
        self.slug = slug
        self.ownerEmail = ownerEmail
        self.ownerPasswordHash = ownerPasswordHash
    }
}

public struct ProvisioningResult: Sendable {
    public var tenant: Tenant
    public var setupToken: String?
    public var attempt: ProvisioningAttempt
}

/// A provisioning run that failed at `step` and was rolled back.
public struct ProvisioningFailed: Error, CustomStringConvertible {
    public let step: ProvisioningStep
    public let underlying: any Error
    public var description: String { "provisioning failed at \(step.rawValue): \(DatabaseErrors.summary(underlying))" }
}

/// The registry row left `provisioning` while the saga ran (someone else changed or removed it).
struct RowChanged: Error, CustomStringConvertible {
    let tenantID: String
    var description: String { "the registry row of \(tenantID) is no longer in provisioning" }
}

/// Creates stores: the provisioning saga. Every step that completed is undone, newest first,
/// when a later one fails; every attempt is written to the provisioning log.
public struct TenantProvisioner: Sendable {
    public typealias FaultInjector = @Sendable (ProvisioningStep) throws -> Void

    let registry: TenantRegistry
    let log: ProvisioningLog
    let databases: TenantDatabases
    let setup: StoreSetup
    /// Spare databases to claim instead of creating one; nil or empty means create.
    let pool: SparePool?
    let faultInjector: FaultInjector?
    /// Activations (each with its log entry), written in batches across signups.
    let activations: RequestBatcher<Activation, (Tenant, ProvisioningAttempt)>
    let logger: Logger

    /// A store to activate, and its log entry as of the moment the write runs.
    struct Activation: Sendable {
        let tenantID: String
        let attempt: @Sendable (ContinuousClock.Instant) -> ProvisioningAttempt
    }

    /// `faultInjector` is for tests only: it is called after each step's action and may throw to
    /// make that step fail. No HTTP route or command-line option reaches it.
    public init(registry: TenantRegistry, log: ProvisioningLog, databases: TenantDatabases, setup: StoreSetup, pool: SparePool? = nil,
                faultInjector: FaultInjector? = nil, logger: Logger = Logger(label: "leopard.provisioning")) {
        self.pool = pool
        self.registry = registry
        self.log = log
        self.databases = databases
        self.setup = setup
        self.faultInjector = faultInjector
        self.logger = logger
        let platform = registry.database
        self.activations = RequestBatcher { batch in await Self.activate(batch, platform: platform) }
    }

    /// One platform write for a batch of activations: one statement activates the stores still
    /// being provisioned, one writes their log entries. A store that left `provisioning`
    /// meanwhile gets `RowChanged`; the others go ahead.
    static func activate(_ batch: [Activation], platform: any DatabaseHandle) async -> [Result<(Tenant, ProvisioningAttempt), any Error>] {
        do {
            return try await platform.write { sql -> [Result<(Tenant, ProvisioningAttempt), any Error>] in
                let activated = try await TenantRegistry.activate(batch.map(\.tenantID), now: Date(), sql)
                let byID = Dictionary(activated.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                let now = ContinuousClock.now
                let results: [Result<(Tenant, ProvisioningAttempt), any Error>] = batch.map { activation in
                    guard let tenant = byID[activation.tenantID] else { return .failure(RowChanged(tenantID: activation.tenantID)) }
                    return .success((tenant, activation.attempt(now)))
                }
                try await ProvisioningLog.insert(results.compactMap { try? $0.get().1 }, sql)
                return results
            }
        } catch {
            return batch.map { _ in .failure(error) }
        }
    }

    public func provision(_ request: ProvisioningRequest) async throws -> ProvisioningResult {
        let clock = ContinuousClock()
        let started = clock.now
        let startedAt = Date()
        let provider = databases.provider
        let tenantID = Identifier.make("ten", date: startedAt)
        var timings: [ProvisioningAttempt.StepTiming] = []
        var undo: [(ProvisioningStep, @Sendable () async throws -> Void)] = []
        var tenant: Tenant?
        var succeeded: ProvisioningAttempt?
        var setupToken: String?
        var current = ProvisioningStep.reserveSlug

        /// `action` gets the step's start; `injectsOwnFault` says it calls the fault injector itself.
        func run(_ step: ProvisioningStep, injectsOwnFault: Bool = false, _ action: (ContinuousClock.Instant) async throws -> Void) async throws {
            current = step
            let stepStart = clock.now
            do {
                try await action(stepStart)
                if !injectsOwnFault { try faultInjector?(step) }
                timings.append(.init(step: step, microseconds: (clock.now - stepStart).microseconds, succeeded: true))
            } catch {
                timings.append(.init(step: step, microseconds: (clock.now - stepStart).microseconds, succeeded: false))
                throw error
            }
        }

        do {
            // On several PostgreSQL servers, the least-loaded one with room.
            var location = try await provider.place(try provider.plan(tenantID: tenantID))
            var reserved = Tenant(
                id: tenantID, slug: request.slug.value, storeName: request.storeName, ownerEmail: request.ownerEmail.value,
                status: .provisioning, database: location, createdAt: startedAt, updatedAt: startedAt
            )
            let registry = self.registry
            let databases = self.databases
            let setup = self.setup
            let pool = self.pool

            var claimedSpare = false
            try await run(.reserveSlug) { _ in
                // With a warm pool, the registry row is inserted already naming a spare database
                // when there is one (one platform write for both).
                // Spares are on the platform's own server: used when the store goes there.
                if let pool, location.pod == nil {
                    if let claimed = try await pool.reserve(reserved) {
                        location = claimed
                        claimedSpare = true
                    }
                } else {
                    do {
                        try await registry.reserve(reserved)
                    } catch is TenantRegistry.PodFull {
                        // Signups at the same moment filled the chosen pod: the platform's own
                        // server has no limit.
                        location.pod = nil
                        reserved.database.pod = nil
                        try await registry.reserve(reserved)
                    }
                }
                undo.append((.reserveSlug, { try await registry.remove(id: tenantID) }))
                if claimedSpare {
                    let spare = location
                    undo.append((.createDatabase, {
                        await databases.close(tenantID: tenantID)
                        // Not leased yet when a step before the schema failed: still held open
                        // as a spare here.
                        await databases.discardSpare(spare)
                        try await provider.drop(spare)
                    }))
                }
            }
            try await run(.createDatabase) { _ in
                guard !claimedSpare else { return }
                try await provider.create(location, migrator: setup.migrator)
                let created = location
                undo.append((.createDatabase, {
                    await databases.close(tenantID: tenantID)
                    try await provider.drop(created)
                }))
            }
            try await run(.migrateSchema) { _ in
                undo.append((.migrateSchema, { await databases.close(tenantID: tenantID) }))
                try await databases.withDatabase(tenantID: tenantID, location: location, justCreated: true) { _ in }
            }
            try await run(.createOwner) { _ in
                let owner = StoreSetup.Owner(storeName: request.storeName, email: request.ownerEmail.value, passwordHash: request.ownerPasswordHash)
                setupToken = try await databases.withDatabase(tenantID: tenantID, location: location) { db in
                    try await setup.createOwner(db, owner)
                }
            }
            // Activation and its log entry are one platform write, shared with the signups that
            // activate at the same moment (a burst queues for the platform's one writer). The
            // step's time (and the total) in the log are taken when the write runs. Nothing can
            // fail after it, so it needs no compensation.
            let stepsBefore = timings
            let slug = request.slug.value
            try await run(.markActive, injectsOwnFault: true) { stepStart in
                // Before the write: a failure injected here leaves the store unactivated.
                try faultInjector?(.markActive)
                let (active, attempt) = try await activations.submit(Activation(tenantID: tenantID) { now in
                    ProvisioningAttempt(
                        id: Identifier.make("prv"), tenantID: tenantID, slug: slug, succeeded: true, failedStep: nil, error: nil,
                        steps: stepsBefore + [.init(step: .markActive, microseconds: (now - stepStart).microseconds, succeeded: true)],
                        totalMicroseconds: (now - started).microseconds, startedAt: startedAt
                    )
                })
                tenant = active
                succeeded = attempt
            }
        } catch {
            let failedStep = current
            var message = DatabaseErrors.summary(error)
            var undoFailed = false
            for (step, compensation) in undo.reversed() {
                // When something could not be undone, keep the registry row (in `provisioning`,
                // never served): it is the record of where the leftovers are.
                if step == .reserveSlug, undoFailed { continue }
                do {
                    try await compensation()
                } catch {
                    logger.error("provisioning compensation failed", metadata: ["tenant": .string(tenantID), "step": .string(step.rawValue), "error": .string(DatabaseErrors.summary(error))])
                    message += "; undoing \(step.rawValue) failed: \(DatabaseErrors.summary(error))"
                    undoFailed = true
                }
            }
            let attempt = ProvisioningAttempt(
                id: Identifier.make("prv"), tenantID: tenantID, slug: request.slug.value, succeeded: false, failedStep: failedStep,
                error: message, steps: timings, totalMicroseconds: (clock.now - started).microseconds, startedAt: startedAt
            )
            await record(attempt)
            logger.warning("provisioning failed", metadata: ["tenant": .string(tenantID), "step": .string(failedStep.rawValue), "error": .string(message)])
            if error is TenantRegistry.SlugTaken { throw error }
            throw ProvisioningFailed(step: failedStep, underlying: error)
        }

        guard let tenant, let attempt = succeeded else { throw ProvisioningFailed(step: .markActive, underlying: RowChanged(tenantID: tenantID)) }
        logger.info("store created", metadata: ["tenant": .string(tenantID), "slug": .string(tenant.slug), "microseconds": .stringConvertible(attempt.totalMicroseconds)])
        return ProvisioningResult(tenant: tenant, setupToken: setupToken, attempt: attempt)
    }

    private func record(_ attempt: ProvisioningAttempt) async {
        do {
            try await log.record(attempt)
        } catch {
            logger.error("could not write the provisioning log", metadata: ["tenant": .string(attempt.tenantID), "error": .string(DatabaseErrors.summary(error))])
        }
    }
}

extension Duration {
    var microseconds: Int64 {
        let parts = components
        return parts.seconds * 1_000_000 + parts.attoseconds / 1_000_000_000_000
    }
}
