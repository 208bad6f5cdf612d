import Foundation
import NIOSSL
import PostgresNIO

/// Where a PostgreSQL server is and how the platform logs in to it, parsed from
/// `postgres://user:password@host:port/database?sslmode=disable|prefer|require`.
public struct PostgresServer: Sendable, Equatable {
    public enum TLSMode: String, Sendable { case disable, prefer, require }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(host: String, port: Int = 5432, username: String, password: String?, database: String, tls: TLSMode = .disable) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
    }

    public struct InvalidURL: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { "invalid PostgreSQL URL: \(reason)" }
    }

    public init(url text: String) throws {
        guard let components = URLComponents(string: text) else { throw InvalidURL(reason: "not a URL") }
        guard components.scheme == "postgres" || components.scheme == "postgresql" else {
            throw InvalidURL(reason: "the scheme must be postgres://")
        }
        guard let host = components.host, !host.isEmpty else { throw InvalidURL(reason: "no host") }
        guard let user = components.user, !user.isEmpty else { throw InvalidURL(reason: "no user name") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw InvalidURL(reason: "no database name") }
        var tls = TLSMode.disable
        if let mode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value {
            switch mode {
            case "disable": tls = .disable
            case "allow", "prefer": tls = .prefer
            case "require", "verify-ca", "verify-full": tls = .require
            default: throw InvalidURL(reason: "unknown sslmode \(mode)")
            }
        }
        self.init(
            host: host,
            port: components.port ?? 5432,
            username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.removingPercentEncoding ?? database,
            tls: tls
        )
    }

    /// Who logs in to which database: the platform's own login unless `username` is given (then
    /// with `password`), to the platform database unless `database` is given.
    private func login(database: String?, username: String?, password: String?) -> (username: String, password: String?, database: String) {
        (username ?? self.username, username == nil ? self.password : password, database ?? self.database)
    }

    /// A single-connection configuration, for probes and one-off administration.
    public func connectionConfiguration(database: String? = nil, username: String? = nil, password: String? = nil) throws -> PostgresConnection.Configuration {
        let tlsSetting: PostgresConnection.Configuration.TLS
        switch tls {
        case .disable: tlsSetting = .disable
        case .prefer: tlsSetting = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: tlsSetting = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        let login = login(database: database, username: username, password: password)
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: login.username, password: login.password, database: login.database, tls: tlsSetting)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// A client configuration for `database` on this server, as `username` (the platform's own
    /// login unless given).
    public func clientConfiguration(
        database: String? = nil,
        username: String? = nil,
        password: String? = nil,
        maximumConnections: Int,
        idleTimeout: Duration = .seconds(60)
    ) -> PostgresClient.Configuration {
        let tlsSetting: PostgresClient.Configuration.TLS
        switch tls {
        case .disable: tlsSetting = .disable
        case .prefer: tlsSetting = .prefer(.makeClientConfiguration())
        case .require: tlsSetting = .require(.makeClientConfiguration())
        }
        let login = login(database: database, username: username, password: password)
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: login.username, password: login.password, database: login.database, tls: tlsSetting)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.minimumConnections = 0
        configuration.options.connectionIdleTimeout = idleTimeout
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}
