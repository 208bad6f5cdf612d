import LeopardCore
import SQLKit

/// Prices a cart's lines for an address: the shipping options there (the store's flat rate
/// when it has no zones), the chosen one (or the cheapest), the tax rule, and the one
/// calculation. Used for the cart as shown and, inside the transaction, for the order.
struct CartPricing {
    struct Priced {
        let result: Pricing.Result
        let options: [ShippingOption]
        let method: ShippingOption?
        /// The store has zones and none takes this address.
        let outsideZones: Bool
        /// The address's zone has no method for this cart (heavier, or worth more, than its
        /// last band).
        let noMethod: Bool
        let pricesIncludeTax: Bool
    }

    struct Terms {
        let currency: String
        let flatTaxBasisPoints: Int
        let flatShipping: Int
        let pricesIncludeTax: Bool
        var reservationMinutes = 30

        init(_ settings: StoreSettings) {
            (currency, flatTaxBasisPoints, flatShipping, pricesIncludeTax) = (
                settings.currency, settings.taxRateBasisPoints, settings.shippingRate, settings.pricesIncludeTax
            )
        }

        init(currency: String, flatTaxBasisPoints: Int, flatShipping: Int, pricesIncludeTax: Bool) {
            (self.currency, self.flatTaxBasisPoints, self.flatShipping, self.pricesIncludeTax) = (currency, flatTaxBasisPoints, flatShipping, pricesIncludeTax)
        }
    }

    static func price(
        _ lines: [CartReader.Line], address: Address?, methodID: String?, discounts: [Pricing.Discount] = [], terms: Terms, on sql: any SQLDatabase
    ) async throws -> Priced {
        let counted = lines.filter(\.item.available)
        let pricingLines = counted.map {
            Pricing.Line(id: $0.item.id, unitPrice: $0.item.unitPrice.amount, quantity: $0.item.quantity, taxClass: $0.taxClass, productID: $0.productID)
        }
        let tax = try await TaxRates.rule(for: address, flatBasisPoints: terms.flatTaxBasisPoints, on: sql)
        var options: [ShippingOption] = []
        var outside = false
        // The address's zone first: in a store that ships by zone that is the usual case, and
        // one query then says the store has zones.
        if let address, let zoneID = try await ShippingZones.zoneID(for: address, on: sql) {
            let methods = try await ShippingZones.methods(zoneID: zoneID, currency: terms.currency, on: sql)
            // Bands by value look at what is left after discounts.
            let before = Pricing.calculate(.init(lines: pricingLines, discounts: discounts, tax: tax, pricesIncludeTax: terms.pricesIncludeTax))
            let weight = counted.reduce(0) { $0 + ($1.weightGrams ?? 0) * $1.item.quantity }
            options = ShippingOption.options(for: methods, weightGrams: weight, value: before.subtotal - before.discount, currency: terms.currency)
        } else if try await ShippingZones.any(on: sql) {
            outside = address != nil
        } else {
            options = [
                ShippingOption(id: ShippingOption.standardID, name: "Standard shipping", price: Money(amount: terms.flatShipping, currency: terms.currency))
            ]
        }
        let method = options.first { $0.id == methodID } ?? options.min { $0.price.amount < $1.price.amount }
        let inclusive = terms.pricesIncludeTax && !addsTax(address)
        let result = Pricing.calculate(.init(lines: pricingLines, discounts: discounts, shipping: method?.price.amount, tax: tax, pricesIncludeTax: inclusive))
        return Priced(
            result: result, options: options, method: method, outsideZones: outside,
            noMethod: address != nil && !outside && options.isEmpty && !counted.isEmpty,
            pricesIncludeTax: inclusive)
    }

    /// Countries whose sales taxes are added at the till, whatever the store's prices hold (as
    /// Shopify treats them): a store whose prices include tax still adds it for these.
    static let salesTaxCountries: Set<String> = ["US", "CA"]

    static func addsTax(_ address: Address?) -> Bool {
        address.map { salesTaxCountries.contains($0.country.uppercased()) } ?? false
    }
}
