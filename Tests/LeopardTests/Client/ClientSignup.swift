import Foundation
import LeopardClient
import LeopardPlatformAPI
import Testing

/// Signup through the generated platform client: kept in a file of its own because the store
/// and platform modules both declare `Client`, `Components` and `Operations`.
enum ClientSignup {
    struct Signed: Sendable {
        let id: String
        let slug: String
    }

    static func signUp(_ platform: Platform, storeName: String, email: String, password: String) async throws -> Signed {
        let output = try await platform.api.signUp(body: .json(.init(ownerEmail: email, ownerPassword: password, storeName: storeName)))
        let tenant = try output.created.body.json
        #expect(tenant.storeName == storeName)
        #expect(tenant.status == "active")
        return Signed(id: tenant.id, slug: tenant.slug)
    }

    /// A signup the platform refuses: its problem details, decoded.
    static func refusedSignUp(_ platform: Platform, storeName: String, email: String) async throws -> (status: Int, problem: Components.Schemas.Problem) {
        let output = try await platform.api.signUp(body: .json(.init(ownerEmail: email, ownerPassword: "correct horse battery", storeName: storeName)))
        guard case .default(let status, let response) = output else {
            Issue.record("expected a problem, got \(output)")
            throw CancellationError()
        }
        return (status, try response.body.applicationProblemJson)
    }
}
