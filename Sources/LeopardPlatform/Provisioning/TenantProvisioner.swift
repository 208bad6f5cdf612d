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
    public init(
        registry: TenantRegistry, log: ProvisioningLog, databases: TenantDatabases, setup: StoreSetup, pool: SparePool? = nil,
        faultInjector: FaultInjector? = nil, logger: Logger = Logger(label: "leopard.provisioning")
    ) {
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
        let started = ContinuousClock.now
        let startedAt = Date()
        let provider = databases.provider
        let tenantID = Identifier.make("ten", date: startedAt)
        let steps = ProvisioningSteps(faultInjector: faultInjector)
        var tenant: Tenant?
        var succeeded: ProvisioningAttempt?
        var setupToken: String?

        do {
            // On several PostgreSQL servers, the least-loaded one with room.
            var location = try await provider.place(try provider.plan(tenantID: tenantID))
            let reserved = Tenant(
                id: tenantID, slug: request.slug.value, storeName: request.storeName, ownerEmail: request.ownerEmail.value,
                status: .provisioning, database: location, createdAt: startedAt, updatedAt: startedAt
            )
            let registry = self.registry
            let databases = self.databases
            let setup = self.setup

            var claimedSpare = false
            try await steps.run(.reserveSlug) { _ in
                (location, claimedSpare) = try await reserve(reserved)
                steps.undo(.reserveSlug) { try await registry.remove(id: tenantID) }
                if claimedSpare {
                    let spare = location
                    steps.undo(.createDatabase) {
                        await databases.close(tenantID: tenantID)
                        // Not leased yet when a step before the schema failed: still held open
                        // as a spare here.
                        await databases.discardSpare(spare)
                        try await provider.drop(spare)
                    }
                }
            }
            try await steps.run(.createDatabase) { _ in
                guard !claimedSpare else { return }
                try await provider.create(location, migrator: setup.migrator)
                let created = location
                steps.undo(.createDatabase) {
                    await databases.close(tenantID: tenantID)
                    try await provider.drop(created)
                }
            }
            try await steps.run(.migrateSchema) { _ in
                steps.undo(.migrateSchema) { await databases.close(tenantID: tenantID) }
                try await databases.withDatabase(tenantID: tenantID, location: location, justCreated: true) { _ in }
            }
            try await steps.run(.createOwner) { _ in
                let owner = StoreSetup.Owner(storeName: request.storeName, email: request.ownerEmail.value, passwordHash: request.ownerPasswordHash)
                setupToken = try await databases.withDatabase(tenantID: tenantID, location: location) { db in
                    try await setup.createOwner(db, owner)
                }
            }
            // Activation and its log entry are one platform write, shared with the signups that
            // activate at the same moment (a burst queues for the platform's one writer). The
            // step's time (and the total) in the log are taken when the write runs. Nothing can
            // fail after it, so it needs no compensation.
            let stepsBefore = steps.timings
            let slug = request.slug.value
            try await steps.run(.markActive, injectsOwnFault: true) { stepStart in
                (tenant, succeeded) = try await activate(
                    tenantID: tenantID, slug: slug, stepsBefore: stepsBefore, stepStart: stepStart, started: started, startedAt: startedAt)
            }
        } catch {
            throw await rollBack(
                after: error, step: steps.current, undo: steps.compensations, tenantID: tenantID, slug: request.slug.value, timings: steps.timings,
                started: started, startedAt: startedAt)
        }

        guard let tenant, let attempt = succeeded else { throw ProvisioningFailed(step: .markActive, underlying: RowChanged(tenantID: tenantID)) }
        logger.info(
            "store created",
            metadata: ["tenant": .string(tenantID), "slug": .string(tenant.slug), "microseconds": .stringConvertible(attempt.totalMicroseconds)])
        return ProvisioningResult(tenant: tenant, setupToken: setupToken, attempt: attempt)
    }

    /// Activates the store and logs its attempt in one platform write (see `provision`).
    private func activate(
        tenantID: String, slug: String, stepsBefore: [ProvisioningAttempt.StepTiming], stepStart: ContinuousClock.Instant,
        started: ContinuousClock.Instant, startedAt: Date
    ) async throws -> (Tenant?, ProvisioningAttempt?) {
        // Before the write: a failure injected here leaves the store unactivated.
        try faultInjector?(.markActive)
        return try await activations.submit(
            Activation(tenantID: tenantID) { now in
                ProvisioningAttempt(
                    id: Identifier.make("prv"), tenantID: tenantID, slug: slug, succeeded: true, failedStep: nil, error: nil,
                    steps: stepsBefore + [.init(step: .markActive, microseconds: (now - stepStart).microseconds, succeeded: true)],
                    totalMicroseconds: (now - started).microseconds, startedAt: startedAt
                )
            })
    }

    /// Reserves the slug: inserts the registry row in `provisioning`, naming a spare database
    /// when the warm pool has one (one platform write for both; spares are on the platform's
    /// own server, used when the store goes there). Returns where the database is, and whether
    /// it is a spare.
    private func reserve(_ reserved: Tenant) async throws -> (TenantDatabaseLocation, Bool) {
        var reserved = reserved
        if let pool, reserved.database.pod == nil {
            if let claimed = try await pool.reserve(reserved) { return (claimed, true) }
            return (reserved.database, false)
        }
        do {
            try await registry.reserve(reserved)
        } catch is TenantRegistry.PodFull {
            // Signups at the same moment filled the chosen pod: the platform's own server has
            // no limit.
            reserved.database.pod = nil
            try await registry.reserve(reserved)
        }
        return (reserved.database, false)
    }

    /// Undoes the steps that were done, newest first, records the failed attempt, and returns
    /// the error to throw. When something could not be undone, the registry row stays (in
    /// `provisioning`, never served): it is the record of where the leftovers are.
    private func rollBack(
        after error: any Error, step failedStep: ProvisioningStep, undo: [(ProvisioningStep, @Sendable () async throws -> Void)],
        tenantID: String, slug: String, timings: [ProvisioningAttempt.StepTiming], started: ContinuousClock.Instant,
        startedAt: Date
    ) async -> any Error {
        var message = DatabaseErrors.summary(error)
        var undoFailed = false
        for (step, compensation) in undo.reversed() {
            if step == .reserveSlug, undoFailed { continue }
            do {
                try await compensation()
            } catch {
                logger.error(
                    "provisioning compensation failed",
                    metadata: ["tenant": .string(tenantID), "step": .string(step.rawValue), "error": .string(DatabaseErrors.summary(error))])
                message += "; undoing \(step.rawValue) failed: \(DatabaseErrors.summary(error))"
                undoFailed = true
            }
        }
        let attempt = ProvisioningAttempt(
            id: Identifier.make("prv"), tenantID: tenantID, slug: slug, succeeded: false, failedStep: failedStep,
            error: message, steps: timings, totalMicroseconds: (ContinuousClock.now - started).microseconds, startedAt: startedAt
        )
        await record(attempt)
        logger.warning("provisioning failed", metadata: ["tenant": .string(tenantID), "step": .string(failedStep.rawValue), "error": .string(message)])
        if error is TenantRegistry.SlugTaken { return error }
        return ProvisioningFailed(step: failedStep, underlying: error)
    }

    private func record(_ attempt: ProvisioningAttempt) async {
        do {
            try await log.record(attempt)
        } catch {
            logger.error(
                "could not write the provisioning log", metadata: ["tenant": .string(attempt.tenantID), "error": .string(DatabaseErrors.summary(error))])
        }
    }
}

