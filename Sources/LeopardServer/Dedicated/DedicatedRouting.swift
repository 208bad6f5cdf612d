import LeopardOperations

/// What the request router does about dedicated stores.
enum DedicatedRouting: Sendable {
    /// The shared platform: requests for a dedicated store go to its own instance.
    case platform(DedicatedInstances)
    /// A dedicated instance (`serve --tenant ID`): it serves that store only, and only requests
    /// signed by the platform.
    case instance(tenantID: String, signature: ProxySignature)

    var isInstance: Bool {
        if case .instance = self { return true }
        return false
    }
}
