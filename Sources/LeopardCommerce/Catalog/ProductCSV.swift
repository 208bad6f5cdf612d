import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Products as CSV, one row per variant (Shopify's layout, simplified): rows with the same
/// handle form one product, whose own fields come from its first row. Prices are minor units.
///
///     handle,title,description,status,category,tags,options,sku,price,compare_at_price,stock,track_inventory,images
///
/// `options` is `Size=M;Colour=Red` (empty for a product without options), `tags` and `images`
/// are separated by `;`, `category` is a category handle.
public struct ProductCSV: Sendable {
    public static let header = [
        "handle", "title", "description", "status", "category", "tags", "options", "sku", "price", "compare_at_price", "stock", "track_inventory", "images",
    ]
    public static let maximumRows = 10_000

    public let catalog: ProductCatalog

    public init(catalog: ProductCatalog) {
        self.catalog = catalog
    }

    // MARK: Export

    public func export() async throws -> String {
        let database = catalog.database
        let currency = catalog.currency
        return try await database.read { sql in
            let categories = try await sql.raw("SELECT id, slug FROM categories").all()
            var handles: [String: String] = [:]
            for row in categories { handles[try row.decode(column: "id", as: String.self)] = try row.decode(column: "slug", as: String.self) }
            let ids = try await sql.raw("SELECT id FROM products ORDER BY created_at, id").all().map { try $0.decode(column: "id", as: String.self) }
            var lines = [CSV.line(Self.header)]
            var start = 0
            while start < ids.count {
                let chunk = Array(ids[start..<min(start + 200, ids.count)])
                start += 200
                for product in try await ProductLoader(sql: sql, currency: currency).load(ids: chunk) {
                    for (index, variant) in product.variants.enumerated() {
                        let first = index == 0
                        let options = product.options.compactMap { option in variant.options[option.name].map { "\(option.name)=\($0)" } }.joined(
                            separator: ";")
                        lines.append(
                            CSV.line([
                                product.slug,
                                first ? product.title : "",
                                first ? product.description : "",
                                first ? product.status.rawValue : "",
                                first ? product.categoryId.flatMap { handles[$0] } ?? "" : "",
                                first ? product.tags.joined(separator: ";") : "",
                                options,
                                variant.sku ?? "",
                                String(variant.price.amount),
                                variant.compareAtPrice.map { String($0.amount) } ?? "",
                                String(variant.stock),
                                variant.trackInventory ? "true" : "false",
                                first ? product.images.map(\.url).joined(separator: ";") : "",
                            ]))
                    }
                }
            }
            return lines.joined(separator: "\r\n") + "\r\n"
        }
    }

    // MARK: Import

    public struct Report: Sendable, Encodable {
        public let created: Int
        public let updated: Int
    }

    /// What importing a file would do, without doing it: how many products it would create and
    /// update, and every line that stops it (the same checks as `importCSV`).
    public struct Preview: Sendable, Encodable {
        public let created: Int
        public let updated: Int
        public let errors: [Problem.FieldError]
    }

    typealias Checked = (handle: String, line: Int, input: ProductInput, categoryHandle: String?, lines: [Int])

    public func preview(_ text: String) async throws -> Preview {
        let entries: [Checked]
        do {
            entries = try Self.checked(text, currency: catalog.currency)
        } catch let problem as Problem where problem.status == 422 {
            return Preview(created: 0, updated: 0, errors: problem.errors)
        }
        return try await catalog.database.read { sql in
            let handles = entries.map(\.handle)
            var existing = Set<String>()
            for chunk in stride(from: 0, to: handles.count, by: 500) {
                let slice = Array(handles[chunk..<min(chunk + 500, handles.count)])
                for row in try await sql.raw("SELECT slug FROM products WHERE slug IN (\(binds: slice))").all() {
                    existing.insert(try row.decode(column: "slug", as: String.self))
                }
            }
            let categories = Set(try await sql.raw("SELECT slug FROM categories").all().map { try $0.decode(column: "slug", as: String.self) })
            let errors = entries.compactMap { entry -> Problem.FieldError? in
                guard let handle = entry.categoryHandle, !categories.contains(handle) else { return nil }
                return .init(field: "lines.\(entry.line).category", message: "is not a category handle of this store")
            }
            let updated = entries.filter { existing.contains($0.handle) }.count
            return Preview(created: entries.count - updated, updated: updated, errors: errors)
        }
    }

    /// Every product of the file, built and checked; a validation problem naming each bad line.
    static func checked(_ text: String, currency: String) throws -> [Checked] {
        let rows: [(line: Int, fields: [String])]
        do {
            rows = try CSV.parse(text)
        } catch let malformed as CSV.Malformed {
            throw Problem.invalid("lines.\(malformed.line)", malformed.message)
        }
        let columns = try Self.columns(rows)
        var (groups, errors) = Self.groups(rows.dropFirst(), columns: columns)
        var inputs: [Checked] = []
        for group in groups {
            let (input, categoryHandle, rowErrors) = Self.input(for: group.rows, handle: group.handle)
            errors += rowErrors
            inputs.append((group.handle, group.rows[0].line, input, categoryHandle, group.rows.map(\.line)))
            do {
                _ = try ProductDraft.empty.applying(input, storeCurrency: currency, existing: nil)
            } catch {
                errors += Self.relabel(error.errors, lines: group.rows.map(\.line))
            }
        }
        guard errors.isEmpty else { throw Problem.validation(errors, detail: "No product was imported; fix the lines named and send the file again.") }
        return inputs
    }

    /// Checks every row, then writes every product in one transaction: all or nothing. Errors
    /// name the line (`lines.7.price`). A handle that exists replaces that product, keeping the
    /// ids of variants whose options match.
    public func importCSV(_ text: String, actor: String, now: Date = Date()) async throws -> Report {
        let inputs = try Self.checked(text, currency: catalog.currency)
        let catalog = self.catalog
        let checked = inputs
        return try await catalog.database.write { sql in
            var created = 0
            var updated = 0
            let categories = try await sql.raw("SELECT id, slug FROM categories").all()
            var categoryIDs: [String: String] = [:]
            for row in categories { categoryIDs[try row.decode(column: "slug", as: String.self)] = try row.decode(column: "id", as: String.self) }
            var writeErrors: [Problem.FieldError] = []
            for entry in checked {
                var input = entry.input
                if let handle = entry.categoryHandle {
                    guard let id = categoryIDs[handle] else {
                        writeErrors.append(.init(field: "lines.\(entry.line).category", message: "is not a category handle of this store"))
                        continue
                    }
                    input.categoryId = .value(id)
                }
                do {
                    if try await catalog.upsert(input, slug: entry.handle, actor: actor, now: now, on: sql) { created += 1 } else { updated += 1 }
                } catch let problem as Problem {
                    writeErrors += Self.relabel(problem.errors, lines: entry.lines)
                    if problem.errors.isEmpty { writeErrors.append(.init(field: "lines.\(entry.line)", message: problem.detail ?? problem.title)) }
                }
            }
            guard writeErrors.isEmpty else {
                throw Problem.validation(writeErrors, detail: "No product was imported; fix the lines named and send the file again.")
            }
            return Report(created: created, updated: updated)
        }
    }

    typealias Group = (handle: String, rows: [(line: Int, values: [String: String])])

    /// The header's column names, once it names the required columns and no unknown one.
    static func columns(_ rows: [(line: Int, fields: [String])]) throws -> [String] {
        guard let header = rows.first else { throw Problem.invalid("lines.1", "the file is empty; the first line names the columns") }
        let columns = header.fields.map { $0.trimmingWhitespace().lowercased() }
        let missing = ["handle", "title", "price"].filter { !columns.contains($0) }
        if !missing.isEmpty { throw Problem.invalid("lines.1", "the header lacks \(missing.joined(separator: ", "))") }
        let unknown = columns.filter { !Self.header.contains($0) }
        if !unknown.isEmpty { throw Problem.invalid("lines.1", "unknown columns: \(unknown.joined(separator: ", "))") }
        if rows.count - 1 > Self.maximumRows { throw Problem.invalid("lines", "at most \(Self.maximumRows) rows per file") }
        return columns
    }

    /// The rows grouped by handle, in file order, and the rows that are not well formed.
    static func groups(_ rows: ArraySlice<(line: Int, fields: [String])>, columns: [String]) -> ([Group], [Problem.FieldError]) {
        var groups: [(handle: String, rows: [(line: Int, values: [String: String])])] = []
        var index: [String: Int] = [:]
        var errors: [Problem.FieldError] = []
        for row in rows {
            if row.fields.count != columns.count {
                errors.append(.init(field: "lines.\(row.line)", message: "has \(row.fields.count) fields; the header has \(columns.count)"))
                continue
            }
            let values = Dictionary(zip(columns, row.fields), uniquingKeysWith: { first, _ in first })
            let handle = (values["handle"] ?? "").trimmingWhitespace().lowercased()
            guard Handle(validating: handle) != nil else {
                errors.append(.init(field: "lines.\(row.line).handle", message: Handle.problemMessage))
                continue
            }
            if let position = index[handle] {
                groups[position].rows.append((row.line, values))
            } else {
                index[handle] = groups.count
                groups.append((handle, [(row.line, values)]))
            }
        }
        return (groups, errors)
    }

    /// A product's input from its rows.
    static func input(for rows: [(line: Int, values: [String: String])], handle: String) -> (ProductInput, String?, [Problem.FieldError]) {
        var errors: [Problem.FieldError] = []
        let first = rows[0].values
        func text(_ key: String, _ values: [String: String]) -> String? {
            guard let value = values[key]?.trimmingWhitespace(), !value.isEmpty else { return nil }
            return value
        }
        func integer(_ key: String, _ row: (line: Int, values: [String: String]), required: Bool) -> Int? {
            guard let value = text(key, row.values) else {
                if required { errors.append(.init(field: "lines.\(row.line).\(key)", message: "is required")) }
                return nil
            }
            guard let number = Int(value) else {
                errors.append(.init(field: "lines.\(row.line).\(key)", message: "must be a whole number (minor units)"))
                return nil
            }
            return number
        }
        var input = ProductInput()
        input.slug = handle
        input.title = text("title", first) ?? ""
        input.description = first["description"] ?? ""
        input.status = text("status", first) ?? "active"
        input.tags = text("tags", first)?.split(separator: ";").map { String($0) } ?? []
        input.images =
            text("images", first)?.split(separator: ";").map { ProductInput.ImageInput(id: nil, url: String($0).trimmingWhitespace(), alt: nil, position: nil) }
            ?? []

        var optionNames: [String] = []
        var optionValues: [String: [String]] = [:]
        var variants: [ProductInput.VariantInput] = []
        for row in rows {
            var options: [String: String] = [:]
            for pair in (text("options", row.values) ?? "").split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace() }
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    errors.append(.init(field: "lines.\(row.line).options", message: "must look like Size=M;Colour=Red"))
                    continue
                }
                options[parts[0]] = parts[1]
                if !optionNames.contains(parts[0]) { optionNames.append(parts[0]) }
                if !(optionValues[parts[0]] ?? []).contains(parts[1]) { optionValues[parts[0], default: []].append(parts[1]) }
            }
            var track = true
            if let value = text("track_inventory", row.values)?.lowercased() {
                if ["true", "yes", "1"].contains(value) {
                    track = true
                } else if ["false", "no", "0"].contains(value) {
                    track = false
                } else {
                    errors.append(.init(field: "lines.\(row.line).track_inventory", message: "must be true or false"))
                }
            }
            variants.append(
                ProductInput.VariantInput(
                    id: nil,
                    sku: text("sku", row.values),
                    title: nil,
                    options: options,
                    price: integer("price", row, required: true).map { MoneyInput(amount: $0) },
                    compareAtPrice: integer("compare_at_price", row, required: false).map { MoneyInput(amount: $0) },
                    stock: integer("stock", row, required: false) ?? 0,
                    trackInventory: track
                ))
        }
        input.options = optionNames.map { ProductOption(name: $0, values: optionValues[$0] ?? []) }
        input.variants = variants
        return (input, text("category", first)?.lowercased(), errors)
    }

    /// Draft errors (`variants.2.price`, `title`) as the lines they came from (`lines.9.price`).
    static func relabel(_ errors: [Problem.FieldError], lines: [Int]) -> [Problem.FieldError] {
        errors.map { error in
            let parts = error.field.split(separator: ".", maxSplits: 2).map(String.init)
            if parts.count >= 2, parts[0] == "variants", let index = Int(parts[1]), index < lines.count {
                return .init(field: "lines.\(lines[index])" + (parts.count == 3 ? "." + parts[2] : ""), message: error.message)
            }
            return .init(field: "lines.\(lines[0]).\(error.field)", message: error.message)
        }
    }
}

extension ProductCatalog {
    /// Creates the product with handle `slug`, or replaces the one that has it (keeping the ids
    /// of variants whose options match). True when created. Runs in the caller's transaction.
    func upsert(_ input: ProductInput, slug: String, actor: String, now: Date, on sql: any SQLDatabase) async throws -> Bool {
        let existingID = try await sql.raw("SELECT id FROM products WHERE slug = \(bind: slug)").first()?.decode(column: "id", as: String.self)
        guard let existingID, let existing = try await loadForUpdate(id: existingID, on: sql) else {
            let draft = try ProductDraft.empty.applying(input, storeCurrency: currency, existing: nil)
            try await save(draft, id: Identifier.make("prod", date: now), existing: nil, actor: actor, now: now, on: sql)
            return true
        }
        var draft = try ProductDraft.empty.applying(input, storeCurrency: currency, existing: nil)
        for index in draft.variants.indices {
            draft.variants[index].id = existing.variants.first { $0.options == draft.variants[index].options }?.id
        }
        try await save(draft, id: existingID, existing: existing, actor: actor, now: now, on: sql)
        return false
    }
}
