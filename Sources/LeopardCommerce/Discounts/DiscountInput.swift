import Foundation
import LeopardCore

/// The body of `POST /api/discounts` and `PATCH /api/discounts/:id`. On `PATCH` absent fields
/// keep their values; `null` clears the optional ones (limits, dates, minimums).
public struct DiscountInput: Decodable, Sendable {
    public var code: Patch<String> = .absent
    public var title: String?
    public var kind: String?
    public var value: Decimal?
    public var appliesTo: String?
    public var buyQuantity: Int?
    public var getQuantity: Int?
    public var minSubtotal: Patch<MoneyInput> = .absent
    public var minQuantity: Patch<Int> = .absent
    public var productIds: [String]?
    public var categoryIds: [String]?
    public var customerIds: [String]?
    /// Customers by e-mail address, added to `customerIds` (each must be a customer here).
    public var customerEmails: [String]?
    public var customerTags: [String]?
    public var startsAt: Patch<String> = .absent
    public var endsAt: Patch<String> = .absent
    public var usageLimit: Patch<Int> = .absent
    public var perCustomerLimit: Patch<Int> = .absent
    public var combinable: Bool?
    public var automatic: Bool?
    public var active: Bool?

    enum CodingKeys: String, CodingKey {
        case code, title, kind, value, appliesTo, buyQuantity, getQuantity, minSubtotal, minQuantity, productIds, categoryIds, customerIds, customerEmails
        case customerTags, startsAt, endsAt, usageLimit, perCustomerLimit, combinable, automatic, active
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decodePatch(String.self, forKey: .code)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        value = try c.decodeIfPresent(Decimal.self, forKey: .value)
        appliesTo = try c.decodeIfPresent(String.self, forKey: .appliesTo)
        buyQuantity = try c.decodeIfPresent(Int.self, forKey: .buyQuantity)
        getQuantity = try c.decodeIfPresent(Int.self, forKey: .getQuantity)
        minSubtotal = try c.decodePatch(MoneyInput.self, forKey: .minSubtotal)
        minQuantity = try c.decodePatch(Int.self, forKey: .minQuantity)
        productIds = try c.decodeIfPresent([String].self, forKey: .productIds)
        categoryIds = try c.decodeIfPresent([String].self, forKey: .categoryIds)
        customerIds = try c.decodeIfPresent([String].self, forKey: .customerIds)
        customerEmails = try c.decodeIfPresent([String].self, forKey: .customerEmails)
        customerTags = try c.decodeIfPresent([String].self, forKey: .customerTags)
        startsAt = try c.decodePatch(String.self, forKey: .startsAt)
        endsAt = try c.decodePatch(String.self, forKey: .endsAt)
        usageLimit = try c.decodePatch(Int.self, forKey: .usageLimit)
        perCustomerLimit = try c.decodePatch(Int.self, forKey: .perCustomerLimit)
        combinable = try c.decodeIfPresent(Bool.self, forKey: .combinable)
        automatic = try c.decodeIfPresent(Bool.self, forKey: .automatic)
        active = try c.decodeIfPresent(Bool.self, forKey: .active)
    }

