// swift-tools-version:6.1
// Builds Apple's swift-openapi-generator on its own, so the main package never compiles it.
// `bash Tools/openapi-generator/generate.sh` regenerates Sources/LeopardClient/Generated from
// openapi/store.json; CI runs it with `--check` and fails if anything changed.
import PackageDescription

let package = Package(
    name: "openapi-generator-tool",
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator.git", exact: "1.14.3")
    ]
)
