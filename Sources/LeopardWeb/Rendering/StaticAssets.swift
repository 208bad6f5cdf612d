import Crypto
import Foundation

/// The stylesheet, served under a name that carries a hash of its content
/// (`/assets/leopard.3f2a9c1d.css`), so that it can be cached for a year and a new version is
/// a new name.
public struct StaticAssets: Sendable {
    public struct Asset: Sendable {
        public let path: String
        public let contentType: String
        public let bytes: [UInt8]
    }

    public let stylesheet: Asset

    public init(stylesheet: [UInt8]) {
        let digest = SHA256.hash(data: stylesheet).prefix(5).map { String(format: "%02x", $0) }.joined()
        self.stylesheet = Asset(path: "/assets/leopard.\(digest).css", contentType: "text/css; charset=utf-8", bytes: stylesheet)
    }

    public static func bundled() throws -> StaticAssets {
        guard let url = Bundle.module.url(forResource: "Assets/leopard", withExtension: "css")
            ?? Bundle.module.url(forResource: "leopard", withExtension: "css", subdirectory: "Assets") else {
            throw PageRenderer.Failure.missingTemplates(Bundle.module.bundlePath + "/Assets")
        }
        return StaticAssets(stylesheet: Array(try Data(contentsOf: url)))
    }

    public func asset(at path: String) -> Asset? {
        path == stylesheet.path ? stylesheet : nil
    }
}
