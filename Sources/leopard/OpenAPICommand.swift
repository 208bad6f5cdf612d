import ArgumentParser
import LeopardServer

struct OpenAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi",
        abstract: "Print the OpenAPI 3.1 document that the server serves at /openapi.json: a store's API, or the platform's.",
        discussion: "The repository keeps both in openapi/; after changing the API run `swift run leopard openapi > openapi/store.json` "
            + "and `swift run leopard openapi --platform > openapi/platform.json`.")

    @Flag(help: "The platform's control-plane API instead of a store's.") var platform = false

    func run() throws {
        print(try OpenAPIExport.text(platform ? .platform : .store), terminator: "")
    }
}
