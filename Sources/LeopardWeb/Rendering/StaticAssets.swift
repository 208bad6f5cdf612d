import Crypto
import Foundation
import LeopardCore

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
    /// The storefront's card form with Stripe.js (a file: pages allow no inline script).
    public let stripePayment: Asset

    public init(stylesheet: [UInt8], stripePayment: [UInt8] = []) {
        self.stylesheet = Self.asset("leopard", "css", "text/css; charset=utf-8", stylesheet)
        self.stripePayment = Self.asset("stripe-payment", "js", "text/javascript; charset=utf-8", stripePayment)
    }

    /// `/assets/NAME.DIGEST.EXT`: the name changes with the content, so it is cached for good.
    static func asset(_ name: String, _ ext: String, _ contentType: String, _ bytes: [UInt8]) -> Asset {
        let digest = Hex.encode(SHA256.hash(data: bytes).prefix(5))
        return Asset(path: "/assets/\(name).\(digest).\(ext)", contentType: contentType, bytes: bytes)
    }

    public static func bundled() throws -> StaticAssets {
        func load(_ name: String, _ ext: String) throws -> [UInt8] {
            guard
                let url = Bundle.module.url(forResource: "Assets/\(name)", withExtension: ext)
                    ?? Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Assets")
            else {
                throw PageRenderer.Failure.missingTemplates(Bundle.module.bundlePath + "/Assets")
            }
            return Array(try Data(contentsOf: url))
        }
        return StaticAssets(stylesheet: try load("leopard", "css"), stripePayment: try load("stripe-payment", "js"))
    }

    public func asset(at path: String) -> Asset? {
        [stylesheet, stripePayment].first { $0.path == path }
    }
}
