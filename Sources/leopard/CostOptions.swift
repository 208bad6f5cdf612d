import ArgumentParser
import Foundation
import LeopardOperations

/// The unit prices behind each store's estimated monthly cost (US dollars).
struct CostOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Disk for databases and images, per GB and month. Env: LEOPARD_COST_PER_GB_MONTH.", valueName: "usd"))
    var costPerGbMonth: Double = Double(ProcessInfo.processInfo.environment["LEOPARD_COST_PER_GB_MONTH"] ?? "") ?? CostPrices().perGBMonth

    @Option(help: ArgumentHelp("Requests served, per million. Env: LEOPARD_COST_PER_MILLION_REQUESTS.", valueName: "usd"))
    var costPerMillionRequests: Double =
        Double(ProcessInfo.processInfo.environment["LEOPARD_COST_PER_MILLION_REQUESTS"] ?? "") ?? CostPrices().perMillionRequests

    @Option(help: ArgumentHelp("Time answering a store's requests, per core hour. Env: LEOPARD_COST_PER_CPU_HOUR.", valueName: "usd"))
    var costPerCpuHour: Double = Double(ProcessInfo.processInfo.environment["LEOPARD_COST_PER_CPU_HOUR"] ?? "") ?? CostPrices().perCPUHour

    @Option(help: ArgumentHelp("What every store costs however idle (its share of the servers). Env: LEOPARD_COST_PER_STORE_MONTH.", valueName: "usd"))
    var costPerStoreMonth: Double = Double(ProcessInfo.processInfo.environment["LEOPARD_COST_PER_STORE_MONTH"] ?? "") ?? CostPrices().perStoreMonth

    @Option(
        help: ArgumentHelp(
            "A store's database held open (its connections' memory), per hour. Env: LEOPARD_COST_PER_CONNECTION_HOUR.", valueName: "usd"))
    var costPerConnectionHour: Double =
        Double(ProcessInfo.processInfo.environment["LEOPARD_COST_PER_CONNECTION_HOUR"] ?? "") ?? CostPrices().perConnectionHour

    func prices() throws -> CostPrices {
        let all = [costPerGbMonth, costPerMillionRequests, costPerCpuHour, costPerStoreMonth, costPerConnectionHour]
        guard all.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1_000_000 }) else {
            throw ValidationError("--cost-per-… prices must be from 0 to 1000000")
        }
        var prices = CostPrices()
        (prices.perGBMonth, prices.perMillionRequests, prices.perCPUHour, prices.perStoreMonth) = (
            costPerGbMonth, costPerMillionRequests, costPerCpuHour, costPerStoreMonth
        )
        prices.perConnectionHour = costPerConnectionHour
        return prices
    }
}
