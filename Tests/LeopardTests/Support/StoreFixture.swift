import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// A store made through signup, with its owner signed in: what most commerce tests start from.
struct StoreFixture: Sendable {
    let id: String
    let slug: String
    let token: String

    var host: String { "\(slug).localhost" }
}

extension TestClientProtocol {
    /// Signs a store up and signs its owner in.
    func makeStore(_ name: String, password: String = "correct horse battery") async throws -> StoreFixture {
        let signup = try await signup(storeName: name, email: "owner@\(TestEmail.domain(name)).test", password: password)
        try #require(signup.status == .created, "signup: \(signup.text)")
        let slug = try #require(signup.json["slug"] as? String)
        let id = try #require(signup.json["id"] as? String)
        let login = try await call(
            .post, "/api/auth/login", host: "\(slug).localhost", json: ["email": "owner@\(TestEmail.domain(name)).test", "password": password])
        try #require(login.status == .ok, "login: \(login.text)")
        return StoreFixture(id: id, slug: slug, token: try #require(login.json["token"] as? String))
    }

    /// A request to a store's host with an optional bearer token and JSON body.
    func call(
        _ method: HTTPRequest.Method, _ uri: String, host: String, token: String? = nil,
        json: Any? = nil, raw: String? = nil, headers extra: [HTTPField.Name: String] = [:]
    ) async throws -> TestResponse {
        var headers: HTTPFields = [HTTPField.Name("Host")!: host]
        if let token { headers[.authorization] = "Bearer \(token)" }
        for (name, value) in extra { headers[name] = value }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
        } else if let raw {
            headers[.contentType] = "application/json"
            body = ByteBuffer(string: raw)
        }
        return try await execute(uri: uri, method: method, headers: headers, body: body)
    }

    func call(
        _ method: HTTPRequest.Method, _ uri: String, store: StoreFixture, staff: Bool = true, json: Any? = nil, raw: String? = nil,
        headers: [HTTPField.Name: String] = [:]
    ) async throws -> TestResponse {
        try await call(method, uri, host: store.host, token: staff ? store.token : nil, json: json, raw: raw, headers: headers)
    }

    /// Creates an active product with the flat shape; returns its JSON.
    func makeProduct(_ store: StoreFixture, title: String, price: Int, stock: Int, extra: [String: Any] = [:]) async throws -> [String: Any] {
        var body: [String: Any] = ["title": title, "price": price, "stock": stock]
        for (key, value) in extra { body[key] = value }
        let response = try await call(.post, "/api/products", store: store, json: body)
        try #require(response.status == .created, "create product: \(response.text)")
        return response.json
    }

    /// Uploads the test PNG as the product's image, as staff; expects `201`.
    func uploadImage(_ store: StoreFixture, productID: String) async throws {
        let (body, contentType) = ProductImageTests().multipart(file: ProductImageTests.png)
        let uploaded = try await execute(
            uri: "/api/products/\(productID)/images", method: .post,
            headers: [
                HTTPField.Name("Host")!: store.host, .authorization: "Bearer \(store.token)", .contentType: contentType,
            ], body: body)
        try #require(uploaded.status == .created, "upload image: \(uploaded.text)")
    }

    /// A new cart holding `quantity` of `variantID`; returns (id, secret).
    func makeCart(_ store: StoreFixture, variantID: String, quantity: Int) async throws -> (id: String, secret: String) {
        let response = try await call(.post, "/api/carts", store: store, staff: false, json: ["items": [["variantId": variantID, "quantity": quantity]]])
        try #require(response.status == .created, "create cart: \(response.text)")
        return (try #require(response.json["id"] as? String), try #require(response.json["secret"] as? String))
    }
}

/// A JSON checkout body.
var checkoutBody: [String: Any] {
    [
        "email": "shopper@example.test",
        "shippingAddress": ["name": "Ada Shopper", "line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": "US"],
    ]
}

extension HTTPField.Name {
    static let cartSecret = HTTPField.Name("X-Cart-Secret")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}

enum TestEmail {
    /// A store name as the first label of a test e-mail domain.
    static func domain(_ name: String) -> String {
        name.lowercased().filter { $0.isLetter || $0.isNumber }
    }
}
