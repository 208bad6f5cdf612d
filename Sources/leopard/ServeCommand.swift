import ArgumentParser
import Foundation
import Hummingbird
import LeopardCore
import LeopardOperations
import LeopardServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the platform: control plane, every store's API, storefront and admin.")

    @OptionGroup var platform: PlatformOptions
    @OptionGroup(title: "Costs") var costs: CostOptions

    @Option(help: ArgumentHelp("Address to listen on. Env: LEOPARD_HOST.", valueName: "address"))
    var host: String = ProcessInfo.processInfo.environment["LEOPARD_HOST"] ?? "127.0.0.1"

    @Option(help: ArgumentHelp("Port to listen on. Env: LEOPARD_PORT.", valueName: "port"))
    var port: Int = Int(ProcessInfo.processInfo.environment["LEOPARD_PORT"] ?? "") ?? 8080

    @Option(help: ArgumentHelp("Signups per minute per client address; 0 turns the limit off. Env: LEOPARD_SIGNUP_RATE_LIMIT.", valueName: "n"))
    var signupRateLimit: Int = Int(ProcessInfo.processInfo.environment["LEOPARD_SIGNUP_RATE_LIMIT"] ?? "") ?? 20

    @Option(
        help: ArgumentHelp(
            "Store databases kept ready so that signups only claim one (the warm pool); 0 makes each at signup. Env: LEOPARD_SPARE_STORES.", valueName: "n"))
    var spareStores: Int = Int(ProcessInfo.processInfo.environment["LEOPARD_SPARE_STORES"] ?? "") ?? 8

    @Option(
        help: ArgumentHelp(
            "The platform's address as people reach it, when behind a proxy (e.g. https://shops.example.com). Env: LEOPARD_PUBLIC_URL.", valueName: "url"))
    var publicURL: String = ProcessInfo.processInfo.environment["LEOPARD_PUBLIC_URL"] ?? ""

    @Option(help: ArgumentHelp("Back up every store this often: 90s, 30m, 24h, 7d. Env: LEOPARD_BACKUP_EVERY.", valueName: "interval"))
    var backupEvery: String = ProcessInfo.processInfo.environment["LEOPARD_BACKUP_EVERY"] ?? ""

    @Option(help: ArgumentHelp("Scheduled backups kept per store. Env: LEOPARD_BACKUP_KEEP.", valueName: "n"))
    var backupKeep: Int = Int(ProcessInfo.processInfo.environment["LEOPARD_BACKUP_KEEP"] ?? "") ?? 7

    @Option(help: ArgumentHelp("Where scheduled backups go (default: <data-dir>/backups). Env: LEOPARD_BACKUP_DIR.", valueName: "dir"))
    var backupDir: String = ProcessInfo.processInfo.environment["LEOPARD_BACKUP_DIR"] ?? ""

    @Option(
        help: ArgumentHelp(
            "DNS server for custom domain checks, HOST[:PORT] (default: the first nameserver of /etc/resolv.conf). Env: LEOPARD_DNS_SERVER.",
            valueName: "address"))
    var dnsServer: String = ProcessInfo.processInfo.environment["LEOPARD_DNS_SERVER"] ?? ""

    @Option(
        help: ArgumentHelp(
            "Serve only this store, as its dedicated instance: every request must carry the platform's signature. The platform starts such instances itself. Env: LEOPARD_DEDICATED_TENANT.",
            valueName: "tenant id"))
    var tenant: String = ProcessInfo.processInfo.environment["LEOPARD_DEDICATED_TENANT"] ?? ""

    @Option(
        help: ArgumentHelp("Stop a dedicated store's instance after it has been idle this long (s, m, h). Env: LEOPARD_IDLE_TIMEOUT.", valueName: "duration"))
    var idleTimeout: String = ProcessInfo.processInfo.environment["LEOPARD_IDLE_TIMEOUT"] ?? "5m"

    @Option(
        help: ArgumentHelp(
            "Send dedicated stores' requests to instances an orchestrator runs (Knative, Cloud Run) instead of starting them here: a URL with {slug} or {id}, e.g. http://leopard-store-{slug}.dedicated.svc.cluster.local. Env: LEOPARD_DEDICATED_UPSTREAM.",
            valueName: "url"))
    var dedicatedUpstream: String = ProcessInfo.processInfo.environment["LEOPARD_DEDICATED_UPSTREAM"] ?? ""

    @Option(
        help: ArgumentHelp(
            "Proxies whose X-Forwarded-For names the client, as addresses or networks (10.0.0.0/8,fd00::/8): a load balancer or ingress on another machine. This machine is always trusted. Env: LEOPARD_TRUSTED_PROXIES.",
            valueName: "networks"))
    var trustedProxies: String = ProcessInfo.processInfo.environment["LEOPARD_TRUSTED_PROXIES"] ?? ""

    func run() async throws {
        var configuration = try platform.configuration()
        configuration.costs = try costs.prices()
        configuration.host = host
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1-65535") }
        configuration.port = port
        guard signupRateLimit >= 0 else { throw ValidationError("--signup-rate-limit must be 0 or more") }
        configuration.signupRateLimit = signupRateLimit
        guard (0...1000).contains(spareStores) else { throw ValidationError("--spare-stores must be 0-1000") }
        configuration.spareStores = spareStores
        configuration.publicURL = publicURL.isEmpty ? nil : publicURL
        if !backupEvery.isEmpty {
            guard let interval = DurationText.parse(backupEvery), interval >= .seconds(60) else {
                throw ValidationError("--backup-every must be a number and a unit (s, m, h, d), at least 60s: 24h, 30m")
            }
            configuration.backupInterval = interval
        }
        guard backupKeep >= 1 else { throw ValidationError("--backup-keep must be at least 1") }
        configuration.backupKeep = backupKeep
        configuration.dnsServer = dnsServer.isEmpty ? nil : dnsServer
        do {
            configuration.trustedProxies = try TrustedProxies(parsing: trustedProxies)
        } catch {
            throw ValidationError("--trusted-proxies: \(error)")
        }
        configuration.backupDirectory = backupDir.isEmpty ? nil : URL(fileURLWithPath: backupDir, isDirectory: true)
        guard let idle = DurationText.parse(idleTimeout), idle >= .seconds(1) else {
            throw ValidationError("--idle-timeout must be a number and a unit (s, m, h), at least 1s: 5m, 90s")
        }
        configuration.idleTimeout = idle
        if !dedicatedUpstream.isEmpty {
            guard let url = URL(string: dedicatedUpstream.replacingOccurrences(of: "{slug}", with: "s").replacingOccurrences(of: "{id}", with: "i")),
                ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
                dedicatedUpstream.contains("{slug}") || dedicatedUpstream.contains("{id}")
            else {
                throw ValidationError("--dedicated-upstream must be an http(s) URL naming the store with {slug} or {id}")
            }
            configuration.dedicatedUpstream = dedicatedUpstream
        }
        if !tenant.isEmpty {
            return try await runDedicated(configuration)
        }
        let configured = configuration
        let logger = platform.logger(configuration)
        let services = try await LeopardServices.start(configuration, logger: logger)
        await services.sparePool.refill()
        let storage = configuration.databaseURL == nil ? "SQLite under \(configuration.dataDirectory.path)" : "PostgreSQL"
        let newToken = services.newOperatorToken
        let mail = services.mailer.destination
        let app = buildApplication(services) {
            let base = configured.platformURL.absoluteString
            say(
                """
                Leopard is running (\(storage)).
                  Platform:  \(base)/
                  Stores:    \(configured.storeURL(slug: "SLUG"))/
                  Mail:      \(mail)
                  Sign up:   curl -X POST \(base)/api/tenants -H 'content-type: application/json' \\
                               -d '{"storeName":"Acme Tools","ownerEmail":"owner@acme.test","ownerPassword":"correct horse battery"}'
                """)
            if let newToken {
                say(
                    """
                      Operator token (shown once, stored hashed; set LEOPARD_OPERATOR_TOKEN to choose your own):
                        \(newToken)
                    """)
            }
        }
        // The databases close after every service has stopped (the server, the webhook worker),
        // outside the service group, so that no cancellation interrupts the closing.
        do {
            try await app.runService()
        } catch {
            // The server could not start (the port is taken, say): say why in one line.
            await services.shutdown()
            FileHandle.standardError.write(Data("leopard: the server stopped: \(error)\n".utf8))
            throw ExitCode.failure
        }
        await services.shutdown()
    }
}

