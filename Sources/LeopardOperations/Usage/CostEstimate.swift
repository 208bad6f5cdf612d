import Foundation

/// What the operator pays for what stores use, in US dollars: set with `leopard serve
/// --cost-per-gb-month … --cost-per-million-requests … --cost-per-cpu-hour …
/// --cost-per-store-month … --cost-per-connection-hour …`. The defaults are a small cloud's list
/// prices.
public struct CostPrices: Sendable, Equatable, Encodable {
    /// Disk for databases and images, per gigabyte (10⁹ bytes) and month.
    public var perGBMonth: Double = 0.10
    /// Requests served, per million (load balancer, bandwidth).
    public var perMillionRequests: Double = 0.40
    /// Server time spent answering a store's requests, per hour of one core.
    public var perCPUHour: Double = 0.04
    /// What every store costs however idle (its share of the servers kept running).
    public var perStoreMonth: Double = 0
    /// A store's database held open on an instance, per hour: the memory of its connections
    /// (about 10 MB for a PostgreSQL connection, at $3.50 per GB of memory a month).
    public var perConnectionHour: Double = 0.00005

    public init() {}
}

/// A store's estimated monthly cost from what it used in the last 30 days: its bytes at rest,
/// its requests, and the time spent answering them (wall-clock time in the handler: an upper
/// bound of the CPU time, as it includes waiting on the database), and the time its database was
/// held open. `idle` is what the store costs with no traffic at all: its bytes and the fixed
/// share (an idle store's database is closed once others need the room, or its pool empties).
public struct CostEstimate: Sendable, Equatable, Encodable {
    public let currency = "USD"
    public let storage: Double
    public let requests: Double
    public let compute: Double
    public let connections: Double
    public let fixed: Double
    public let monthly: Double
    public let idle: Double
    public let handlerSeconds30Days: Double
    public let openSeconds30Days: Double

    public init(bytes: Int, requests30Days: Int, busySeconds30Days: Double, openSeconds30Days: Double = 0, prices: CostPrices) {
        func cents(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }
        storage = cents(Double(max(bytes, 0)) / 1e9 * prices.perGBMonth)
        requests = cents(Double(max(requests30Days, 0)) / 1e6 * prices.perMillionRequests)
        compute = cents(max(busySeconds30Days, 0) / 3600 * prices.perCPUHour)
        connections = cents(max(openSeconds30Days, 0) / 3600 * prices.perConnectionHour)
        fixed = cents(prices.perStoreMonth)
        monthly = cents(storage + requests + compute + connections + fixed)
        idle = cents(storage + fixed)
        handlerSeconds30Days = (busySeconds30Days * 1000).rounded() / 1000
        self.openSeconds30Days = (openSeconds30Days * 1000).rounded() / 1000
    }

    enum CodingKeys: String, CodingKey {
        case currency, storage, requests, compute, connections, fixed, monthly, idle, handlerSeconds30Days, openSeconds30Days
    }
}
