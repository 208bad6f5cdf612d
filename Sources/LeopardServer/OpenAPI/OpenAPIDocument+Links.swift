/// OpenAPI links: where the ids an operation returns are used next. A client generator ignores
/// them; a stateful fuzzer (schemathesis) follows them from `POST /api/products` to
/// `GET /api/products/{product}` with the id it just got, instead of guessing ids that 404.
extension OpenAPIDocument {
    /// A creating operation whose ids feed a collection other than its own path.
    struct Producer {
        let operation: String
        let collection: String
        let pointer: String
    }

    /// Producers the path structure does not show: checkout makes orders, payment makes
    /// payments, adding a line gives the line's id.
    static let producers: [Producer] = [
        Producer(operation: "checkout", collection: "/api/orders", pointer: "/id"),
        Producer(operation: "payOrder", collection: "/api/payments", pointer: "/id"),
        Producer(operation: "addCartItem", collection: "/api/carts/{cartId}/items", pointer: "/items/0/id"),
        Producer(operation: "createWebhook", collection: "/api/webhooks", pointer: "/endpoint/id"),
        Producer(operation: "addProductImage", collection: "/api/products/{product}/images", pointer: "/images/0/id"),
    ]

    /// The `links` of `operation`'s success response, or nil when nothing uses its ids.
    static func links(for operation: Operation, among operations: [Operation]) -> JSONValue? {
        let sources: [(collection: String, pointer: String)]
        if let producer = producers.first(where: { $0.operation == operation.id }) {
            sources = [(producer.collection, producer.pointer)]
        } else if operation.method == "post", operation.status == 201, let response = operation.response, !response.hasPrefix("page:") {
            sources = [(operation.path, "/id")]
        } else {
            return nil
        }
        var links: [(String, JSONValue)] = []
        for (collection, pointer) in sources {
            for consumer in operations where consumer.id != operation.id {
                guard let parameter = firstParameter(of: consumer.path, after: collection) else { continue }
                var parameters: [(String, JSONValue)] = [(parameter, .string("$response.body#\(pointer)"))]
                for shared in pathParameters(consumer.path) where shared != parameter && pathParameters(operation.path).contains(shared) {
                    parameters.append((shared, .string("$request.path.\(shared)")))
                }
                if consumer.access == .cart || consumer.parameters.contains(where: { $0.name == "X-Cart-Secret" }) {
                    let secret = operation.response == "Cart" && operation.id == "createCart" ? "$response.body#/secret" : "$request.header.X-Cart-Secret"
                    parameters.append(("header.X-Cart-Secret", .string(secret)))
                }
                links.append((consumer.id, ["operationId": .string(consumer.id), "parameters": .object(parameters)]))
            }
        }
        return links.isEmpty ? nil : .object(links)
    }

    /// `{name}` when `path` is `collection/{name}` or goes on below it.
    static func firstParameter(of path: String, after collection: String) -> String? {
        guard path.hasPrefix(collection + "/{") else { return nil }
        let rest = path.dropFirst(collection.count + 2)
        guard let close = rest.firstIndex(of: "}") else { return nil }
        let after = rest[rest.index(after: close)...]
        guard after.isEmpty || after.hasPrefix("/") else { return nil }
        return String(rest[..<close])
    }
}
