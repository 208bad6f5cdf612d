import LeopardStorage

extension PlatformSchema {
    /// A sign-in's reserved try, given back when the password was right.
    static let m0014RateLimitRefs =
        Migration(
            "0014_rate_limit_refs",
            [
                "ALTER TABLE rate_limit_events ADD COLUMN ref TEXT"
            ])
}
