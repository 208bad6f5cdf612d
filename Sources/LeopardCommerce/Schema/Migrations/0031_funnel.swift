import LeopardStorage

extension StoreSchema {
    /// The storefront funnel, counted without cookies or personal data: a visitor is a hash of
    /// the day's random salt, their address and browser, so the same browser counts once a day
    /// and, once the salt is deleted the next day, nobody (the operator included) can tell whose
    /// hash it was. `funnel_orders` ties an order to the hash that placed it, for the paid step.
    public static let m0031Funnel =
        Migration(
            "0031_funnel",
            [
                "CREATE TABLE funnel_salts (day TEXT PRIMARY KEY, salt TEXT NOT NULL)",
                """
                CREATE TABLE funnel_steps (
                    day TEXT NOT NULL,
                    visitor TEXT NOT NULL,
                    step TEXT NOT NULL,
                    PRIMARY KEY (day, step, visitor)
                )
                """,
                "CREATE TABLE funnel_orders (order_id TEXT PRIMARY KEY, day TEXT NOT NULL, visitor TEXT NOT NULL)",
            ])
}
