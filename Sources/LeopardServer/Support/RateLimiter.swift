/// A sliding-window limit of `limit` events per `window` per key (a client address). A limit of 0
/// allows everything.
public actor RateLimiter {
    public let limit: Int
    public let window: Duration
    private var events: [String: [ContinuousClock.Instant]] = [:]
    private var checksSincePrune = 0

    public init(limit: Int, window: Duration) {
        self.limit = limit
        self.window = window
    }

    /// Records an event for `key`. Returns nil when allowed, or the whole seconds to wait.
    public func attempt(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        guard limit > 0 else { return nil }
        pruneOccasionally(now: now)
        var recent = events[key, default: []].filter { now - $0 < window }
        if recent.count >= limit, let oldest = recent.first {
            events[key] = recent
            let wait = window - (now - oldest)
            return max(1, Int(wait.components.seconds) + (wait.components.attoseconds > 0 ? 1 : 0))
        }
        recent.append(now)
        events[key] = recent
        return nil
    }

    /// The seconds to wait when `key` is at its limit, without recording an event.
    public func retryAfter(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        guard limit > 0 else { return nil }
        let recent = events[key, default: []].filter { now - $0 < window }
        guard recent.count >= limit, let oldest = recent.first else { return nil }
        let wait = window - (now - oldest)
        return max(1, Int(wait.components.seconds) + (wait.components.attoseconds > 0 ? 1 : 0))
    }

    /// Records an event for `key` (a failed sign-in, say).
    public func record(_ key: String, now: ContinuousClock.Instant = .now) {
        guard limit > 0 else { return }
        pruneOccasionally(now: now)
        events[key, default: []].append(now)
    }

    private func pruneOccasionally(now: ContinuousClock.Instant) {
        checksSincePrune += 1
        guard checksSincePrune >= 1000 else { return }
        checksSincePrune = 0
        events = events.filter { _, times in times.contains { now - $0 < window } }
    }
}
