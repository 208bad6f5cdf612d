#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's limit on open files. Every open SQLite connection holds three descriptors
/// (database, WAL, shared memory), so the tenant cap is sized from this.
public enum FileDescriptorLimit {
    /// Raises the soft limit to the hard limit and returns the soft limit now in force.
    @discardableResult
    public static func raiseSoftLimitToHard() -> Int {
        var limit = rlimit()
        #if canImport(Glibc) || canImport(Musl)
            let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
            let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// How many tenant databases fit in `descriptors`, keeping `reserve` for sockets and the
    /// platform database, when each tenant holds `connectionsPerTenant` SQLite connections.
    public static func tenantCapacity(descriptors: Int, connectionsPerTenant: Int, reserve: Int = 512) -> Int {
        max(1, (descriptors - reserve) / max(1, 3 * connectionsPerTenant))
    }
}
