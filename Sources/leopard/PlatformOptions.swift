import ArgumentParser
import Foundation
import LeopardMail
import LeopardOperations
import LeopardServer
import Logging

/// Options shared by every command that opens the platform.
struct PlatformOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Where the platform keeps its files (SQLite databases, key file).", valueName: "dir"))
    var dataDir: String = ProcessInfo.processInfo.environment["LEOPARD_DATA_DIR"] ?? "./leopard-data"

    @Option(
        help: ArgumentHelp(
            "postgres://user:password@host:port/db for the platform and store databases; absent means embedded SQLite. Env: LEOPARD_DATABASE_URL.",
            valueName: "url"))
    var databaseURL: String = ProcessInfo.processInfo.environment["LEOPARD_DATABASE_URL"] ?? ""

    @Option(help: ArgumentHelp("Stores answer at SLUG.<base-domain>. Env: LEOPARD_BASE_DOMAIN.", valueName: "domain"))
    var baseDomain: String = ProcessInfo.processInfo.environment["LEOPARD_BASE_DOMAIN"] ?? "localhost"

    @Option(help: ArgumentHelp("Most store databases open at once. Env: LEOPARD_MAX_OPEN_TENANTS.", valueName: "n"))
    var maxOpenTenants: Int = Int(ProcessInfo.processInfo.environment["LEOPARD_MAX_OPEN_TENANTS"] ?? "") ?? 256

    @Option(help: ArgumentHelp("Reader connections per open SQLite store (1–16). Env: LEOPARD_SQLITE_READERS.", valueName: "n"))
    var sqliteReaders: Int = Int(ProcessInfo.processInfo.environment["LEOPARD_SQLITE_READERS"] ?? "") ?? ServerConfiguration().sqliteReaders

    @Option(help: ArgumentHelp("Connections per open PostgreSQL store (1–32). Env: LEOPARD_POSTGRES_POOL_SIZE.", valueName: "n"))
    var postgresPoolSize: Int =
        Int(ProcessInfo.processInfo.environment["LEOPARD_POSTGRES_POOL_SIZE"] ?? "") ?? ServerConfiguration().postgresPoolSize

    @Option(
        help: ArgumentHelp(
            "Where mail goes: smtp://user:password@host:587 (STARTTLS when offered; ?tls=required insists), smtps://host:465, ?ca=/path.pem to trust a private CA. Absent: .eml files under DATA_DIR/mail/. Env: LEOPARD_SMTP_URL.",
            valueName: "url"))
    var smtpURL: String = ProcessInfo.processInfo.environment["LEOPARD_SMTP_URL"] ?? ""

    @Option(help: ArgumentHelp("The address every store's mail is sent from (default no-reply@<base-domain>). Env: LEOPARD_MAIL_FROM.", valueName: "address"))
    var mailFrom: String = ProcessInfo.processInfo.environment["LEOPARD_MAIL_FROM"] ?? ""

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error. Env: LOG_LEVEL.", valueName: "level"))
    var logLevel: String = ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "info"

    @Option(help: ArgumentHelp("Log lines as text or as one JSON object each. Env: LEOPARD_LOG_FORMAT.", valueName: "json|text"))
    var logFormat: String = ProcessInfo.processInfo.environment["LEOPARD_LOG_FORMAT"] ?? "text"

    func configuration() throws -> ServerConfiguration {
        guard ["json", "text"].contains(logFormat) else { throw ValidationError("--log-format must be json or text") }
        var configuration = ServerConfiguration()
        configuration.dataDirectory = URL(fileURLWithPath: dataDir, isDirectory: true)
        configuration.databaseURL = databaseURL.isEmpty ? nil : databaseURL
        configuration.baseDomain = baseDomain.lowercased()
        guard maxOpenTenants > 0 else { throw ValidationError("--max-open-tenants must be at least 1") }
        configuration.maxOpenTenants = maxOpenTenants
        guard (1...16).contains(sqliteReaders) else { throw ValidationError("--sqlite-readers must be from 1 to 16") }
        guard (1...32).contains(postgresPoolSize) else { throw ValidationError("--postgres-pool-size must be from 1 to 32") }
        (configuration.sqliteReaders, configuration.postgresPoolSize) = (sqliteReaders, postgresPoolSize)
        if !smtpURL.isEmpty {
            do {
                _ = try SMTPSettings(url: smtpURL)
            } catch {
                throw ValidationError("--smtp-url: \(error)")
            }
            configuration.smtpURL = smtpURL
        }
        if !mailFrom.isEmpty {
            do {
                _ = try MailFrom(mailFrom)
            } catch {
                throw ValidationError("\(error)")
            }
            configuration.mailFromAddress = mailFrom
        }
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("unknown --log-level \(logLevel)") }
        configuration.logLevel = level
        let environment = ProcessInfo.processInfo.environment
        configuration.operatorToken = environment["LEOPARD_OPERATOR_TOKEN"]
        configuration.secretKey = environment["LEOPARD_SECRET_KEY"]
        configuration.previousSecretKey = environment["LEOPARD_SECRET_KEY_PREVIOUS"]
        if let base = environment["LEOPARD_STRIPE_API_BASE"], !base.isEmpty { configuration.stripeAPIBase = base }
        if let script = environment["LEOPARD_STRIPE_JS_URL"], !script.isEmpty {
            guard let url = URL(string: script), ["https", "http"].contains(url.scheme ?? ""), url.host != nil else {
                throw ValidationError("LEOPARD_STRIPE_JS_URL must be an absolute http(s) URL")
            }
            configuration.stripeJSURL = script
        }
        configuration.allowPrivateWebhookTargets = ["1", "true", "yes"].contains(environment["LEOPARD_WEBHOOK_ALLOW_PRIVATE"]?.lowercased() ?? "")
        // bcrypt cost below the production 12, for fuzzing and load tests only.
        if let text = environment["LEOPARD_PASSWORD_HASH_COST"] {
            guard let cost = UInt8(text), (4...31).contains(cost) else { throw ValidationError("LEOPARD_PASSWORD_HASH_COST must be 4 to 31") }
            configuration.passwordHashCost = cost
        }
        return configuration
    }

    /// Starts the platform's services for a command (no new operator token), runs `body`, and
    /// shuts them down whatever happens; a failure becomes the command's one-line error.
    func withServices<T>(_ body: (LeopardServices) async throws -> T) async throws -> T {
        let configuration = try configuration()
        let services = try await LeopardServices.start(configuration, logger: logger(configuration), makeOperatorToken: false)
        do {
            let result = try await body(services)
            await services.shutdown()
            return result
        } catch {
            await services.shutdown()
            throw CommandFailure(error)
        }
    }

    /// The process's logger, in the chosen format (every `Logger` made later uses it too).
    func logger(_ configuration: ServerConfiguration) -> Logger {
        if logFormat == "json" {
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label) }
        }
        var logger = Logger(label: "leopard")
        logger.logLevel = configuration.logLevel
        return logger
    }
}
