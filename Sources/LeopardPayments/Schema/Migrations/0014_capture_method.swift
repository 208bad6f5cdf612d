import LeopardStorage

extension PaymentSchema {
    /// Stripe payments authorized at checkout and captured when the order ships (`manual`),
    /// or captured at once (`automatic`).
    public static let m0014CaptureMethod =
        Migration(
            "0014_capture_method",
            [
                "ALTER TABLE provider_credentials ADD COLUMN capture_method TEXT NOT NULL DEFAULT 'automatic'"
            ])
}
