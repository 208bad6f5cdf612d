/// The one calculation behind every total a shopper, the admin or the API sees: cart, checkout
/// and order. Pure: the same input always gives the same result, and nothing is read or
/// written. Discounts come off before tax, in the order given, each on what the ones before it
/// left; tax is worked out per line and rounded half up per line and rate (see
/// `docs/checkout-economics.md`).
extension Pricing {
    public static func calculate(_ input: Input) -> Result {
        let subtotals = input.lines.map { $0.unitPrice * $0.quantity }
        var lineDiscounts = input.lines.map { _ in 0 }
        let shipping = input.lines.isEmpty ? 0 : input.shipping ?? 0
        var shippingDiscount = 0
        var applied: [DiscountLine] = []
        for discount in input.discounts {
            let eligible = input.lines.indices.filter { discount.lineIDs?.contains(input.lines[$0].id) ?? true }
            let remaining = input.lines.indices.map { subtotals[$0] - lineDiscounts[$0] }
            var amounts = input.lines.map { _ in 0 }
            var offShipping = 0
            switch discount.effect {
            case .percentage(let basisPoints):
                for index in eligible { amounts[index] = min(MinorUnits.scale(remaining[index], by: min(basisPoints, 10_000), over: 10_000), remaining[index]) }
            case .fixedOrder(let amount):
                let base = eligible.map { remaining[$0] }
                let parts = MinorUnits.allocate(min(amount, base.reduce(0, +)), over: base)
                for (position, index) in eligible.enumerated() { amounts[index] = parts[position] }
            case .fixedEach(let amount):
                for index in eligible { amounts[index] = min(amount * input.lines[index].quantity, remaining[index]) }
            case .freeShipping:
                offShipping = shipping - shippingDiscount
            case .buyXGetY(let buy, let get, let basisPoints):
                amounts = buyXGetY(input.lines, eligible: eligible, remaining: remaining, buy: buy, get: get, basisPoints: basisPoints)
            }
            for index in input.lines.indices { lineDiscounts[index] += amounts[index] }
            shippingDiscount += offShipping
            applied.append(DiscountLine(id: discount.id, code: discount.code, title: discount.title, amount: amounts.reduce(0, +) + offShipping))
        }
        let taxable = input.lines.indices.map { subtotals[$0] - lineDiscounts[$0] }
        let taxes = tax(input, taxable: taxable, shipping: shipping - shippingDiscount)
        let subtotal = subtotals.reduce(0, +)
        let discount = lineDiscounts.reduce(0, +) + shippingDiscount
        let tax = taxes.lines.reduce(0, +) + taxes.shipping
        let lines = input.lines.indices.map { index in
            LineResult(id: input.lines[index].id, subtotal: subtotals[index], discount: lineDiscounts[index], tax: taxes.lines[index])
        }
        return Result(
            lines: lines, subtotal: subtotal, discount: discount, shipping: shipping, shippingDiscount: shippingDiscount, shippingTax: taxes.shipping,
            tax: tax, total: subtotal - discount + shipping + (input.pricesIncludeTax ? 0 : tax), taxLines: taxes.taxLines, discounts: applied)
    }

    /// The cheapest eligible units, `get` of every `buy + get`, at `basisPoints` off.
    static func buyXGetY(_ lines: [Line], eligible: [Int], remaining: [Int], buy: Int, get: Int, basisPoints: Int) -> [Int] {
        var amounts = lines.map { _ in 0 }
        guard buy >= 0, get > 0 else { return amounts }
        // The cheapest lines first, each giving as many of its units as are still to be free:
        // arithmetic per line, never a list of units.
        let units = eligible.reduce(0) { $0 + max(lines[$1].quantity, 0) }
        var free = units / (buy + get) * get
        for index in eligible.sorted(by: { lines[$0].unitPrice != lines[$1].unitPrice ? lines[$0].unitPrice < lines[$1].unitPrice : $0 < $1 }) {
            guard free > 0 else { break }
            let taken = min(max(lines[index].quantity, 0), free)
            amounts[index] = MinorUnits.scale(lines[index].unitPrice, by: min(basisPoints, 10_000), over: 10_000) * taken
            free -= taken
        }
        return lines.indices.map { min(amounts[$0], remaining[$0]) }
    }

    struct Taxes {
        var lines: [Int]
        var shipping: Int
        var taxLines: [TaxLine]
    }

    static func tax(_ input: Input, taxable: [Int], shipping: Int) -> Taxes {
        switch input.tax {
        case .flat(let basisPoints):
            return flatTax(input, taxable: taxable, basisPoints: basisPoints)
        case .rates(let rates):
            var totals: [String: Int] = [:]
            var taxes = Taxes(lines: [], shipping: 0, taxLines: [])
            for (index, line) in input.lines.enumerated() {
                let parts = amounts(in: taxable[index], rates: rates.filter { $0.taxClass == line.taxClass && line.taxClass != .exempt }, input: input)
                for (rate, amount) in parts { totals[key(rate), default: 0] += amount }
                taxes.lines.append(parts.reduce(0) { $0 + $1.amount })
            }
            let shippingParts = amounts(in: shipping, rates: rates.filter { $0.appliesToShipping && $0.taxClass == .standard }, input: input)
            for (rate, amount) in shippingParts { totals[key(rate), default: 0] += amount }
            taxes.shipping = shippingParts.reduce(0) { $0 + $1.amount }
            var seen: Set<String> = []
            for rate in rates where seen.insert(key(rate)).inserted {
                guard let amount = totals[key(rate)], amount > 0 else { continue }
                taxes.taxLines.append(TaxLine(name: rate.name, partsPerMillion: rate.partsPerMillion, amount: amount))
            }
            return taxes
        }
    }

    private static func key(_ rate: Rate) -> String { "\(rate.name)|\(rate.partsPerMillion)" }

    /// The tax in (or on) one amount for the rates that apply to it, rate by rate.
    static func amounts(in amount: Int, rates: [Rate], input: Input) -> [(rate: Rate, amount: Int)] {
        guard amount > 0, !rates.isEmpty else { return [] }
        guard input.pricesIncludeTax else {
            return rates.map { ($0, MinorUnits.scale(amount, by: $0.partsPerMillion, over: 1_000_000)) }
        }
        // The amount holds its tax: take the net out once, then split the tax between the rates.
        let combined = rates.reduce(0) { $0 + $1.partsPerMillion }
        let net = MinorUnits.scale(amount, by: 1_000_000, over: 1_000_000 + combined)
        let parts = MinorUnits.allocate(amount - net, over: rates.map(\.partsPerMillion))
        return zip(rates, parts).map { ($0, $1) }
    }

    /// The single store-wide rate of stores with no rates set up: on the taxable lines' sum,
    /// rounded once, shown on the lines in proportion.
    static func flatTax(_ input: Input, taxable: [Int], basisPoints: Int) -> Taxes {
        let base = input.lines.indices.map { input.lines[$0].taxClass == .exempt ? 0 : taxable[$0] }
        let sum = base.reduce(0, +)
        let total: Int
        if input.pricesIncludeTax {
            total = sum - MinorUnits.scale(sum, by: 10_000, over: 10_000 + basisPoints)
        } else {
            total = MinorUnits.scale(sum, by: basisPoints, over: 10_000)
        }
        let lines = MinorUnits.allocate(total, over: base)
        let taxLines = total > 0 ? [TaxLine(name: "Tax", partsPerMillion: basisPoints * 100, amount: total)] : []
        return Taxes(lines: lines, shipping: 0, taxLines: taxLines)
    }
}
