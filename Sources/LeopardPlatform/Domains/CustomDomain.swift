import Foundation

/// A domain a store asked for: `pending` until the TXT record `_leopard.HOSTNAME` holds its
/// value, then `verified` and served.
public struct CustomDomain: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case pending
        case verified
    }

    public var hostname: String
    public var tenantID: String
    public var status: Status
    /// The random part of the TXT value.
    public var token: String
    public var createdAt: Date
    public var verifiedAt: Date?
    public var checkedAt: Date?
    /// What the last failed check found.
    public var lastError: String?

    /// The TXT record that proves control of the domain.
    public var verificationName: String { "_leopard." + hostname }
    public var verificationValue: String { "leopard-verify=" + token }

    public init(
        hostname: String, tenantID: String, status: Status, token: String, createdAt: Date, verifiedAt: Date? = nil, checkedAt: Date? = nil,
        lastError: String? = nil
    ) {
        self.hostname = hostname
        self.tenantID = tenantID
        self.status = status
        self.token = token
        self.createdAt = createdAt
        self.verifiedAt = verifiedAt
        self.checkedAt = checkedAt
        self.lastError = lastError
    }
}
