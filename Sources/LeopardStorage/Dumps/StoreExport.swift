import SQLKit

/// Every table of a database as text, tables by name and rows in column order, each value cast
/// to text: two databases with the same rows give the same bytes, whichever file or server they
/// live in. Backups are checked with it (rows per table) and tests compare exports byte for
/// byte before a backup and after its restore.
public struct StoreExport: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    /// The user tables, by name.
    public func tables() async throws -> [String] {
        let kind = database.kind
        return try await database.read { sql in
            let query: SQLQueryString =
                kind == .sqlite
                ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
            return try await sql.raw(query).all().map { try $0.decode(column: "name", as: String.self) }
        }
    }

    /// Rows per table.
    public func counts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in try await tables() {
            let name = try SafeIdentifier(table)
            counts[table] = try await database.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: name.quoted)").first()?.decode(column: "n", as: Int.self) ?? 0
            }
        }
        return counts
    }

    /// The whole database as text: `## table` then one line per row, values tab-separated, with
    /// `\N` for NULL and backslash escapes for tabs, newlines and backslashes.
    public func text() async throws -> String {
        var output = ""
        let kind = database.kind
        for table in try await tables() {
            let name = try SafeIdentifier(table)
            let columns = try await database.read { sql -> [String] in
                if kind == .sqlite {
                    return try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table)) ORDER BY cid").all().map {
                        try $0.decode(column: "name", as: String.self)
                    }
                }
                return try await sql.raw(
                    """
                    SELECT column_name AS name FROM information_schema.columns
                    WHERE table_schema = 'public' AND table_name = \(bind: table) ORDER BY ordinal_position
                    """
                ).all().map { try $0.decode(column: "name", as: String.self) }
            }
            let safe = try columns.map { try SafeIdentifier($0) }
            let selected = safe.enumerated().map { index, column in
                kind == .sqlite ? "CAST(\(column.quoted) AS TEXT) AS c\(index)" : "\(column.quoted)::text AS c\(index)"
            }.joined(separator: ", ")
            let order = (1...max(1, safe.count)).map(String.init).joined(separator: ", ")
            let rows = try await database.read { sql in
                try await sql.raw("SELECT \(unsafeRaw: selected) FROM \(unsafeRaw: name.quoted) ORDER BY \(unsafeRaw: order)").all()
            }
            output += "## \(table) (\(columns.joined(separator: ", ")))\n"
            for row in rows {
                let values = try (0..<safe.count).map { index in
                    try row.decode(column: "c\(index)", as: String?.self).map(Self.escape) ?? "\\N"
                }
                output += values.joined(separator: "\t") + "\n"
            }
        }
        return output
    }

    static func escape(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\t": escaped += "\\t"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
