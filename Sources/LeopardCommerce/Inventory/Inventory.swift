import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

public struct InventoryAdjustment: Sendable, Encodable, Equatable {
    public var id: String
    public var variantId: String
    public var delta: Int
    public var stockAfter: Int
    public var reason: String
    public var reference: String?
    public var actor: String?
    public var createdAt: String
}

/// Stock per variant, changed only through adjustments that keep a history. The change is one
/// conditional `UPDATE … WHERE stock + delta >= 0`, so stock never goes below zero, however many
/// writers race.
public struct Inventory: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public struct OutOfStock: Error, Sendable {
        public let variantID: String
        public let available: Int
    }

    /// Adds `delta` (negative to remove) to a variant's stock. 404 for an unknown variant, 409
    /// when the stock would go below zero.
    public func adjust(variantID: String, delta: Int, reason: String, actor: String, now: Date = Date()) async throws -> InventoryAdjustment {
        var errors: [Problem.FieldError] = []
        // A range, not abs(): abs(Int.min) does not fit in an Int.
        if delta == 0 || !(-1_000_000_000...1_000_000_000).contains(delta) {
            errors.append(.init(field: "delta", message: "must be a non-zero whole number from -1000000000 to 1000000000"))
        }
        let reason = reason.trimmingWhitespace()
        if reason.isEmpty || reason.count > 200 { errors.append(.init(field: "reason", message: "must be 1 to 200 characters")) }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return try await database.write { sql in
            guard let row = try await sql.raw("SELECT stock FROM product_variants WHERE id = \(bind: variantID)").first() else {
                throw Problem.notFound("There is no variant \(variantID.prefix(64)).")
            }
            let stock = try row.decode(column: "stock", as: Int.self)
            guard let after = try await Self.apply(variantID: variantID, delta: delta, now: now, on: sql) else {
                throw Problem.conflict(
                    "Stock cannot go below zero: \(stock) available.",
                    errors: [.init(field: "delta", message: "would take stock below zero (\(stock) available)")])
            }
            if after > 1_000_000_000 { throw Problem.invalid("delta", "would take stock above 1000000000") }
            return try await Self.record(variantID: variantID, delta: delta, stockAfter: after, reason: reason, reference: nil, actor: actor, now: now, on: sql)
        }
    }

    /// Puts an order's tracked quantities back in stock, once per order (a `restocked` event
    /// marks it). Runs in the caller's transaction. Returns false when it was done before.
    @discardableResult
    public static func returnStock(orderID: String, reason: String, actor: String, now: Date, on sql: any SQLDatabase) async throws -> Bool {
        if try await sql.raw("SELECT id FROM order_events WHERE order_id = \(bind: orderID) AND type = 'restocked'").first() != nil { return false }
        // Tracked variants that still exist; a line of a deleted product has nothing to return to.
        let lines = try await sql.raw(
            """
            SELECT l.variant_id, l.quantity - l.restocked_quantity AS open FROM order_lines l JOIN product_variants v ON v.id = l.variant_id
            WHERE l.order_id = \(bind: orderID) AND v.track_inventory = 1 AND l.restocked_quantity < l.quantity ORDER BY l.variant_id
            """
        ).all()
        // A return may have put some items back already; those are not put back twice.
        try await sql.raw("UPDATE order_lines SET restocked_quantity = quantity WHERE order_id = \(bind: orderID)").run()
        for line in lines {
            let variantID = try line.decode(column: "variant_id", as: String.self)
            let quantity = try line.decode(column: "open", as: Int.self)
            guard let after = try await apply(variantID: variantID, delta: quantity, on: sql) else { continue }
            try await record(variantID: variantID, delta: quantity, stockAfter: after, reason: reason, reference: orderID, actor: actor, now: now, on: sql)
        }
        try await Orders.addEvent(orderID: orderID, type: "restocked", message: "Items returned to stock", actor: actor, now: now, on: sql)
        return true
    }

    /// The conditional update: the new stock, or nil when it would have gone below zero. Stock
    /// that falls to the store's low-stock threshold or under it announces `inventory.low`.
    static func apply(variantID: String, delta: Int, now: Date = Date(), on sql: any SQLDatabase) async throws -> Int? {
        let row = try await sql.raw(
            """
            UPDATE product_variants SET stock = stock + \(bind: delta)
            WHERE id = \(bind: variantID) AND stock + \(bind: delta) >= 0
            RETURNING stock, product_id, sku, title, track_inventory,
                (SELECT low_stock_threshold FROM store_settings WHERE id = 1) AS low_stock_threshold
            """
        ).first()
        guard let row else { return nil }
        let stock = try row.decode(column: "stock", as: Int.self)
        if delta < 0, try row.decode(column: "track_inventory", as: Int.self) != 0 {
            let threshold = try row.decode(column: "low_stock_threshold", as: Int?.self) ?? 5
            // Only the change that crosses the threshold announces it, not every sale below it.
            guard stock <= threshold, stock - delta > threshold else { return stock }
            try await MailQueue.lowStock(variantID: variantID, now: now, on: sql)
            try await Outbox.publish(.inventoryLow, objectID: variantID, now: now, on: sql) {
                LowStock(
                    variantId: variantID, productId: try row.decode(column: "product_id", as: String.self),
                    sku: try row.decode(column: "sku", as: String?.self), title: try row.decode(column: "title", as: String.self),
                    stock: stock, threshold: threshold)
            }
        }
        return stock
    }

    /// The `inventory.low` payload.
    struct LowStock: Encodable {
        let variantId: String
        let productId: String
        let sku: String?
        let title: String
        let stock: Int
        let threshold: Int
    }

    @discardableResult
    static func record(
        variantID: String, delta: Int, stockAfter: Int, reason: String, reference: String?, actor: String?, now: Date, on sql: any SQLDatabase
    ) async throws -> InventoryAdjustment {
        let adjustment = InventoryAdjustment(
            id: Identifier.make("adj", date: now), variantId: variantID, delta: delta, stockAfter: stockAfter, reason: reason, reference: reference,
            actor: actor, createdAt: now.stamp)
        try await sql.raw(
            """
            INSERT INTO inventory_adjustments (id, variant_id, delta, stock_after, reason, reference, actor, created_at)
            VALUES (\(bind: adjustment.id), \(bind: variantID), \(bind: delta), \(bind: stockAfter), \(bind: reason), \(bind: reference), \(bind: actor), \(bind: adjustment.createdAt))
            """
        ).run()
        return adjustment
    }

    /// A variant's history, newest first.
    public func history(variantID: String?, page: PageRequest) async throws -> Page<InventoryAdjustment> {
        let rows = try await database.read { sql in
            var clauses: [SQLQueryString] = []
            if let variantID { clauses.append("variant_id = \(bind: variantID)") }
            if let after = page.after { clauses.append("id < \(bind: after)") }
            var statement: SQLQueryString = "SELECT id, variant_id, delta, stock_after, reason, reference, actor, created_at FROM inventory_adjustments"
            if !clauses.isEmpty { statement += " WHERE " + clauses.joined(separator: " AND ") }
            statement += " ORDER BY id DESC LIMIT \(bind: page.limit + 1)"
            return try await sql.raw(statement).all()
        }
        let adjustments = try rows.map { row in
            InventoryAdjustment(
                id: try row.decode(column: "id", as: String.self),
                variantId: try row.decode(column: "variant_id", as: String.self),
                delta: try row.decode(column: "delta", as: Int.self),
                stockAfter: try row.decode(column: "stock_after", as: Int.self),
                reason: try row.decode(column: "reason", as: String.self),
                reference: try row.decode(column: "reference", as: String?.self),
                actor: try row.decode(column: "actor", as: String?.self),
                createdAt: try row.decode(column: "created_at", as: String.self)
            )
        }
        return Page(fetched: adjustments, limit: page.limit, position: { $0.id })
    }
}

extension Inventory {
    /// A variant's stock with its product's title, as a low-stock notice names it.
    public func level(variantID: String) async throws -> StoreOverview.LowStock? {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT p.id AS product_id, p.title AS product_title, v.title AS variant_title, v.stock
                FROM product_variants v JOIN products p ON p.id = v.product_id WHERE v.id = \(bind: variantID)
                """
            ).first().map { row in
                StoreOverview.LowStock(
                    productID: try row.decode(column: "product_id", as: String.self), productTitle: try row.decode(column: "product_title", as: String.self),
                    variantTitle: try row.decode(column: "variant_title", as: String.self), stock: try row.decode(column: "stock", as: Int.self))
            }
        }
    }
}
