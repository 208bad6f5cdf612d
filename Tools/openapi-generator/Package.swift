// swift-tools-version:6.1
// Builds Apple's swift-openapi-generator on its own, so the main package never compiles it.
// `bash Tools/openapi-generator/generate.sh` regenerates Sources/LeopardStoreAPI/Generated and
// Sources/LeopardPlatformAPI/Generated from openapi/*.json; CI runs it with `--check` and fails
// if anything changed. The generator and the libraries that shape its output are pinned, so the
// output does not move when they release (Package.resolved is not committed).
import PackageDescription

let package = Package(
    name: "openapi-generator-tool",
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator.git", exact: "1.14.3"),
        .package(url: "https://github.com/mattpolzin/OpenAPIKit.git", exact: "6.4.0"),
        .package(url: "https://github.com/jpsim/Yams.git", exact: "6.2.2"),
    ]
)
