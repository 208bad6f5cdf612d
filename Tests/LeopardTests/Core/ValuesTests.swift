import Foundation
import Testing

@testable import LeopardCommerce
@testable import LeopardCore
@testable import LeopardPayments

@Suite("Values: money, pages, proxies")
struct ValuesTests {
    @Test("an amount is whole minor units or {amount, currency}; out of range or another currency is a field error")
    func moneyInput() throws {
        let flat = try JSONDecoder().decode(MoneyInput.self, from: Data("1999".utf8))
        #expect(flat == MoneyInput(amount: 1999))
        let object = try JSONDecoder().decode(MoneyInput.self, from: Data(#"{"amount": 500, "currency": "eur"}"#.utf8))
        #expect(object == MoneyInput(amount: 500, currency: "eur"))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(MoneyInput.self, from: Data("19.99".utf8)) }
        #expect(object.problems(field: "price", storeCurrency: "EUR").isEmpty)
        #expect(object.problems(field: "price", storeCurrency: "USD").map(\.field) == ["price.currency"])
        #expect(MoneyInput(amount: -1).problems(field: "price", storeCurrency: "USD").map(\.field) == ["price.amount"])
        #expect(MoneyInput(amount: 0).problems(field: "price", storeCurrency: "USD", allowZero: false).map(\.field) == ["price.amount"])
        #expect(MoneyInput(amount: Money.maximumAmount).problems(field: "p", storeCurrency: "USD").isEmpty)
        #expect(!MoneyInput(amount: Money.maximumAmount + 1).problems(field: "p", storeCurrency: "USD").isEmpty)
        #expect(Currency.isKnown("JPY") && Currency.minorUnits["JPY"] == 0 && !Currency.isKnown("XXX"))
    }

    @Test("the flat rate: tax rounds half up on the subtotal, shipping only with items, no overflow at the largest amounts")
    func totals() {
        func flat(_ subtotal: Int, items: Bool = true, shipping: Int = 0, basisPoints: Int) -> Pricing.Result {
            let lines = items ? [Pricing.Line(id: "a", unitPrice: subtotal, quantity: 1)] : []
            return Pricing.calculate(.init(lines: lines, shipping: shipping, tax: .flat(basisPoints: basisPoints)))
        }
        let totals = flat(1999, shipping: 500, basisPoints: 825)
        #expect(totals.tax == 165)  // 164.9175 → 165
        #expect(totals.total == 1999 + 500 + 165)
        #expect(flat(200, basisPoints: 250).tax == 5)  // 5.0 exactly
        #expect(flat(20, basisPoints: 2_500).tax == 5)  // 5.0
        #expect(flat(2, basisPoints: 2_500).tax == 1)  // 0.5 → 1
        #expect(flat(0, items: false, shipping: 500, basisPoints: 825).total == 0)
        let huge = flat(100 * Money.maximumAmount, basisPoints: 10_000)
        #expect(huge.tax == 100 * Money.maximumAmount)
    }

    @Test("a page request: limit 1 to 100 (default 20), a cursor this API made; both errors at once")
    func pageRequest() throws {
        #expect(try PageRequest(limit: nil, cursor: nil) == PageRequest(limit: 20, after: nil))
        #expect(try PageRequest(limit: "100", cursor: "").limit == 100)
        let cursor = Cursor.encode("ord_01")
        #expect(try PageRequest(limit: "5", cursor: cursor).after == "ord_01")
        do {
            _ = try PageRequest(limit: "101", cursor: "not a cursor")
            Issue.record("accepted a limit of 101 and a made-up cursor")
        } catch {
            #expect(error.status == 422)
            #expect(error.errors.map(\.field) == ["limit", "cursor"])
        }
        #expect(throws: Problem.self) { try PageRequest(limit: "0", cursor: nil) }
        #expect(throws: Problem.self) { try PageRequest(limit: "ten", cursor: nil) }
    }

    @Test("trusted proxies: loopback always; networks by prefix; IPv4 seen as IPv6; bad entries refused")
    func trustedProxies() throws {
        #expect(TrustedProxies.local.trusts("127.0.0.1") && TrustedProxies.local.trusts("::1"))
        #expect(!TrustedProxies.local.trusts("10.0.0.1"))
        let proxies = try TrustedProxies(parsing: "10.0.0.0/8, fd00::/8, 192.0.2.7")
        #expect(proxies.trusts("10.200.3.4") && proxies.trusts("::ffff:10.1.1.1") && proxies.trusts("fd12::1") && proxies.trusts("192.0.2.7"))
        #expect(!proxies.trusts("11.0.0.1") && !proxies.trusts("192.0.2.8") && !proxies.trusts("fe80::1") && !proxies.trusts("not an address"))
        #expect(proxies.client(peer: "10.0.0.2", forwardedFor: "203.0.113.9, 10.0.0.3") == "203.0.113.9")
        #expect(proxies.client(peer: "203.0.113.1", forwardedFor: "198.51.100.7") == "203.0.113.1")
        #expect(proxies.client(peer: "10.0.0.2", forwardedFor: nil) == "10.0.0.2")
        for bad in ["10.0.0.0/33", "fd00::/129", "10.0.0", "example.com", "10.0.0.0/8/8"] {
            #expect(throws: TrustedProxies.Invalid.self, "\(bad)") { try TrustedProxies(parsing: bad) }
        }
        #expect(try TrustedProxies(parsing: "") == TrustedProxies.local)
    }
}

@Suite("Transitions: orders and payments move only forward")
struct TransitionTests {
    @Test("orders: the explicit table, and nothing out of a final state")
    func orders() {
        let allowed: Set<String> = [
            "pending→paid", "pending→cancelled", "pending→expired", "paid→fulfilled", "paid→refunded", "paid→partially_refunded",
            "fulfilled→refunded", "fulfilled→partially_refunded", "partially_refunded→refunded",
            "partially_refunded→partially_refunded", "partially_refunded→fulfilled",
        ]
        for from in OrderStatus.allCases {
            for to in OrderStatus.allCases {
                #expect(from.canMove(to: to) == allowed.contains("\(from.rawValue)→\(to.rawValue)"), "\(from) → \(to)")
            }
        }
    }

    @Test("payments: forward only; failed, cancelled and refunded are final; cancel only before capture")
    func payments() {
        let final: [PaymentStatus] = [.failed, .cancelled, .refunded]
        for from in final {
            for to in PaymentStatus.allCases { #expect(!from.canBecome(to), "\(from) → \(to)") }
        }
        #expect(PaymentStatus.requiresAction.canBecome(.authorized) && PaymentStatus.authorized.canBecome(.captured))
        #expect(PaymentStatus.requiresAction.canBecome(.cancelled) && PaymentStatus.authorized.canBecome(.failed))
        #expect(!PaymentStatus.captured.canBecome(.cancelled) && !PaymentStatus.captured.canBecome(.failed))
        #expect(!PaymentStatus.captured.canBecome(.authorized) && !PaymentStatus.captured.canBecome(.requiresAction))
        #expect(PaymentStatus.captured.canBecome(.partiallyRefunded) && PaymentStatus.partiallyRefunded.canBecome(.partiallyRefunded))
        #expect(PaymentStatus.partiallyRefunded.canBecome(.refunded) && !PaymentStatus.refunded.canBecome(.partiallyRefunded))
    }

    @Test("a stored status this version does not know is an error naming it, not another status")
    func unknownStatuses() throws {
        #expect(throws: UnknownStoredValue.self) { try PaymentStatus.stored("disputed") }
        #expect(throws: UnknownStoredValue.self) { try OrderStatus.stored("on_hold") }
        #expect(try PaymentStatus.stored("partially_refunded") == .partiallyRefunded)
    }
}
