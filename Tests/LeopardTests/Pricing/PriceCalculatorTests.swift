import Testing

@testable import LeopardCommerce

/// The one price calculation, case by case: exclusive and inclusive tax, classes, stacked
/// rates, tax on shipping, every kind of discount (before tax), rounding half up per line,
/// zero- and three-decimal currencies, and the flat rate of stores without rates.
@Suite("Price calculation")
struct PriceCalculatorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let input: Pricing.Input
        /// subtotal, discount, shipping, tax, total
        let expected: (Int, Int, Int, Int, Int)
        var lineTaxes: [Int]? = nil
        var taxLines: [Int]? = nil
        var discounts: [Int]? = nil
        var lineDiscounts: [Int]? = nil
        var testDescription: String { name }
    }

    static func line(_ id: String, _ price: Int, _ quantity: Int = 1, _ taxClass: TaxClass = .standard) -> Pricing.Line {
        Pricing.Line(id: id, unitPrice: price, quantity: quantity, taxClass: taxClass)
    }

    static func rate(_ name: String, _ percentTimes1000: Int, _ taxClass: TaxClass = .standard, shipping: Bool = false) -> Pricing.Rate {
        Pricing.Rate(name: name, partsPerMillion: percentTimes1000 * 10, taxClass: taxClass, appliesToShipping: shipping)
    }

    static func discount(_ effect: Pricing.Discount.Effect, lines: Set<String>? = nil) -> Pricing.Discount {
        Pricing.Discount(id: "d", code: "CODE", title: "Code", effect: effect, lineIDs: lines)
    }

    static let none = Pricing.TaxRule.rates([])
    static let us = Pricing.TaxRule.rates([rate("US-CA", 7_250)])
    static let de = Pricing.TaxRule.rates([rate("DE 19 %", 19_000, shipping: true), rate("DE 7 %", 7_000, .reduced)])
    static let gb = Pricing.TaxRule.rates([rate("GB VAT", 20_000, shipping: true)])
    static let bc = Pricing.TaxRule.rates([rate("GST", 5_000), rate("PST", 7_000)])

    static let exclusive: [Case] = [
        Case(name: "no tax, no shipping", input: .init(lines: [line("a", 1000)], tax: none), expected: (1000, 0, 0, 0, 1000)),
        Case(name: "a state rate on two units", input: .init(lines: [line("a", 1000, 2)], tax: us), expected: (2000, 0, 0, 145, 2145)),
        Case(
            name: "rounded per line: 2 × 164.9175 is 330", input: .init(lines: [line("a", 1999), line("b", 1999)], tax: .rates([rate("T", 8_250)])),
            expected: (3998, 0, 0, 330, 4328), lineTaxes: [165, 165]),
        Case(name: "half a unit rounds up", input: .init(lines: [line("a", 10)], tax: .rates([rate("T", 5_000)])), expected: (10, 0, 0, 1, 11)),
        Case(name: "under half rounds down", input: .init(lines: [line("a", 9)], tax: .rates([rate("T", 5_000)])), expected: (9, 0, 0, 0, 9)),
        Case(
            name: "an exempt line pays none", input: .init(lines: [line("a", 1000), line("b", 500, 1, .exempt)], tax: .rates([rate("T", 10_000)])),
            expected: (1500, 0, 0, 100, 1600), lineTaxes: [100, 0]),
        Case(
            name: "standard and reduced classes", input: .init(lines: [line("a", 1000), line("b", 1000, 1, .reduced)], tax: de),
            expected: (2000, 0, 0, 260, 2260), taxLines: [190, 70]),
        Case(name: "stacked rates add up", input: .init(lines: [line("a", 1000)], tax: bc), expected: (1000, 0, 0, 120, 1120), taxLines: [50, 70]),
        Case(name: "tax on shipping", input: .init(lines: [line("a", 1000)], shipping: 500, tax: gb), expected: (1000, 0, 500, 300, 1800)),
        Case(
            name: "shipping untaxed when the rate says so", input: .init(lines: [line("a", 1000)], shipping: 500, tax: .rates([rate("T", 20_000)])),
            expected: (1000, 0, 500, 200, 1700)),
        Case(
            name: "no lines: no shipping, nothing to pay", input: .init(lines: [], shipping: 500, tax: gb), expected: (0, 0, 0, 0, 0)),
        Case(
            name: "large amounts stay exact", input: .init(lines: [line("a", 1_000_000_000_000, 1000)], tax: .rates([rate("T", 19_000)])),
            expected: (1_000_000_000_000_000, 0, 0, 190_000_000_000_000, 1_190_000_000_000_000)),
    ]

    static let inclusive: [Case] = [
        Case(name: "119.00 holds 19.00", input: .init(lines: [line("a", 1190)], tax: de, pricesIncludeTax: true), expected: (1190, 0, 0, 190, 1190)),
        Case(name: "10.00 holds 1.60", input: .init(lines: [line("a", 1000)], tax: de, pricesIncludeTax: true), expected: (1000, 0, 0, 160, 1000)),
        Case(
            name: "rounded per line, net half up", input: .init(lines: [line("a", 999), line("b", 999)], tax: gb, pricesIncludeTax: true),
            expected: (1998, 0, 0, 332, 1998), lineTaxes: [166, 166]),
        Case(
            name: "shipping holds its tax too", input: .init(lines: [line("a", 1200)], shipping: 600, tax: gb, pricesIncludeTax: true),
            expected: (1200, 0, 600, 300, 1800)),
        Case(
            name: "stacked rates share the tax exactly", input: .init(lines: [line("a", 1120)], tax: bc, pricesIncludeTax: true),
            expected: (1120, 0, 0, 120, 1120), taxLines: [50, 70]),
        Case(
            name: "stacked rates: the odd unit goes to the larger remainder", input: .init(lines: [line("a", 1000)], tax: bc, pricesIncludeTax: true),
            expected: (1000, 0, 0, 107, 1000), taxLines: [45, 62]),
        Case(
            name: "reduced class inside the price", input: .init(lines: [line("a", 1070, 1, .reduced)], tax: de, pricesIncludeTax: true),
            expected: (1070, 0, 0, 70, 1070)),
        Case(
            name: "exempt inside an inclusive store", input: .init(lines: [line("a", 1000, 1, .exempt)], tax: de, pricesIncludeTax: true),
            expected: (1000, 0, 0, 0, 1000)),
    ]

    static let discounts: [Case] = [
        Case(
            name: "10 % of every line",
            input: .init(lines: [line("a", 1000), line("b", 500)], discounts: [discount(.percentage(basisPoints: 1000))], tax: none),
            expected: (1500, 150, 0, 0, 1350)),
        Case(
            name: "10 % of 9.99 rounds to 1.00", input: .init(lines: [line("a", 999)], discounts: [discount(.percentage(basisPoints: 1000))], tax: none),
            expected: (999, 100, 0, 0, 899)),
        Case(
            name: "a percentage on some lines only",
            input: .init(lines: [line("a", 1000), line("b", 1000)], discounts: [discount(.percentage(basisPoints: 2500), lines: ["b"])], tax: none),
            expected: (2000, 250, 0, 0, 1750)),
        Case(
            name: "a fixed amount split in proportion",
            input: .init(lines: [line("a", 1000), line("b", 500)], discounts: [discount(.fixedOrder(amount: 300))], tax: none),
            expected: (1500, 300, 0, 0, 1200)),
        Case(
            name: "a fixed amount's odd unit goes to the first line",
            input: .init(
                lines: [line("a", 100), line("b", 100), line("c", 100)], discounts: [discount(.fixedOrder(amount: 100))], tax: .rates([rate("T", 10_000)])),
            expected: (300, 100, 0, 21, 221), lineTaxes: [7, 7, 7], lineDiscounts: [34, 33, 33]),
        Case(
            name: "a fixed amount larger than the cart takes the lines to zero, not shipping",
            input: .init(lines: [line("a", 1000)], discounts: [discount(.fixedOrder(amount: 5000))], shipping: 500, tax: none),
            expected: (1000, 1000, 500, 0, 500)),
        Case(
            name: "an amount off each unit", input: .init(lines: [line("a", 500, 3)], discounts: [discount(.fixedEach(amount: 200))], tax: none),
            expected: (1500, 600, 0, 0, 900)),
        Case(
            name: "an amount off each unit stops at the price",
            input: .init(lines: [line("a", 500)], discounts: [discount(.fixedEach(amount: 700))], tax: none),
            expected: (500, 500, 0, 0, 0)),
        Case(
            name: "free shipping", input: .init(lines: [line("a", 1000)], discounts: [discount(.freeShipping)], shipping: 500, tax: none),
            expected: (1000, 500, 500, 0, 1000), discounts: [500]),
        Case(
            name: "free shipping with nothing to ship for", input: .init(lines: [line("a", 1000)], discounts: [discount(.freeShipping)], tax: none),
            expected: (1000, 0, 0, 0, 1000), discounts: [0]),
        Case(
            name: "buy 2, get 1 free",
            input: .init(lines: [line("a", 1000, 3)], discounts: [discount(.buyXGetY(buy: 2, get: 1, basisPoints: 10_000))], tax: none),
            expected: (3000, 1000, 0, 0, 2000)),
        Case(
            name: "buy 1, get the cheaper at half price",
            input: .init(lines: [line("a", 1000), line("b", 600)], discounts: [discount(.buyXGetY(buy: 1, get: 1, basisPoints: 5000))], tax: none),
            expected: (1600, 300, 0, 0, 1300)),
        Case(
            name: "buy 2, get 1: five units make one group",
            input: .init(lines: [line("a", 800, 5)], discounts: [discount(.buyXGetY(buy: 2, get: 1, basisPoints: 10_000))], tax: none),
            expected: (4000, 800, 0, 0, 3200)),
        Case(
            name: "buy 2, get 2: the cheapest units across lines",
            input: .init(lines: [line("a", 1000, 2), line("b", 400, 2)], discounts: [discount(.buyXGetY(buy: 2, get: 2, basisPoints: 10_000))], tax: none),
            expected: (2800, 800, 0, 0, 2000)),
        Case(
            name: "two discounts, each on what the first left",
            input: .init(lines: [line("a", 1000)], discounts: [discount(.percentage(basisPoints: 1000)), discount(.fixedOrder(amount: 100))], tax: none),
            expected: (1000, 200, 0, 0, 800), discounts: [100, 100]),
        Case(
            name: "discounts come off before tax",
            input: .init(lines: [line("a", 1000)], discounts: [discount(.percentage(basisPoints: 1000))], tax: .rates([rate("T", 20_000)])),
            expected: (1000, 100, 0, 180, 1080)),
        Case(
            name: "discounts come off before tax, inclusive",
            input: .init(lines: [line("a", 1200)], discounts: [discount(.percentage(basisPoints: 1000))], tax: gb, pricesIncludeTax: true),
            expected: (1200, 120, 0, 180, 1080)),
        Case(
            name: "free shipping leaves no tax on shipping",
            input: .init(lines: [line("a", 1000)], discounts: [discount(.freeShipping)], shipping: 500, tax: gb), expected: (1000, 500, 500, 200, 1200)),
        Case(
            name: "100 % off: only shipping is left",
            input: .init(lines: [line("a", 1000)], discounts: [discount(.percentage(basisPoints: 10_000))], shipping: 300, tax: gb),
            expected: (1000, 1000, 300, 60, 360)),
        Case(
            name: "more than 100 % is 100 %", input: .init(lines: [line("a", 1000)], discounts: [discount(.percentage(basisPoints: 20_000))], tax: none),
            expected: (1000, 1000, 0, 0, 0)),
        Case(
            name: "a fixed amount on a line already free takes nothing",
            input: .init(
                lines: [line("a", 1000), line("b", 1000)],
                discounts: [discount(.percentage(basisPoints: 10_000), lines: ["a"]), discount(.fixedOrder(amount: 100), lines: ["a"])], tax: none),
            expected: (2000, 1000, 0, 0, 1000), discounts: [1000, 0]),
    ]

    static let currencies: [Case] = [
        Case(name: "JPY has no decimals", input: .init(lines: [line("a", 1500)], tax: .rates([rate("JP", 10_000)])), expected: (1500, 0, 0, 150, 1650)),
        Case(
            name: "JPY inclusive, reduced rate",
            input: .init(lines: [line("a", 1080, 1, .reduced)], tax: .rates([rate("JP 8 %", 8_000, .reduced)]), pricesIncludeTax: true),
            expected: (1080, 0, 0, 80, 1080)),
        Case(name: "JPY rounds to the yen", input: .init(lines: [line("a", 1234)], tax: .rates([rate("JP", 10_000)])), expected: (1234, 0, 0, 123, 1357)),
        Case(name: "KWD has three decimals", input: .init(lines: [line("a", 12_345)], tax: .rates([rate("KW", 5_000)])), expected: (12_345, 0, 0, 617, 12_962)),
        Case(
            name: "KWD inclusive", input: .init(lines: [line("a", 10_500)], tax: .rates([rate("KW", 5_000)]), pricesIncludeTax: true),
            expected: (10_500, 0, 0, 500, 10_500)),
        Case(
            name: "JPY: 10 % off 999 yen is 100 yen", input: .init(lines: [line("a", 999)], discounts: [discount(.percentage(basisPoints: 1000))], tax: none),
            expected: (999, 100, 0, 0, 899)),
    ]

    static let flat: [Case] = [
        Case(
            name: "flat rate rounds once on the sum, not on shipping",
            input: .init(lines: [line("a", 1999), line("b", 1999)], shipping: 500, tax: .flat(basisPoints: 825)),
            expected: (3998, 0, 500, 330, 4828)),
        Case(
            name: "flat rate skips exempt lines", input: .init(lines: [line("a", 1000), line("b", 1000, 1, .exempt)], tax: .flat(basisPoints: 1000)),
            expected: (2000, 0, 0, 100, 2100), lineTaxes: [100, 0]),
        Case(
            name: "flat rate shown on the lines in proportion", input: .init(lines: [line("a", 1000), line("b", 500)], tax: .flat(basisPoints: 1000)),
            expected: (1500, 0, 0, 150, 1650), lineTaxes: [100, 50], taxLines: [150]),
        Case(
            name: "flat rate inside prices", input: .init(lines: [line("a", 1100)], tax: .flat(basisPoints: 1000), pricesIncludeTax: true),
            expected: (1100, 0, 0, 100, 1100)),
        Case(
            name: "flat zero rate", input: .init(lines: [line("a", 1100)], shipping: 100, tax: .flat(basisPoints: 0)), expected: (1100, 0, 100, 0, 1200),
            taxLines: []),
        Case(
            name: "flat rate after a discount",
            input: .init(lines: [line("a", 2000)], discounts: [discount(.fixedOrder(amount: 500))], tax: .flat(basisPoints: 1000)),
            expected: (2000, 500, 0, 150, 1650)),
    ]

    @Test("totals", arguments: exclusive + inclusive + discounts + currencies + flat)
    func totals(_ example: Case) {
        let result = Pricing.calculate(example.input)
        let (subtotal, discount, shipping, tax, total) = example.expected
        #expect(result.subtotal == subtotal, "subtotal")
        #expect(result.discount == discount, "discount")
        #expect(result.shipping == shipping, "shipping")
        #expect(result.tax == tax, "tax")
        #expect(result.total == total, "total")
        if let lineTaxes = example.lineTaxes { #expect(result.lines.map(\.tax) == lineTaxes) }
        if let taxLines = example.taxLines { #expect(result.taxLines.map(\.amount) == taxLines) }
        if let discounts = example.discounts { #expect(result.discounts.map(\.amount) == discounts) }
        if let lineDiscounts = example.lineDiscounts { #expect(result.lines.map(\.discount) == lineDiscounts) }
        // What every result keeps, whatever the case.
        #expect(result.lines.map(\.tax).reduce(0, +) + result.shippingTax == result.tax)
        #expect(result.taxLines.map(\.amount).reduce(0, +) == result.tax)
        #expect(result.lines.map(\.discount).reduce(0, +) + result.shippingDiscount == result.discount)
        #expect(result.discounts.map(\.amount).reduce(0, +) == result.discount)
        #expect(result.total >= 0 && result.lines.allSatisfy { $0.discount <= $0.subtotal })
    }

    @Test("there are at least 40 cases")
    func enough() {
        #expect((Self.exclusive + Self.inclusive + Self.discounts + Self.currencies + Self.flat).count >= 40)
    }

    @Test(
        "a split never loses or invents a unit", arguments: [(100, [1, 1, 1]), (7, [3, 0, 5]), (1, [1, 1]), (0, [4, 5]), (999_999_999_999, [7, 11, 13])])
    func allocation(amount: Int, weights: [Int]) {
        let parts = MinorUnits.allocate(amount, over: weights)
        #expect(parts.reduce(0, +) == (weights.reduce(0, +) > 0 ? amount : 0))
        #expect(zip(parts, weights).allSatisfy { $1 > 0 || $0 == 0 })
    }
}
