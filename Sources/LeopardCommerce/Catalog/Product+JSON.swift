import LeopardCore

// Products write their own JSON (see `JSONWriter`): the same bytes as their `Encodable`
// conformances give through `JSONBodyEncoder`, keys in byte order, which `ProductJSONTests`
// checks on products with every field set and with every optional missing.

extension Product: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.object { json in
            if let categoryId {
                json.key("categoryId")
                json.string(categoryId)
            }
            json.key("categoryIds")
            json.array(categoryIds) { $0.string($1) }
            json.key("createdAt")
            json.string(createdAt)
            json.key("description")
            json.string(description)
            json.key("id")
            json.string(id)
            json.key("images")
            json.array(images) { $0.value($1) }
            json.key("inStock")
            json.bool(inStock)
            json.key("options")
            json.array(options) { $0.value($1) }
            json.key("price")
            json.value(price)
            if let seoDescription {
                json.key("seoDescription")
                json.string(seoDescription)
            }
            if let seoTitle {
                json.key("seoTitle")
                json.string(seoTitle)
            }
            json.key("slug")
            json.string(slug)
            json.key("status")
            json.string(status.rawValue)
            json.key("stock")
            json.int(stock)
            json.key("tags")
            json.array(tags) { $0.string($1) }
            json.key("taxClass")
            json.string(taxClass.rawValue)
            json.key("title")
            json.string(title)
            json.key("updatedAt")
            json.string(updatedAt)
            json.key("variants")
            json.array(variants) { $0.value($1) }
        }
    }
}

extension ProductVariant: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.object { json in
            json.key("compareAtPrice")
            json.value(compareAtPrice)
            json.key("id")
            json.string(id)
            if let imageId {
                json.key("imageId")
                json.string(imageId)
            }
            json.key("inStock")
            json.bool(inStock)
            json.key("options")
            json.object { members in
                for name in options.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                    members.member(name)
                    members.string(options[name] ?? "")
                }
            }
            json.key("price")
            json.value(price)
            json.key("sku")
            json.string(sku)
            json.key("stock")
            json.int(stock)
            json.key("title")
            json.string(title)
            json.key("trackInventory")
            json.bool(trackInventory)
            json.key("weight")
            json.int(weight)
        }
    }
}

extension ProductImage: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.object { json in
            json.key("alt")
            json.string(alt)
            json.key("id")
            json.string(id)
            json.key("position")
            json.int(position)
            json.key("url")
            json.string(url)
        }
    }
}

extension ProductOption: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.object { json in
            json.key("name")
            json.string(name)
            json.key("values")
            json.array(values) { $0.string($1) }
        }
    }
}
