import Foundation
import LeopardCommerce
import LeopardCore
import LeopardStorage
import SQLKit

/// A store's keys for a real payment provider (Stripe), sealed with the platform key at rest.
/// Reads show a hint of the secret key, never the key.
public struct ProviderCredentials: Sendable {
    public let database: any DatabaseHandle
    public let secrets: SecretBox

    public init(database: any DatabaseHandle, secrets: SecretBox) {
        self.database = database
        self.secrets = secrets
    }

    public struct Keys: Sendable {
        public let secretKey: String
        public let webhookSecret: String
        public let publishableKey: String?
        /// `automatic` (captured at checkout) or `manual` (authorized; captured on fulfilment).
        public let captureMethod: String
    }

    public static let captureMethods = ["automatic", "manual"]

    public struct View: Sendable, Encodable, Equatable {
        public let provider: String
        public let configured: Bool
        public let secretKeyHint: String?
        public let publishableKey: String?
        public let updatedAt: String?
        /// How card payments are captured (Stripe only).
        public var captureMethod: String?

        public init(provider: String, configured: Bool, secretKeyHint: String?, publishableKey: String?, updatedAt: String?, captureMethod: String? = nil) {
            self.captureMethod = captureMethod
            self.provider = provider
            self.configured = configured
            self.secretKeyHint = secretKeyHint
            self.publishableKey = publishableKey
            self.updatedAt = updatedAt
        }
    }

    /// Checks and stores Stripe keys: `sk_test_…`, `sk_live_…` or a restricted `rk_…` key, a
    /// `whsec_…` webhook secret, and an optional `pk_…` publishable key.
    public func configureStripe(
        secretKey: String, webhookSecret: String, publishableKey: String?, captureMethod: String? = nil, actor: String, now: Date = Date()
    ) async throws -> View {
        var errors: [Problem.FieldError] = []
        let secretKey = secretKey.trimmingWhitespace()
        let webhookSecret = webhookSecret.trimmingWhitespace()
        let keyShape = ["sk_test_", "sk_live_", "rk_test_", "rk_live_"].contains { secretKey.hasPrefix($0) }
        if !keyShape || secretKey.count > 255 || secretKey.count < 16 || !secretKey.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
            errors.append(.init(field: "secretKey", message: "must be a Stripe secret key (sk_test_…, sk_live_… or rk_…)"))
        }
        if !webhookSecret.hasPrefix("whsec_") || webhookSecret.count > 255 || webhookSecret.count < 12 {
            errors.append(.init(field: "webhookSecret", message: "must be the endpoint's signing secret (whsec_…)"))
        }
        if let publishableKey, !(publishableKey.hasPrefix("pk_test_") || publishableKey.hasPrefix("pk_live_")) || publishableKey.count > 255 {
            errors.append(.init(field: "publishableKey", message: "must be a Stripe publishable key (pk_test_… or pk_live_…)"))
        }
        if let publishableKey, keyShape, publishableKey.hasPrefix("pk_live_") != (secretKey.hasPrefix("sk_live_") || secretKey.hasPrefix("rk_live_")) {
            errors.append(.init(field: "publishableKey", message: "must be of the same mode as the secret key (both test or both live)"))
        }
        if let captureMethod, !Self.captureMethods.contains(captureMethod) {
            errors.append(.init(field: "captureMethod", message: "must be automatic or manual"))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        let sealedKey = try secrets.seal(secretKey)
        let sealedWebhook = try secrets.seal(webhookSecret)
        let hint = String(secretKey.prefix(8)) + "…" + String(secretKey.suffix(4))
        try await database.write { sql in
            try await sql.raw(
                """
                INSERT INTO provider_credentials (provider, secret_key_sealed, webhook_secret_sealed, publishable_key, secret_key_hint, updated_at, capture_method)
                VALUES ('stripe', \(bind: sealedKey), \(bind: sealedWebhook), \(bind: publishableKey), \(bind: hint), \(bind: now.stamp), \(bind: captureMethod ?? "automatic"))
                ON CONFLICT (provider) DO UPDATE SET secret_key_sealed = excluded.secret_key_sealed, webhook_secret_sealed = excluded.webhook_secret_sealed,
                    publishable_key = excluded.publishable_key, secret_key_hint = excluded.secret_key_hint, updated_at = excluded.updated_at,
                    capture_method = COALESCE(\(bind: captureMethod), provider_credentials.capture_method)
                """
            ).run()
            // The test gateway closes now: its payments still under way end here, so none of
            // them completes (and none blocks a real payment of its order) later.
            try await sql.raw(
                """
                UPDATE payments SET status = 'cancelled', next_action_json = NULL, updated_at = \(bind: now.stamp)
                WHERE provider = 'test' AND status IN ('requires_action', 'authorized')
                """
            ).run()
            try await AuditLog.record(
                actor: actor, action: "payments.stripe_configured", subject: "stripe", summary: "Set the Stripe keys (\(hint))", now: now, on: sql)
        }
        return try await view(provider: StripeProvider.providerName)
    }

    public func remove(provider: String, actor: String, now: Date = Date()) async throws -> Bool {
        try await database.write { sql in
            guard try await sql.raw("DELETE FROM provider_credentials WHERE provider = \(bind: provider) RETURNING provider").first() != nil else {
                return false
            }
            try await AuditLog.record(
                actor: actor, action: "payments.provider_removed", subject: provider, summary: "Removed the \(provider) keys", now: now, on: sql)
            return true
        }
    }

    public func view(provider: String) async throws -> View {
        try await Self.view(provider: provider, database: database)
    }

    /// What `view` shows, read without the platform key (nothing is opened).
    public static func view(provider: String, database: any DatabaseHandle) async throws -> View {
        let row = try await database.read { sql in
            try await sql.raw(
                "SELECT secret_key_hint, publishable_key, updated_at, capture_method FROM provider_credentials WHERE provider = \(bind: provider)"
            ).first()
        }
        guard let row else { return View(provider: provider, configured: false, secretKeyHint: nil, publishableKey: nil, updatedAt: nil) }
        return View(
            provider: provider, configured: true, secretKeyHint: try row.decode(column: "secret_key_hint", as: String.self),
            publishableKey: try row.decode(column: "publishable_key", as: String?.self), updatedAt: try row.decode(column: "updated_at", as: String.self),
            captureMethod: try row.decode(column: "capture_method", as: String.self))
    }

    /// The opened keys, or nil when the provider is not configured.
    public func keys(provider: String) async throws -> Keys? {
        let row = try await database.read { sql in
            try await sql.raw(
                "SELECT secret_key_sealed, webhook_secret_sealed, publishable_key, capture_method FROM provider_credentials WHERE provider = \(bind: provider)"
            ).first()
        }
        guard let row else { return nil }
        return Keys(
            secretKey: try secrets.open(try row.decode(column: "secret_key_sealed", as: String.self)),
            webhookSecret: try secrets.open(try row.decode(column: "webhook_secret_sealed", as: String.self)),
            publishableKey: try row.decode(column: "publishable_key", as: String?.self),
            captureMethod: try row.decode(column: "capture_method", as: String.self))
    }
}
