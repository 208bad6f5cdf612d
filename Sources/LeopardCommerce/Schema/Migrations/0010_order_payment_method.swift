import LeopardStorage

extension StoreSchema {
    public static let m0010OrderPaymentMethod =
        Migration(
            "0010_order_payment_method",
            [
                "ALTER TABLE orders ADD COLUMN payment_method TEXT NOT NULL DEFAULT 'card'"
            ])
}
