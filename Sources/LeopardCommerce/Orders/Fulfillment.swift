import Foundation
import LeopardCore

/// One shipment of an order: which lines, how many of each, and how to follow it.
public struct Fulfillment: Sendable, Encodable {
    public struct Line: Sendable, Codable, Equatable {
        public var lineId: String
        public var quantity: Int

        public init(lineId: String, quantity: Int) {
            self.lineId = lineId
            self.quantity = quantity
        }
    }

    public var id: String
    public var lines: [Line]
    public var carrier: String?
    public var trackingNumber: String?
    public var trackingUrl: String?
    public var createdBy: String
    public var createdAt: String
}

/// A request to ship: the lines and quantities (none given: everything not shipped yet) and
/// the carrier's tracking.
public struct FulfillmentInput: Decodable, Sendable {
    public var lines: [Fulfillment.Line]?
    public var carrier: String?
    public var trackingNumber: String?
    public var trackingUrl: String?

    public init(lines: [Fulfillment.Line]? = nil, carrier: String? = nil, trackingNumber: String? = nil, trackingUrl: String? = nil) {
        self.lines = lines
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.trackingUrl = trackingUrl
    }

    /// The tracking fields checked and trimmed (blank is none), every field's error at once.
    public func tracking() throws -> (carrier: String?, number: String?, url: String?) {
        var errors: [Problem.FieldError] = []
        func text(_ value: String?, _ field: String, _ limit: Int) -> String? {
            guard let value = value?.trimmingWhitespace(), !value.isEmpty else { return nil }
            if value.count > limit || value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                errors.append(.init(field: field, message: "must be at most \(limit) characters, without control characters"))
            }
            return value
        }
        let carrier = text(self.carrier, "carrier", 100)
        let number = text(trackingNumber, "trackingNumber", 100)
        let url = text(trackingUrl, "trackingUrl", 2000)
        if let url {
            let parsed = URLComponents(string: url)
            if !["http", "https"].contains(parsed?.scheme?.lowercased() ?? "") || (parsed?.host ?? "").isEmpty {
                errors.append(.init(field: "trackingUrl", message: "must be an http or https address"))
            }
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return (carrier, number, url)
    }
}

/// Items that came back: which lines, how many, what they were worth, and how much of that has
/// been refunded.
public struct OrderReturn: Sendable, Encodable {
    public struct Line: Sendable, Encodable, Equatable {
        public var lineId: String
        public var quantity: Int
        /// What the shopper paid for these items (the line's price after discounts, with tax
        /// added on top when it was), in minor units.
        public var amount: Int
    }

    public var id: String
    public var lines: [Line]
    public var reason: String
    public var restock: Bool
    public var amount: Money
    public var refundedAmount: Money
    public var createdBy: String
    public var createdAt: String
}

/// A request to record a return: lines and quantities, whether they go back into stock, and why.
public struct ReturnInput: Decodable, Sendable {
    public var lines: [Fulfillment.Line]
    public var restock: Bool?
    public var reason: String?

    public init(lines: [Fulfillment.Line], restock: Bool? = nil, reason: String? = nil) {
        self.lines = lines
        self.restock = restock
        self.reason = reason
    }
}

extension [Fulfillment.Line] {
    /// Lines named once each with a quantity of at least 1 (field errors otherwise), at most 250.
    public func checked(field: String = "lines") throws -> [Fulfillment.Line] {
        var errors: [Problem.FieldError] = []
        if isEmpty { errors.append(.init(field: field, message: "must name at least one line")) }
        if count > 250 { errors.append(.init(field: field, message: "must name at most 250 lines")) }
        var seen: Set<String> = []
        for (index, line) in enumerated() {
            if line.quantity < 1 || line.quantity > 1_000_000 { errors.append(.init(field: "\(field).\(index).quantity", message: "must be at least 1")) }
            if !seen.insert(line.lineId).inserted { errors.append(.init(field: "\(field).\(index).lineId", message: "names a line already named")) }
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return self
    }
}
