import Foundation
import LeopardCommerce
import LeopardCore

/// The admin's webhook endpoints: the list, a form for a new one (its signing secret shown
/// once, right after), and each endpoint's delivery log with "send again".
public struct WebhooksPage: Sendable {
    public struct Row: Sendable {
        public let id: String
        public let url: String
        public let description: String
        public let topics: String
    }

    public struct Topic: Sendable {
        public let value: String
        public let checked: Bool
    }

    public let rows: [Row]
    public let empty: Bool
    public let nextUrl: String?
    public let topics: [Topic]
    public let values: [String: String]
    public let errors: [String: String]
    public let general: String?
    /// The new endpoint's signing secret, on the page right after it was added.
    public let secret: String?
    public let secretFor: String?

    public init(
        page: Page<WebhookEndpoint>, values: [String: String], chosen: Set<String>, errors: FieldMessages, created: WebhookEndpoints.Created? = nil
    ) {
        rows = page.data.map { Row(id: $0.id, url: $0.url, description: $0.description, topics: $0.topics.map(\.rawValue).joined(separator: ", ")) }
        empty = rows.isEmpty
        nextUrl = page.nextCursor.map { "/admin/webhooks?cursor=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") }
        topics = WebhookTopic.allCases.map { Topic(value: $0.rawValue, checked: chosen.contains($0.rawValue)) }
        self.values = values
        self.errors = errors.messages
        general = errors.general
        secret = created?.secret
        secretFor = created?.endpoint.url
    }
}

public struct WebhookPage: Sendable {
    public struct Delivery: Sendable {
        public let id: String
        public let endpointId: String
        public let topic: String
        public let status: String
        public let attempts: Int
        public let response: String
        public let when: String
        public let canRedeliver: Bool
    }

    public struct Filter: Sendable {
        public let label: String
        public let url: String
        public let current: Bool
    }

    public let id: String
    public let url: String
    public let description: String
    public let topics: String
    public let deliveries: [Delivery]
    public let empty: Bool
    public let filters: [Filter]
    public let nextUrl: String?
    public let error: String?

    public init(endpoint: WebhookEndpoint, deliveries page: Page<WebhookDelivery>, status: String?, error: String? = nil) {
        (id, url, description) = (endpoint.id, endpoint.url, endpoint.description)
        topics = endpoint.topics.map(\.rawValue).joined(separator: ", ")
        func minutes(_ stamp: String) -> String { String(stamp.prefix(16)).replacingOccurrences(of: "T", with: " ") }
        deliveries = page.data.map { delivery in
            let response = delivery.lastStatusCode.map { "HTTP \($0)" } ?? delivery.lastError.map { String($0.prefix(120)) } ?? ""
            return Delivery(
                id: delivery.id, endpointId: endpoint.id, topic: delivery.topic, status: delivery.status.rawValue, attempts: delivery.attempts,
                response: response,
                when: minutes(delivery.lastAttemptAt ?? delivery.createdAt), canRedeliver: delivery.status != .pending)
        }
        empty = deliveries.isEmpty
        let base = "/admin/webhooks/\(endpoint.id)"
        filters = [("All", nil), ("Failed", "failed"), ("Pending", "pending"), ("Succeeded", "succeeded")].map { label, value in
            Filter(label: label, url: value.map { base + "?status=" + $0 } ?? base, current: value == status)
        }
        nextUrl = page.nextCursor.map {
            base + "?" + (status.map { "status=\($0)&" } ?? "") + "cursor=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        }
        self.error = error
    }
}
