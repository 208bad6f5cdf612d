import Foundation
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// In a dedicated instance: stops this process gracefully (as SIGTERM does) when the platform
/// process that started it is gone, so that no instance outlives its platform.
public struct ParentWatchService: Service {
    let parent: pid_t

    /// The watch when the platform named itself in `LEOPARD_PARENT_PID`; none otherwise.
    public static func fromEnvironment() -> [any Service] {
        guard let parent = ProcessInfo.processInfo.environment["LEOPARD_PARENT_PID"].flatMap(Int32.init) else { return [] }
        return [ParentWatchService(parent: parent)]
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if getppid() != parent {
                    raise(SIGTERM)
                    return
                }
            }
        }
    }
}
