import LeopardStorage

/// The payments part of every store's schema: its migrations are in `Schema/Migrations`, in
/// `StoreDatabaseSchema`'s one ordered list with the commerce schema's.
public enum PaymentSchema {}
