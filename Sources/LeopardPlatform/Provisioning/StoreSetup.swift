import LeopardStorage

/// What the platform needs from the commerce layer to make a store, without importing it: the
/// store schema and a way to create the owner's account in a fresh store database.
public struct StoreSetup: Sendable {
    public struct Owner: Sendable {
        public var storeName: String
        public var email: String
        /// A bcrypt hash, or nil to issue a one-time setup token instead.
        public var passwordHash: String?

        public init(storeName: String, email: String, passwordHash: String?) {
            self.storeName = storeName
            self.email = email
            self.passwordHash = passwordHash
        }
    }

    public var migrator: Migrator
    /// Creates the owner and the store's settings; returns the setup token when one was issued.
    public var createOwner: @Sendable (any DatabaseHandle, Owner) async throws -> String?

    public init(migrator: Migrator, createOwner: @escaping @Sendable (any DatabaseHandle, Owner) async throws -> String?) {
        self.migrator = migrator
        self.createOwner = createOwner
    }
}