extension Duration {
    var microseconds: Int64 {
        let parts = components
        return parts.seconds * 1_000_000 + parts.attoseconds / 1_000_000_000_000
    }
}

/// The steps of one provisioning as they run: which one is under way, and how long each took.
/// Used by one task, within `provision`.
private final class ProvisioningSteps {
    let faultInjector: TenantProvisioner.FaultInjector?
    private(set) var timings: [ProvisioningAttempt.StepTiming] = []
    private(set) var current = ProvisioningStep.reserveSlug
    /// What undoes each step done so far, in the order they were done.
    private(set) var compensations: [(ProvisioningStep, @Sendable () async throws -> Void)] = []

    init(faultInjector: TenantProvisioner.FaultInjector?) {
        self.faultInjector = faultInjector
    }

    func undo(_ step: ProvisioningStep, _ compensation: @escaping @Sendable () async throws -> Void) {
        compensations.append((step, compensation))
    }

    /// `action` gets the step's start; `injectsOwnFault` says it calls the fault injector itself.
    func run(_ step: ProvisioningStep, injectsOwnFault: Bool = false, _ action: (ContinuousClock.Instant) async throws -> Void) async throws {
        current = step
        let stepStart = ContinuousClock.now
        do {
            try await action(stepStart)
            if !injectsOwnFault { try faultInjector?(step) }
            timings.append(.init(step: step, microseconds: (ContinuousClock.now - stepStart).microseconds, succeeded: true))
        } catch {
            timings.append(.init(step: step, microseconds: (ContinuousClock.now - stepStart).microseconds, succeeded: false))
            throw error
        }
    }
}
