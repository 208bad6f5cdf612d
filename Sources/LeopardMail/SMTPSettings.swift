import Foundation

/// Where and how to send mail, from `--smtp-url`:
/// `smtp://user:pass@host:587` (STARTTLS when the server offers it), `smtp://…?tls=required`
/// (STARTTLS or nothing), `smtps://host:465` (TLS from the first byte). `?ca=/path.pem` trusts
/// a certificate authority beside the system's (a relay with a private certificate).
public struct SMTPSettings: Sendable, Equatable, CustomStringConvertible {
    public enum Security: String, Sendable, Equatable {
        /// STARTTLS when the server offers it, plain text otherwise.
        case opportunistic
        /// STARTTLS, or the mail is not sent.
        case startTLSRequired
        /// TLS from the first byte (port 465).
        case implicitTLS
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    public var trustedCertificatePath: String?

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public init(url text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), let host = components.host, !host.isEmpty
        else { throw Invalid(description: "the SMTP URL must look like smtp://user:password@host:587") }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        switch scheme {
        case "smtp": security = query["tls"] == "required" ? .startTLSRequired : .opportunistic
        case "smtps": security = .implicitTLS
        default: throw Invalid(description: "the SMTP URL's scheme must be smtp or smtps, not \(scheme)")
        }
        if let tls = query["tls"], !["required", "opportunistic"].contains(tls) {
            throw Invalid(description: "tls= must be required or opportunistic")
        }
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? (security == .implicitTLS ? 465 : 587)
        guard (1...65535).contains(port) else { throw Invalid(description: "the SMTP port must be 1 to 65535") }
        self.username = components.user?.removingPercentEncoding
        self.password = components.password?.removingPercentEncoding
        self.trustedCertificatePath = query["ca"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The URL without its password, for logs and the start-up banner.
    public var description: String {
        let scheme = security == .implicitTLS ? "smtps" : "smtp"
        let user = username.map { "\($0):***@" } ?? ""
        let tls = security == .startTLSRequired ? "?tls=required" : ""
        return "\(scheme)://\(user)\(host.contains(":") ? "[\(host)]" : host):\(port)\(tls)"
    }
}
