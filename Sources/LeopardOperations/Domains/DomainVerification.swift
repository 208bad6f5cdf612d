import LeopardCore
import LeopardPlatform
import Logging

/// Checks a custom domain's TXT record (`_leopard.HOSTNAME`) and marks the domain verified when
/// one of its values is the domain's. A verified domain stays verified when a later check
/// fails; every check's outcome is recorded on the domain.
public struct DomainVerification: Sendable {
    let services: PlatformServices

    public init(services: PlatformServices) {
        self.services = services
    }

    public func verify(_ domain: CustomDomain, tenantID: String, logger: Logger) async throws -> CustomDomain {
        let domains = DomainRegistry(database: services.platformDatabase)
        let values: [String]
        do {
            values = try await services.dnsLookup.txt(domain.verificationName)
        } catch {
            _ = try await domains.recordCheck(hostname: domain.hostname, tenantID: tenantID, verified: false, error: "DNS lookup failed: \(error)")
            throw Problem.unavailable("The DNS lookup of \(domain.verificationName) failed (\(error)); try again shortly.", retryAfterSeconds: 30)
        }
        if values.contains(domain.verificationValue) {
            let checked = try await domains.recordCheck(hostname: domain.hostname, tenantID: tenantID, verified: true, error: nil)
            await services.directory.invalidate(domain: domain.hostname)
            if domain.status != .verified {
                logger.notice("custom domain verified", metadata: ["domain": .string(domain.hostname)])
            }
            return checked ?? domain
        }
        let found = values.isEmpty ? "no TXT records" : "TXT values " + values.prefix(5).map { "\"\($0.prefix(100))\"" }.joined(separator: ", ")
        let reason = "\(domain.verificationName) has \(found); expected \"\(domain.verificationValue)\""
        _ = try await domains.recordCheck(hostname: domain.hostname, tenantID: tenantID, verified: false, error: reason)
        throw Problem(
            status: 422, type: Problem.base + "domain-not-verified", title: "Domain not verified",
            detail:
                "Add a TXT record \(domain.verificationName) with the value \(domain.verificationValue), wait for DNS to update, then verify again. Found: \(found)."
        )
    }
}
