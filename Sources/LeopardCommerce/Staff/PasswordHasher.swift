import HummingbirdBcrypt
import NIOPosix

/// bcrypt, run on NIO's blocking thread pool so a 250 ms hash never stalls the event loops or
/// Swift's cooperative threads.
public struct PasswordHasher: Sendable {
    /// Production cost; tests may pass a lower one to stay fast.
    public static let defaultCost: UInt8 = 12
    public static let minimumLength = 8
    public static let maximumLength = 72  // bcrypt ignores bytes past 72

    public let cost: UInt8
    let threadPool: NIOThreadPool

    public init(cost: UInt8 = PasswordHasher.defaultCost, threadPool: NIOThreadPool = .singleton) {
        self.cost = cost
        self.threadPool = threadPool
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await threadPool.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await threadPool.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// Spends as long as a verification would, for sign-ins with an unknown e-mail address, so
    /// response times do not tell which addresses have accounts.
    public func spendVerificationTime(_ password: String) async throws {
        let cost = self.cost
        _ = try await threadPool.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Why a password is not acceptable, or nil.
    public static func problem(with password: String) -> String? {
        if password.count < minimumLength { return "must be at least \(minimumLength) characters" }
        // bcrypt reads a C string: everything after a NUL would be ignored.
        if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) { return "may not contain control characters" }
        if password.utf8.count > maximumLength { return "must be at most \(maximumLength) bytes" }
        return nil
    }
}
