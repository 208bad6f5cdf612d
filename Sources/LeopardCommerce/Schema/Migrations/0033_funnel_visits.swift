import LeopardStorage

extension StoreSchema {
    /// Which visitor hashes reached which step today and yesterday, so that every instance (and
    /// a restarted one) counts a browser once a day: instances add the hashes they saw in
    /// batches, and count only the rows that were new. Rows of earlier days are deleted; with
    /// their day's salt gone, a hash cannot be traced to an address or a browser.
    public static let m0033FunnelVisits =
        Migration(
            "0033_funnel_visits",
            [
                """
                CREATE TABLE funnel_visits (
                    day TEXT NOT NULL,
                    step TEXT NOT NULL,
                    visitor TEXT NOT NULL,
                    PRIMARY KEY (day, step, visitor)
                )
                """
            ])
}
