import Crypto
import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// The storefront's conversion funnel: how many visitors reached each step on a day of the
/// store's zone. A visitor is `SHA-256(salt, address, browser)` with a salt drawn at random for
/// each day, as privacy-friendly analytics count: no cookie. The salt is deleted when its day
/// is over, and the hashes (kept for today and yesterday, so that every instance counts a
/// browser once) a day later; each day's counts stay in `funnel_days`.
public enum Funnel {
    public enum Step: String, CaseIterable, Sendable, Encodable {
        /// Any storefront page.
        case session
        /// A product's page.
        case product
        /// Something put in the cart.
        case cart
        /// The checkout page.
        case checkout
        /// An order placed.
        case order
        /// That order paid.
        case paid
    }

    /// Who a visitor is today, for counting in memory only.
    public struct Visitor: Sendable, Hashable {
        public let day: String
        public let hash: String
    }

    /// The day's salt, drawn on its first use; the salts of earlier days are deleted, and none
    /// is drawn for a day older than the newest kept (a late request after midnight).
    public static func salt(day: String, database: any DatabaseHandle) async throws -> String {
        if let known = try await database.read({ sql in try await salt(day: day, on: sql) }) { return known }
        return try await database.write { sql in
            try await sql.raw(
                """
                INSERT INTO funnel_salts (day, salt) SELECT \(bind: day), \(bind: SecureToken.make())
                WHERE NOT EXISTS (SELECT 1 FROM funnel_salts WHERE day >= \(bind: day))
                """
            ).run()
            try await sql.raw("DELETE FROM funnel_salts WHERE day < \(bind: day)").run()
            guard let salt = try await salt(day: day, on: sql) else { throw Problem.conflict("The funnel's day is over.") }
            return salt
        }
    }

    static func salt(day: String, on sql: any SQLDatabase) async throws -> String? {
        try await sql.raw("SELECT salt FROM funnel_salts WHERE day = \(bind: day)").first()?.decode(column: "salt", as: String.self)
    }

    public static func visitor(day: String, salt: String, address: String, userAgent: String) -> Visitor {
        let digest = SHA256.hash(data: Data("\(salt)\n\(address)\n\(userAgent)".utf8))
        return Visitor(day: day, hash: digest.prefix(16).map { String(format: "%02x", $0) }.joined())
    }

    /// Writes the visitors seen since the last time (day → step → hashes): each one new to the
    /// table counts once in `funnel_days`. Hashes of days before `yesterday` and salts of days
    /// before `today` are deleted. Returns how many counted.
    @discardableResult
    public static func add(_ seen: [String: [Step: Set<String>]], today: String, yesterday: String, database: any DatabaseHandle) async throws -> Int {
        try await database.write { sql in
            var counted = 0
            for (day, steps) in seen where day >= yesterday {
                for (step, visitors) in steps where !visitors.isEmpty {
                    var added = 0
                    for visitor in visitors {
                        let row = try await sql.raw(
                            """
                            INSERT INTO funnel_visits (day, step, visitor) VALUES (\(bind: day), \(bind: step.rawValue), \(bind: visitor))
                            ON CONFLICT (day, step, visitor) DO NOTHING RETURNING day
                            """
                        ).first()
                        if row != nil { added += 1 }
                    }
                    guard added > 0 else { continue }
                    counted += added
                    try await sql.raw(
                        """
                        INSERT INTO funnel_days (day, step, visitors) VALUES (\(bind: day), \(bind: step.rawValue), \(bind: added))
                        ON CONFLICT (day, step) DO UPDATE SET visitors = funnel_days.visitors + excluded.visitors
                        """
                    ).run()
                }
            }
            try await sql.raw("DELETE FROM funnel_visits WHERE day < \(bind: yesterday)").run()
            try await sql.raw("DELETE FROM funnel_salts WHERE day < \(bind: today)").run()
            return counted
        }
    }

    /// Which of `orderIDs` are paid (or further along), and which were cancelled.
    public static func settled(_ orderIDs: [String], database: any DatabaseHandle) async throws -> (paid: Set<String>, cancelled: Set<String>) {
        guard !orderIDs.isEmpty else { return ([], []) }
        let rows = try await database.read { sql in
            try await sql.raw("SELECT id, status FROM orders WHERE id IN (\(binds: orderIDs)) AND status <> 'pending'").all()
        }
        var paid: Set<String> = []
        var cancelled: Set<String> = []
        for row in rows {
            let id = try row.decode(column: "id", as: String.self)
            if try row.decode(column: "status", as: String.self) == "cancelled" { cancelled.insert(id) } else { paid.insert(id) }
        }
        return (paid, cancelled)
    }

    public struct Report: Sendable, Encodable {
        public struct Count: Sendable, Encodable, Equatable {
            public let step: Step
            public let visitors: Int
            /// Of the step before, in percent (one decimal); nil for the first step or after none.
            public let conversion: Double?
        }

        public let from: String
        public let to: String
        public let timeZone: String
        public let data: [Count]

        public var csv: String {
            let rows = [["step", "visitors", "conversion"]] + data.map { [$0.step.rawValue, String($0.visitors), $0.conversion.map { "\($0)" } ?? ""] }
            return rows.map(CSV.line).joined(separator: "\r\n") + "\r\n"
        }
    }

    /// Visitors per step over the range's days (a visitor on two days counts twice, as a day is
    /// as far as anyone can be recognised).
    public static func load(_ range: ReportRange, timeZone: String, from database: any DatabaseHandle) async throws -> Report {
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT step, CAST(SUM(visitors) AS BIGINT) AS n FROM funnel_days WHERE day >= \(bind: range.from) AND day <= \(bind: range.to)
                GROUP BY step
                """
            ).all()
        }
        var counts: [String: Int] = [:]
        for row in rows { counts[try row.decode(column: "step", as: String.self)] = try row.decode(column: "n", as: Int.self) }
        var data: [Report.Count] = []
        for step in Step.allCases {
            let visitors = counts[step.rawValue] ?? 0
            let before = data.last?.visitors ?? 0
            let conversion = data.isEmpty || before == 0 ? nil : (Double(visitors) / Double(before) * 1000).rounded() / 10
            data.append(.init(step: step, visitors: visitors, conversion: conversion))
        }
        return Report(from: range.from, to: range.to, timeZone: timeZone, data: data)
    }
}
