import Crypto
import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// The storefront's conversion funnel: how many visitors reached each step on a day of the
/// store's zone. A visitor is `SHA-256(salt, address, browser)` with a salt drawn at random for
/// each day, as privacy-friendly analytics count: no cookie, and no hash is ever written down.
/// The server counts in memory and adds each day's counts to `funnel_days` now and then; the
/// salt is kept in the store's database for the current day only, so that every instance
/// recognises a browser alike, and is deleted once the day is over.
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

    /// The day's salt, drawn on its first use; the salts of earlier days are deleted.
    public static func salt(day: String, database: any DatabaseHandle) async throws -> String {
        if let known = try await database.read({ sql in try await salt(day: day, on: sql) }) { return known }
        return try await database.write { sql in
            try await sql.raw(
                "INSERT INTO funnel_salts (day, salt) VALUES (\(bind: day), \(bind: SecureToken.make())) ON CONFLICT (day) DO NOTHING"
            ).run()
            try await sql.raw("DELETE FROM funnel_salts WHERE day < \(bind: day)").run()
            guard let salt = try await salt(day: day, on: sql) else { throw Problem.unavailable("The funnel's salt could not be kept.") }
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

    /// Adds counted visitors to each day's steps, and deletes salts of days before `today`.
    public static func add(_ counts: [String: [Step: Int]], today: String, database: any DatabaseHandle) async throws {
        try await database.write { sql in
            for (day, steps) in counts {
                for (step, visitors) in steps where visitors > 0 {
                    try await sql.raw(
                        """
                        INSERT INTO funnel_days (day, step, visitors) VALUES (\(bind: day), \(bind: step.rawValue), \(bind: visitors))
                        ON CONFLICT (day, step) DO UPDATE SET visitors = funnel_days.visitors + excluded.visitors
                        """
                    ).run()
                }
            }
            try await sql.raw("DELETE FROM funnel_salts WHERE day < \(bind: today)").run()
        }
    }

    /// Which of `orderIDs` are paid (or further along) now.
    public static func paid(_ orderIDs: [String], database: any DatabaseHandle) async throws -> Set<String> {
        guard !orderIDs.isEmpty else { return [] }
        return try await database.read { sql in
            Set(
                try await sql.raw("SELECT id FROM orders WHERE id IN (\(binds: orderIDs)) AND status NOT IN ('pending', 'cancelled')").all()
                    .map { try $0.decode(column: "id", as: String.self) })
        }
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
