import Foundation
import LeopardCore
import SQLKit

extension Carts {
    /// A line of a draft order that is not in the catalog (a repair, a setup fee, a one-off
    /// piece): staff give its title, price and quantity. It takes no stock, and discounts
    /// limited to products or categories never apply to it.
    public struct CustomLineInput: Decodable, Sendable {
        public var title: String
        public var unitPrice: MoneyInput
        public var quantity: Int
        /// `standard` (default), `reduced` or `exempt`.
        public var taxClass: String?
        /// For shipping bands by weight; none counts as nothing.
        public var weightGrams: Int?

        public init(title: String, unitPrice: MoneyInput, quantity: Int, taxClass: String? = nil, weightGrams: Int? = nil) {
            (self.title, self.unitPrice, self.quantity, self.taxClass, self.weightGrams) = (title, unitPrice, quantity, taxClass, weightGrams)
        }
    }

    /// A custom line as checked, ready to store.
    struct CustomLine: Sendable {
        let title: String
        let unitPrice: Int
        let quantity: Int
        let taxClass: TaxClass
        let weightGrams: Int?
    }

    static let maximumCustomLines = 20

    /// Field errors name `customLines.N.field`; nothing is stored unless every line is right.
    static func check(_ inputs: [CustomLineInput], currency: String) throws -> [CustomLine] {
        if inputs.count > maximumCustomLines { throw Problem.invalid("customLines", "must have at most \(maximumCustomLines) entries") }
        var errors: [Problem.FieldError] = []
        var lines: [CustomLine] = []
        for (index, input) in inputs.enumerated() {
            let field = "customLines.\(index)."
            let title = input.title.trimmingWhitespace()
            if title.isEmpty || title.count > 255 || title.utf8.count > 1020 {
                errors.append(.init(field: field + "title", message: "must be 1 to 255 characters"))
            } else if title.unicodeScalars.contains(where: { [.control, .format, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory) })
            {
                // Control characters, line breaks and direction overrides would travel on into
                // mails, the CSV export and webhooks.
                errors.append(.init(field: field + "title", message: "must not contain control or formatting characters"))
            }
            let priceProblems = input.unitPrice.problems(field: field + "unitPrice", storeCurrency: currency)
            errors += priceProblems
            if !(1...maximumQuantity).contains(input.quantity) {
                errors.append(.init(field: field + "quantity", message: "must be a whole number from 1 to \(maximumQuantity)"))
            } else if priceProblems.isEmpty, input.unitPrice.amount.multipliedReportingOverflow(by: input.quantity).partialValue > Money.maximumAmount {
                // A line is at most the largest amount the API takes, like any other sum it holds.
                errors.append(.init(field: field + "quantity", message: "makes the line more than \(Money.maximumAmount) minor units"))
            }
            let taxClass = TaxClass(rawValue: input.taxClass ?? "standard")
            if taxClass == nil { errors.append(.init(field: field + "taxClass", message: "must be standard, reduced or exempt")) }
            if let grams = input.weightGrams, !(0...1_000_000_000).contains(grams) {
                errors.append(.init(field: field + "weightGrams", message: "must be a whole number of grams from 0 to 1000000000"))
            }
            lines.append(
                CustomLine(
                    title: title, unitPrice: input.unitPrice.amount, quantity: input.quantity, taxClass: taxClass ?? .standard,
                    weightGrams: input.weightGrams))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return lines
    }

    static func insert(_ lines: [CustomLine], cartID: String, now: Date, on sql: any SQLDatabase) async throws {
        for (position, line) in lines.enumerated() {
            try await sql.raw(
                """
                INSERT INTO cart_custom_lines (id, cart_id, position, title, unit_price, quantity, tax_class, weight_grams, created_at)
                VALUES (\(bind: Identifier.make("custom", date: now)), \(bind: cartID), \(bind: position), \(bind: line.title), \(bind: line.unitPrice), \(bind: line.quantity),
                        \(bind: line.taxClass.rawValue), \(bind: line.weightGrams), \(bind: now.stamp))
                """
            ).run()
        }
    }
}
