import ArgumentParser
import Foundation
import LeopardOperations
import LeopardServer

struct PodsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pods", abstract: "PostgreSQL servers for store databases.", subcommands: [PodsAddCommand.self, PodsListCommand.self])
}

struct PodsAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a PostgreSQL server for store databases: new stores go to the least-loaded server with room.",
        discussion:
            "The URL's login needs CREATEDB and CREATEROLE there, and should own the URL's database. The URL is stored sealed with the platform key. Give it in LEOPARD_POD_URL rather than as an argument to keep the password out of the process list."
    )

    @OptionGroup var platform: PlatformOptions
    @Argument(help: "A name for the server: lower-case letters, digits, hyphens.") var name: String
    @Argument(help: "postgres://user:password@host:5432/postgres (default: LEOPARD_POD_URL)") var url: String =
        ProcessInfo.processInfo.environment["LEOPARD_POD_URL"] ?? ""
    @Option(help: "How many stores it may hold.") var maxStores: Int = 2000

    func run() async throws {
        guard !url.isEmpty else { throw ValidationError("give the pod's postgres:// URL, as an argument or in LEOPARD_POD_URL") }
        let pod = try await platform.withServices { services in
            try await PodAdmin(services: services.platform).add(name: name, url: url, maxStores: maxStores)
        }
        say("pod \(pod.name) added (at most \(pod.maxStores) stores); new stores may go there now")
    }
}

struct PodsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Each server: its stores and the connections in use.")

    @OptionGroup var platform: PlatformOptions

    func run() async throws {
        let lines = try await platform.withServices { services in try await PodAdmin(services: services.platform).list() }
        say("pod                  stores      connections")
        for line in lines {
            let stores = line.maxStores.map { "\(line.stores)/\($0)" } ?? "\(line.stores)"
            let connections = line.error.map { "DOWN: \($0)" } ?? "\(line.connections ?? 0)/\(line.maxConnections ?? 0)"
            say(
                line.name.padding(toLength: 20, withPad: " ", startingAt: 0) + " " + stores.padding(toLength: 11, withPad: " ", startingAt: 0) + " "
                    + connections)
        }
    }
}
