import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// A store's tax rates by destination and tax class. A store with none keeps its single rate
/// from the settings; once it has one, an address pays the rates of its country and of its
/// region together (a state's rate, or GST and a province's PST), and nothing where none is set.
public struct TaxRates: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public struct Rate: Sendable, Encodable, Equatable {
        public let id: String
        public let country: String
        public let region: String?
        public let name: String
        /// Percent, up to four decimals: 19, 7.25, 8.875.
        public let rate: Decimal
        public let taxClass: TaxClass
        public let appliesToShipping: Bool
        public let createdAt: String
    }

    public struct Input: Decodable, Sendable {
        public var country: String
        public var region: String?
        public var rate: Decimal
        public var name: String?
        public var taxClass: TaxClass?
        public var appliesToShipping: Bool?

        public init(country: String, region: String? = nil, rate: Decimal, name: String? = nil, taxClass: TaxClass? = nil, appliesToShipping: Bool? = nil) {
            (self.country, self.region, self.rate, self.name, self.taxClass, self.appliesToShipping) = (
                country, region, rate, name, taxClass, appliesToShipping
            )
        }
    }

    /// Adds a rate; 409 when the place already has one for the class.
    public func create(_ input: Input, actor: String, now: Date = Date()) async throws -> Rate {
        var errors: [Problem.FieldError] = []
        let place = Place(country: input.country, region: input.region)
        if place == nil { errors.append(.init(field: input.region == nil ? "country" : "region", message: "must be an ISO 3166 code such as DE or US-CA")) }
        let ppm = Self.partsPerMillion(input.rate)
        if ppm == nil { errors.append(.init(field: "rate", message: "must be a percentage from 0 to 100 with at most four decimals")) }
        let name = (input.name ?? "").trimmingWhitespace()
        if name.count > 100 || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors.append(.init(field: "name", message: "must be at most 100 characters without control characters"))
        }
        guard errors.isEmpty, let place, let ppm else { throw Problem.validation(errors) }
        let taxClass = input.taxClass ?? .standard
        let rate = Rate(
            id: Identifier.make("tax", date: now), country: place.country, region: place.region.isEmpty ? nil : place.region,
            name: name.isEmpty ? "\(place.code) \(Self.percentText(ppm)) %" : name, rate: Self.percent(ppm), taxClass: taxClass,
            appliesToShipping: input.appliesToShipping ?? false, createdAt: now.stamp)
        try await database.write { sql in
            let taken = try await sql.raw(
                "SELECT id FROM tax_rates WHERE country = \(bind: place.country) AND region = \(bind: place.region) AND tax_class = \(bind: taxClass.rawValue)"
            ).first()
            guard taken == nil else {
                throw Problem.conflict("\(place.code) has a \(taxClass.rawValue) rate already; delete it first.")
            }
            try await sql.raw(
                """
                INSERT INTO tax_rates (id, country, region, name, rate_ppm, tax_class, applies_to_shipping, created_at)
                VALUES (\(bind: rate.id), \(bind: place.country), \(bind: place.region), \(bind: rate.name), \(bind: ppm), \(bind: taxClass.rawValue),
                        \(bind: rate.appliesToShipping ? 1 : 0), \(bind: rate.createdAt))
                """
            ).run()
            try await AuditLog.record(actor: actor, action: "tax_rate.created", subject: rate.id, summary: "Added \(rate.name)", now: now, on: sql)
        }
        return rate
    }

    public func list(page: PageRequest) async throws -> Page<Rate> {
        try await database.read { sql in
            let rows = try await sql.raw(
                """
                SELECT id, country, region, name, rate_ppm, tax_class, applies_to_shipping, created_at FROM tax_rates
                WHERE id > \(bind: page.after ?? "") ORDER BY id LIMIT \(bind: page.limit + 1)
                """
            ).all()
            return Page(fetched: try rows.map(Self.rate), limit: page.limit, position: \.id)
        }
    }

    public func delete(id: String, actor: String, now: Date = Date()) async throws -> Bool {
        try await database.write { sql in
            guard let row = try await sql.raw("DELETE FROM tax_rates WHERE id = \(bind: id) RETURNING name").first() else { return false }
            let name = try row.decode(column: "name", as: String.self)
            try await AuditLog.record(actor: actor, action: "tax_rate.deleted", subject: id, summary: "Deleted \(name)", now: now, on: sql)
            return true
        }
    }

    /// How tax is worked out for an address (nil: not known yet) in the caller's transaction.
    static func rule(for address: Address?, flatBasisPoints: Int, on sql: any SQLDatabase) async throws -> Pricing.TaxRule {
        let places = address.map(Place.of) ?? []
        guard let country = places.first else { return try await anyRate(on: sql) ? .rates([]) : .flat(basisPoints: flatBasisPoints) }
        // "-" is never a region code: with no region in the address, only country rates match.
        let region = places.count > 1 ? places[1].region : "-"
        let rows = try await sql.raw(
            """
            SELECT id, country, region, name, rate_ppm, tax_class, applies_to_shipping, created_at FROM tax_rates
            WHERE country = \(bind: country.country) AND (region = '' OR region = \(bind: region))
            ORDER BY region, CASE tax_class WHEN 'standard' THEN 0 WHEN 'reduced' THEN 1 ELSE 2 END, id
            """
        ).all()
        // No rate here: the store's single rate when it has set up none at all.
        if rows.isEmpty, try await !anyRate(on: sql) { return .flat(basisPoints: flatBasisPoints) }
        return .rates(
            try rows.map { row in
                Pricing.Rate(
                    name: try row.decode(column: "name", as: String.self), partsPerMillion: try row.decode(column: "rate_ppm", as: Int.self),
                    taxClass: TaxClass(rawValue: try row.decode(column: "tax_class", as: String.self)) ?? .standard,
                    appliesToShipping: try row.decode(column: "applies_to_shipping", as: Int.self) != 0)
            })
    }

    static func anyRate(on sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw("SELECT id FROM tax_rates LIMIT 1").first() != nil
    }

    static func rate(_ row: any SQLRow) throws -> Rate {
        let region = try row.decode(column: "region", as: String.self)
        return Rate(
            id: try row.decode(column: "id", as: String.self), country: try row.decode(column: "country", as: String.self),
            region: region.isEmpty ? nil : region, name: try row.decode(column: "name", as: String.self),
            rate: percent(try row.decode(column: "rate_ppm", as: Int.self)),
            taxClass: TaxClass(rawValue: try row.decode(column: "tax_class", as: String.self)) ?? .standard,
            appliesToShipping: try row.decode(column: "applies_to_shipping", as: Int.self) != 0,
            createdAt: try row.decode(column: "created_at", as: String.self))
    }

    /// 19 → 190 000; nil for a rate outside 0…100 or with more than four decimals.
    public static func partsPerMillion(_ percent: Decimal) -> Int? {
        let scaled = percent * 10_000
        var rounded = Decimal()
        var copy = scaled
        NSDecimalRound(&rounded, &copy, 0, .plain)
        guard percent >= 0, percent <= 100, rounded == scaled else { return nil }
        return NSDecimalNumber(decimal: rounded).intValue
    }

    public static func percent(_ partsPerMillion: Int) -> Decimal {
        Decimal(partsPerMillion) / 10_000
    }

    /// 72 500 → "7.25".
    public static func percentText(_ partsPerMillion: Int) -> String {
        var text = String(partsPerMillion / 10_000)
        let fraction = partsPerMillion % 10_000
        if fraction > 0 {
            var digits = String(fraction + 10_000).dropFirst()
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text
    }
}
