import Foundation
import Hummingbird
import LeopardCore
import LeopardOperations
import LeopardStorage

/// `/healthz` (the process answers) and `/readyz` (the platform database answers), on every host.
/// `/readyz` also says whether this instance hears registry changes as they happen: while the
/// change feed is down it still answers 200 (look-ups expire within 30 seconds, so stores are
/// served correctly), and says since when.
struct HealthRoutes {
    let platformDatabase: any DatabaseHandle
    let changeFeed: TenantChangeFeed?

    struct Status: Encodable {
        let status: String
        /// `listening`, `starting`, or `down`.
        var changeFeed: String?
        var changeFeedDownSince: String?
    }

    func register(on router: Router<AppContext>) {
        router.get("/healthz") { _, _ in try Status(status: "ok").jsonResponse() }
        router.get("/readyz") { _, context in
            do {
                try await platformDatabase.read { try await $0.raw("SELECT 1").run() }
                let feed = await changeFeed?.state
                return try Status(status: "ready", changeFeed: feed?.name, changeFeedDownSince: feed?.downSince?.stamp).jsonResponse()
            } catch {
                context.logger.warning("platform database unreachable")
                return try Status(status: "platform database unreachable").jsonResponse(status: .serviceUnavailable)
            }
        }
    }
}
