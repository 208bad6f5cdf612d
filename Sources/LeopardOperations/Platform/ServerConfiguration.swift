import Foundation
import LeopardCommerce
import LeopardCore
import LeopardPayments
import LeopardPlatform
import LeopardStorage
import Logging

/// Everything `leopard serve` can be told. Defaults give a working platform with no settings.
public struct ServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var dataDirectory: URL = URL(fileURLWithPath: "leopard-data", isDirectory: true)
    /// Stores answer at `SLUG.<baseDomain>`.
    public var baseDomain: String = "localhost"
    /// `postgres://…` for the platform database and store databases; nil for embedded SQLite.
    public var databaseURL: String?
    public var maxOpenTenants: Int = 256
    /// Signups per minute per client address; 0 turns the limit off.
    public var signupRateLimit: Int = 20
    /// Unit prices for the stores' estimated costs (`GET /api/tenants/:id/metrics`, the console).
    public var costs = CostPrices()
    /// Failed sign-ins allowed per store and client (and per store and e-mail) in 15 minutes.
    var loginFailureLimit: Int = 10
    /// `LEOPARD_OPERATOR_TOKEN`: when set, the operator token; otherwise one is generated.
    public var operatorToken: String?
    /// `LEOPARD_SECRET_KEY`: when set, the platform key; otherwise a key file in the data directory.
    public var secretKey: String?
    /// `LEOPARD_SECRET_KEY_PREVIOUS`: during a key rotation, the key being replaced (it still opens).
    public var previousSecretKey: String?

    public var keyFile: URL { dataDirectory.appendingPathComponent("secret.key") }
    /// The address people use, when it differs from `http://<baseDomain>:<port>` (a proxy).
    public var publicURL: String?
    /// Where mail goes: `smtp://user:pass@host:587` (see `SMTPSettings`); nil writes `.eml`
    /// files under `DATA_DIR/mail/`.
    public var smtpURL: String?
    /// The platform's sender address (`--mail-from`); `no-reply@<base domain>` when nil.
    public var mailFromAddress: String?

    /// The sender address every mail comes from. An invalid `--mail-from` is refused at start.
    public var mailFrom: MailFrom {
        mailFromAddress.flatMap { try? MailFrom($0) } ?? MailFrom(defaultFor: baseDomain)  // checked at start (PlatformServices)
    }

    /// Where `.eml` files go when no SMTP server is set.
    public var mailFolder: URL { dataDirectory.appendingPathComponent("mail", isDirectory: true) }
    /// bcrypt cost for passwords (at least 12 in production; tests lower it for speed).
    public var passwordHashCost: UInt8 = PasswordHasher.defaultCost
    /// SQLite reader connections per store database (plus one writer).
    public var sqliteReaders: Int = 2
    /// PostgreSQL connections per open store.
    public var postgresPoolSize: Int = 2
    public var logLevel: Logger.Level = .info
    /// Whether merchants' webhook endpoints may be on this machine or a private network
    /// (`LEOPARD_WEBHOOK_ALLOW_PRIVATE=1`): off by default, so stores cannot reach internal
    /// services through the platform; tests and single-machine set-ups turn it on.
    public var allowPrivateWebhookTargets: Bool = false
    /// How webhook deliveries look host names up; nil is the system's resolver (tests give a
    /// name an address without DNS).
    var webhookResolver: (@Sendable (String) async throws -> [String])?
    /// Store databases kept ready for signups (the warm pool); 0 makes each at signup.
    public var spareStores: Int = 8
    /// Stripe's API (`LEOPARD_STRIPE_API_BASE`): tests point it at a local server.
    public var stripeAPIBase: String = "https://api.stripe.com"
    /// Stripe.js for the storefront's card form (`LEOPARD_STRIPE_JS_URL`); the payment page's
    /// Content-Security-Policy allows scripts, frames and requests from its origin only.
    public var stripeJSURL: String = "https://js.stripe.com/v3/"
    /// How often the webhook worker looks for due deliveries (it is also woken at once by a
    /// redelivery); nil runs no worker (tests drive it themselves).
    public var webhookPollInterval: Duration? = .seconds(1)
    /// `--backup-every`: back up every store this often; nil makes no scheduled backups.
    public var backupInterval: Duration?
    /// `--backup-keep`: scheduled backups kept per store (the newest).
    public var backupKeep: Int = 7
    /// `--backup-dir`: where scheduled backups go; nil means `<data dir>/backups`.
    public var backupDirectory: URL?
    /// `--dns-server`: where custom domain checks look TXT records up (`HOST[:PORT]`); nil means
    /// the first nameserver of /etc/resolv.conf.
    public var dnsServer: String?
    /// Set in a dedicated instance (`serve --tenant ID`): the one store this process serves.
    public var dedicatedTenant: String?
    /// How long a dedicated store's instance may sit idle before the platform stops it.
    public var idleTimeout: Duration = .seconds(300)
    /// The `leopard` binary dedicated instances run (default: this process's own).
    var dedicatedExecutable: URL?
    /// Where dedicated stores' instances answer when an orchestrator runs them (Knative, Cloud
    /// Run): a URL with `{slug}` or `{id}`; nil means this process starts them on loopback ports.
    public var dedicatedUpstream: String?
    /// Proxies besides this machine whose `X-Forwarded-For` names the client.
    public var trustedProxies: TrustedProxies = .local
    /// The store schema; tests append migrations to prove that stores are migrated on open.
    var storeMigrations: [Migration] = StoreDatabaseSchema.migrations
    /// Test-only failure injection into provisioning; nothing outside Swift code can set it.
    public var provisioningFaults: TenantProvisioner.FaultInjector?

    public init() {}

    public var backupFolder: URL {
        backupDirectory ?? dataDirectory.appendingPathComponent("backups", isDirectory: true)
    }

    public var storage: DatabaseKind { databaseURL == nil ? .sqlite : .postgres }

    /// `scheme://host[:port]` of the platform as people reach it.
    public var platformURL: URL {
        if let publicURL, let url = URL(string: publicURL) { return url }
        return URL(string: "http://\(baseDomain):\(port)") ?? URL(fileURLWithPath: "/")
    }

    /// The base URL of one store: the platform URL with `slug.` before its host.
    public func storeURL(slug: String) -> String {
        let base = platformURL
        guard var components = URLComponents(url: base, resolvingAgainstBaseURL: false), let host = components.host else {
            return "http://\(slug).\(baseDomain):\(port)"
        }
        components.host = "\(slug).\(host)"
        components.path = ""
        return components.string ?? "http://\(slug).\(baseDomain):\(port)"
    }
}
