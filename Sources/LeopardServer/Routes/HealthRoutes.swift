import Hummingbird
import LeopardStorage

/// `/healthz` (the process answers) and `/readyz` (the platform database answers), on every host.
struct HealthRoutes {
    let platformDatabase: any DatabaseHandle

    struct Status: Encodable {
        let status: String
    }

    func register(on router: Router<AppContext>) {
        router.get("/healthz") { _, _ in try Status(status: "ok").jsonResponse() }
        router.get("/readyz") { _, context in
            do {
                try await platformDatabase.read { try await $0.raw("SELECT 1").run() }
                return try Status(status: "ready").jsonResponse()
            } catch {
                context.logger.warning("platform database unreachable")
                return try Status(status: "platform database unreachable").jsonResponse(status: .serviceUnavailable)
            }
        }
    }
}