    /// The discount this input makes of `current` (nil: a new one), checked field by field.
    func applied(to current: Discount?, id: String, currency: String, now: String) throws(Problem) -> Discount {
        var errors: [Problem.FieldError] = []
        func fail(_ field: String, _ message: String) { errors.append(.init(field: field, message: message)) }
        let automatic = self.automatic ?? current?.automatic ?? false
        var code = code.applied(to: current?.code)?.trimmingWhitespace().uppercased()
        if automatic { code = nil }
        if let text = code, !(1...64).contains(text.count) || !text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            fail("code", "must be 1 to 64 letters, digits, - or _")
        }
        if code == nil && !automatic { fail("code", "is required unless the discount is automatic") }
        let kindText = kind ?? current?.kind.rawValue ?? ""
        let kind = Discount.Kind(rawValue: kindText)
        if kind == nil { fail("kind", "must be one of percentage, fixed, free_shipping, buy_x_get_y") }
        let appliesTo = Discount.AppliesTo(rawValue: self.appliesTo ?? current?.appliesTo.rawValue ?? "order")
        if appliesTo == nil { fail("appliesTo", "must be order or item") }
        let value = self.value ?? current?.value ?? (kind == .buyXGetY ? 100 : 0)
        let stored = Self.stored(value, kind: kind, fail: fail)
        let buy = buyQuantity ?? current?.buyQuantity
        let get = getQuantity ?? current?.getQuantity
        if kind == .buyXGetY {
            if !(1...100).contains(buy ?? 0) { fail("buyQuantity", "must be from 1 to 100 for buy_x_get_y") }
            if !(1...100).contains(get ?? 0) { fail("getQuantity", "must be from 1 to 100 for buy_x_get_y") }
        }
        let minSubtotal = minSubtotal.applied(to: current?.minSubtotal.map { MoneyInput(amount: $0.amount) })
        if let minSubtotal { errors += minSubtotal.problems(field: "minSubtotal", storeCurrency: currency) }
        let minQuantity = minQuantity.applied(to: current?.minQuantity)
        if let minQuantity, !(1...Carts.maximumQuantity).contains(minQuantity) { fail("minQuantity", "must be from 1 to \(Carts.maximumQuantity)") }
        for (field, ids) in [("productIds", productIds), ("categoryIds", categoryIds), ("customerIds", customerIds)] {
            if let ids, ids.count > 100 || ids.contains(where: { $0.isEmpty || $0.utf8.count > 64 }) { fail(field, "must be at most 100 ids") }
        }
        var tags = current?.customerTags ?? []
        if let customerTags {
            do { tags = try CustomerRecords.normalized(customerTags, field: "customerTags") } catch { errors += error.errors }
        }
        let startsAt = startsAt.applied(to: current?.startsAt)
        let endsAt = endsAt.applied(to: current?.endsAt)
        for (field, text) in [("startsAt", startsAt), ("endsAt", endsAt)] where text.map(Timestamp.date) == .some(nil) {
            fail(field, "must be an ISO 8601 time such as 2026-12-24T00:00:00Z")
        }
        let start = startsAt.flatMap(Timestamp.date)
        let end = endsAt.flatMap(Timestamp.date)
        if let start, let end, end <= start { fail("endsAt", "must be after startsAt") }
        let usageLimit = usageLimit.applied(to: current?.usageLimit)
        let perCustomerLimit = perCustomerLimit.applied(to: current?.perCustomerLimit)
        for (field, limit) in [("usageLimit", usageLimit), ("perCustomerLimit", perCustomerLimit)] where limit.map({ $0 < 1 || $0 > 1_000_000_000 }) == true {
            fail(field, "must be from 1 to 1000000000")
        }
        let title = (title ?? current?.title ?? code ?? "Automatic discount").trimmingWhitespace()
        if title.isEmpty || title.count > 100 { fail("title", "must be 1 to 100 characters") }
        guard errors.isEmpty, let kind, let appliesTo else { throw Problem.validation(errors) }
        return Discount(
            id: id, code: code, title: title, kind: kind, value: value, appliesTo: appliesTo, buyQuantity: kind == .buyXGetY ? buy : nil,
            getQuantity: kind == .buyXGetY ? get : nil, minSubtotal: minSubtotal.map { Money(amount: $0.amount, currency: currency) }, minQuantity: minQuantity,
            productIds: productIds ?? current?.productIds ?? [], categoryIds: categoryIds ?? current?.categoryIds ?? [],
            customerIds: customerIds ?? current?.customerIds ?? [], customerTags: tags, startsAt: start?.stamp, endsAt: end?.stamp, usageLimit: usageLimit,
            perCustomerLimit: perCustomerLimit, timesUsed: current?.timesUsed ?? 0, combinable: combinable ?? current?.combinable ?? false,
            automatic: automatic, active: active ?? current?.active ?? true, createdAt: current?.createdAt ?? now, updatedAt: now, stored: stored)
    }

    /// Percent → basis points (at most two decimals), or a whole amount of minor units.
    static func stored(_ value: Decimal, kind: Discount.Kind?, fail: (String, String) -> Void) -> Int {
        switch kind {
        case .percentage, .buyXGetY:
            let basisPoints = value * 100
            var rounded = Decimal()
            var copy = basisPoints
            NSDecimalRound(&rounded, &copy, 0, .plain)
            guard value > 0, value <= 100, rounded == basisPoints else {
                fail("value", "must be a percentage above 0 and at most 100, with at most two decimals")
                return 0
            }
            return NSDecimalNumber(decimal: rounded).intValue
        case .fixed:
            guard value >= 1, value <= Decimal(Money.maximumAmount), value == value.rounded() else {
                fail("value", "must be a whole number of minor units from 1 to \(Money.maximumAmount)")
                return 0
            }
            return NSDecimalNumber(decimal: value).intValue
        case .freeShipping, nil:
            return 0
        }
    }
}

extension Decimal {
    /// Rounded to a whole number (half up).
    func rounded() -> Decimal {
        var result = Decimal()
        var copy = self
        NSDecimalRound(&result, &copy, 0, .plain)
        return result
    }
}