extension ServeCommand {
    /// `serve --tenant ID`: one store's own instance, started by the platform. It does none of
    /// the platform's upkeep (warm pool, webhook worker, backups, operator token), answers only
    /// signed requests for its store, says one line when it listens, and stops when its
    /// platform process is gone.
    func runDedicated(_ base: ServerConfiguration) async throws {
        var configuration = base
        guard Identifier.isWellFormed(tenant, prefix: "ten") else { throw ValidationError("--tenant must be a store id (ten_…)") }
        configuration.dedicatedTenant = tenant
        configuration.spareStores = 0
        configuration.webhookPollInterval = nil
        configuration.backupInterval = nil
        let logger = platform.logger(configuration)
        let services = try await LeopardServices.start(configuration, logger: logger, makeOperatorToken: false)
        guard let store = try await services.registry.find(id: tenant), store.status != .provisioning else {
            await services.shutdown()
            FileHandle.standardError.write(Data("leopard: there is no store \(tenant)\n".utf8))
            throw ExitCode.failure
        }
        let address = "\(configuration.host):\(configuration.port)"
        let app = buildApplication(services, extraServices: ParentWatchService.fromEnvironment()) {
            say("leopard: dedicated instance ready on \(address) for \(store.id) (\(store.slug))")
        }
        do {
            try await app.runService()
        } catch {
            await services.shutdown()
            FileHandle.standardError.write(Data("leopard: the dedicated instance stopped: \(error)\n".utf8))
            throw ExitCode.failure
        }
        await services.shutdown()
    }
}

/// Writes a line to standard output unbuffered, so it shows at once even when piped to a file.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
