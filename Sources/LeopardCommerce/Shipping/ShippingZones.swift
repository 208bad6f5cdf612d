import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// A store's shipping zones. A store with none ships everywhere at its flat rate from the
/// settings; once it has one, it ships only to the places its zones name, and an address
/// elsewhere is refused at checkout. A region's zone wins over its country's.
public struct ShippingZones: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public func create(_ input: ShippingZoneInput, actor: String, now: Date = Date()) async throws -> ShippingZone {
        try await save(input, replacing: nil, actor: actor, now: now)
    }

    /// Replaces a zone's name, places and methods (methods get new ids).
    public func replace(id: String, _ input: ShippingZoneInput, actor: String, now: Date = Date()) async throws -> ShippingZone {
        try await save(input, replacing: id, actor: actor, now: now)
    }

    public func find(id: String) async throws -> ShippingZone? {
        try await database.read { sql in try await Self.zones(where: "z.id = \(bind: id)", on: sql).first }
    }

    public func list(page: PageRequest) async throws -> Page<ShippingZone> {
        try await database.read { sql in
            let ids = try await sql.raw("SELECT id FROM shipping_zones WHERE id > \(bind: page.after ?? "") ORDER BY id LIMIT \(bind: page.limit + 1)").all()
                .map { try $0.decode(column: "id", as: String.self) }
            let zones = ids.isEmpty ? [] : try await Self.zones(where: "z.id IN (\(binds: ids))", on: sql)
            return Page(fetched: zones, limit: page.limit, position: \.id)
        }
    }

    public func delete(id: String, actor: String, now: Date = Date()) async throws -> Bool {
        try await database.write { sql in
            guard let row = try await sql.raw("DELETE FROM shipping_zones WHERE id = \(bind: id) RETURNING name").first() else { return false }
            let name = try row.decode(column: "name", as: String.self)
            try await AuditLog.record(actor: actor, action: "shipping_zone.deleted", subject: id, summary: "Deleted the zone \(name)", now: now, on: sql)
            return true
        }
    }

    private func save(_ input: ShippingZoneInput, replacing id: String?, actor: String, now: Date) async throws -> ShippingZone {
        try await database.write { sql in
            guard let settings = try await StoreSettings.load(on: sql) else { throw Problem.notFound("This store has no settings.") }
            let (name, places, methods) = try input.checked(currency: settings.currency)
            let zoneID = id ?? Identifier.make("zone", date: now)
            if let id {
                guard
                    try await sql.raw("UPDATE shipping_zones SET name = \(bind: name), updated_at = \(bind: now.stamp) WHERE id = \(bind: id) RETURNING id")
                        .first() != nil
                else { throw Problem.notFound("There is no shipping zone \(id.prefix(64)).") }
                try await sql.raw("DELETE FROM shipping_zone_places WHERE zone_id = \(bind: id)").run()
                try await sql.raw("DELETE FROM shipping_methods WHERE zone_id = \(bind: id)").run()
            } else {
                try await sql.raw(
                    "INSERT INTO shipping_zones (id, name, created_at, updated_at) VALUES (\(bind: zoneID), \(bind: name), \(bind: now.stamp), \(bind: now.stamp))"
                ).run()
            }
            let codes = places.map(\.code)
            let taken = try await sql.raw("SELECT place FROM shipping_zone_places WHERE place IN (\(binds: codes))").all()
                .map { try $0.decode(column: "place", as: String.self) }
            guard taken.isEmpty else {
                throw Problem.conflict(
                    "\(taken.sorted().joined(separator: ", ")) \(taken.count == 1 ? "is" : "are") in another zone already.",
                    errors: taken.sorted().map { .init(field: $0, message: "is in another zone") })
            }
            for code in codes {
                try await sql.raw("INSERT INTO shipping_zone_places (place, zone_id) VALUES (\(bind: code), \(bind: zoneID))").run()
            }
            for (position, method) in methods.enumerated() {
                try await sql.raw(
                    """
                    INSERT INTO shipping_methods (id, zone_id, position, name, kind, rate, bands_json, free_over)
                    VALUES (\(bind: Identifier.make("ship", date: now)), \(bind: zoneID), \(bind: position), \(bind: method.name), \(bind: method.kind.rawValue),
                            \(bind: method.rate?.amount ?? 0), \(bind: try JSONText.encode(method.bands.map { [$0.upTo, $0.rate.amount] })),
                            \(bind: method.freeOver?.amount))
                    """
                ).run()
            }
            guard let zone = try await Self.zones(where: "z.id = \(bind: zoneID)", on: sql).first else { throw Problem.notFound("The zone disappeared.") }
            try await AuditLog.record(
                actor: actor, action: id == nil ? "shipping_zone.created" : "shipping_zone.updated", subject: zoneID,
                summary: "\(name): \(codes.joined(separator: ", ")), \(methods.count) method\(methods.count == 1 ? "" : "s")", now: now, on: sql)
            return zone
        }
    }

    /// Whether the store has set up any zone.
    static func any(on sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw("SELECT id FROM shipping_zones LIMIT 1").first() != nil
    }

    /// The zone an address is in: its region's, or else its country's.
    static func zoneID(for address: Address, on sql: any SQLDatabase) async throws -> String? {
        let codes = Place.of(address).map(\.code)
        guard !codes.isEmpty else { return nil }
        let rows = try await sql.raw("SELECT place, zone_id FROM shipping_zone_places WHERE place IN (\(binds: codes))").all()
        let byPlace = Dictionary(
            try rows.map { (try $0.decode(column: "place", as: String.self), try $0.decode(column: "zone_id", as: String.self)) },
            uniquingKeysWith: { a, _ in a })
        return codes.reversed().lazy.compactMap({ byPlace[$0] }).first
    }

    /// A zone's methods, in their order (one query: what pricing a cart needs).
    static func methods(zoneID: String, currency: String, on sql: any SQLDatabase) async throws -> [ShippingZone.Method] {
        try await methods(zoneIDs: [zoneID], currency: currency, on: sql)[zoneID] ?? []
    }

    static func methods(zoneIDs: [String], currency: String, on sql: any SQLDatabase) async throws -> [String: [ShippingZone.Method]] {
        var methods: [String: [ShippingZone.Method]] = [:]
        let rows = try await sql.raw(
            "SELECT id, zone_id, name, kind, rate, bands_json, free_over FROM shipping_methods WHERE zone_id IN (\(binds: zoneIDs)) ORDER BY zone_id, position"
        ).all()
        let money = { (amount: Int) in Money(amount: amount, currency: currency) }
        for row in rows {
            let kind = ShippingZone.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .flat
            let bands = try JSONText.decode([[Int]].self, from: try row.decode(column: "bands_json", as: String.self))
                .compactMap { pair in pair.count == 2 ? ShippingZone.Band(upTo: pair[0], rate: money(pair[1])) : nil }
            methods[try row.decode(column: "zone_id", as: String.self), default: []].append(
                ShippingZone.Method(
                    id: try row.decode(column: "id", as: String.self), name: try row.decode(column: "name", as: String.self), kind: kind,
                    rate: kind == .flat ? money(try row.decode(column: "rate", as: Int.self)) : nil, bands: bands,
                    freeOver: try row.decode(column: "free_over", as: Int?.self).map(money)))
        }
        return methods
    }

    /// Zones with their places and methods, by a condition on `z`.
    static func zones(where condition: SQLQueryString, on sql: any SQLDatabase) async throws -> [ShippingZone] {
        let currency = try await StoreSettings.load(on: sql)?.currency ?? "USD"
        let zoneRows = try await sql.raw("SELECT z.id, z.name, z.created_at, z.updated_at FROM shipping_zones z WHERE \(condition) ORDER BY z.id").all()
        let ids = try zoneRows.map { try $0.decode(column: "id", as: String.self) }
        guard !ids.isEmpty else { return [] }
        var places: [String: [String]] = [:]
        for row in try await sql.raw("SELECT place, zone_id FROM shipping_zone_places WHERE zone_id IN (\(binds: ids)) ORDER BY place").all() {
            places[try row.decode(column: "zone_id", as: String.self), default: []].append(try row.decode(column: "place", as: String.self))
        }
        let methods = try await Self.methods(zoneIDs: ids, currency: currency, on: sql)
        return try zoneRows.map { row in
            let id = try row.decode(column: "id", as: String.self)
            let codes = places[id] ?? []
            return ShippingZone(
                id: id, name: try row.decode(column: "name", as: String.self), countries: codes.filter { !$0.contains("-") },
                regions: codes.filter { $0.contains("-") }, methods: methods[id] ?? [], createdAt: try row.decode(column: "created_at", as: String.self),
                updatedAt: try row.decode(column: "updated_at", as: String.self))
        }
    }
}
