/// A merchant's URL that receives signed events.
public struct WebhookEndpoint: Sendable, Encodable, Equatable {
    public var id: String
    public var url: String
    public var description: String
    public var topics: [WebhookTopic]
    public var createdAt: String
}

/// One event's delivery to one endpoint, with how its attempts went.
public struct WebhookDelivery: Sendable, Encodable, Equatable {
    public enum Status: String, Sendable, Encodable {
        case pending, succeeded, failed
    }

    public var id: String
    public var endpointId: String
    public var eventId: String
    public var topic: String
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: String?
    public var lastStatusCode: Int?
    public var lastError: String?
    public var lastAttemptAt: String?
    public var deliveredAt: String?
    public var createdAt: String
}
