import LeopardStorage

extension PlatformSchema {
    /// Rate-limited events (signups, failed sign-ins), shared by every instance.
    static let m0009RateLimitEvents =
        Migration(
            "0009_rate_limit_events",
            [
                "CREATE TABLE rate_limit_events (bucket TEXT NOT NULL, at TEXT NOT NULL)",
                "CREATE INDEX rate_limit_events_bucket ON rate_limit_events (bucket, at)",
                "CREATE INDEX rate_limit_events_at ON rate_limit_events (at)",
            ])
}
