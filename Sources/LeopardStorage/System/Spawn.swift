import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a program with `posix_spawn` and waits for it on a thread of its own.
/// Foundation's `Process.run()` on Linux (toolchain 6.3.1) can crash the whole process: it
/// copies a fixed 256 bytes of every `/proc/self/fd` entry, reading past the end of glibc's
/// buffer now and then (swiftlang/swift-corelibs-foundation#5472). Standard input is
/// `/dev/null`; standard output and error go to `outputPath`. The child inherits the files
/// this process opened without close-on-exec (`posix_spawn_file_actions_addclosefrom_np` is
/// not imported into Swift): it holds them, unused, until it exits.
enum Spawn {
    struct Failed: Error, CustomStringConvertible {
        let call: String
        let code: Int32
        var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
    }

    static func run(path: String, arguments: [String], environment: [String: String], outputPath: String) async throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_TRUNC, 0)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard spawned == 0 else { throw Failed(call: "posix_spawn", code: spawned) }
        let child = pid
        // waitpid blocks: on a thread of its own, never on a concurrency or pool thread.
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(child, &status, 0) == -1 {
                    guard errno == EINTR else { return continuation.resume(throwing: Failed(call: "waitpid", code: errno)) }
                }
                // WIFEXITED / WEXITSTATUS, which Swift does not import as macros.
                let signal = status & 0x7F
                continuation.resume(returning: signal == 0 ? (status >> 8) & 0xFF : 128 + signal)
            }
        }
    }
}
