import LeopardCommerce
import LeopardStorage

/// Every store database's migrations in the one order they apply: the commerce schema's
/// (`StoreSchema`) and the payments schema's (`PaymentSchema`), one file each in their
/// targets' `Schema/Migrations` folders. A new migration takes the next id and goes last.
public enum StoreDatabaseSchema {
    public static let migrations: [Migration] = [
        StoreSchema.m0001StoreSettings,
        StoreSchema.m0002StaffMembers,
        StoreSchema.m0003StaffCredentials,
        StoreSchema.m0004StoreSettingsCommerce,
        StoreSchema.m0005Catalog,
        StoreSchema.m0006Customers,
        StoreSchema.m0007CartsOrders,
        StoreSchema.m0008CatalogVersion,
        PaymentSchema.m0009Payments,
        StoreSchema.m0010OrderPaymentMethod,
        StoreSchema.m0011Webhooks,
        PaymentSchema.m0012ProviderOutboxCredentials,
        StoreSchema.m0013StaffHandoffs,
        PaymentSchema.m0014CaptureMethod,
        StoreSchema.m0015Mail,
        StoreSchema.m0016StaffEmailVerified,
        StoreSchema.m0017CheckoutEconomics,
        StoreSchema.m0018Discounts,
        StoreSchema.m0019Reservations,
        StoreSchema.m0020RolesAudit,
        StoreSchema.m0021FulfilmentsReturns,
        StoreSchema.m0022DraftOrders,
        StoreSchema.m0023CartLinks,
        StoreSchema.m0024CustomerRecords,
        StoreSchema.m0025ProductSEO,
        StoreSchema.m0026CategoryTree,
        StoreSchema.m0027VariantImages,
        StoreSchema.m0028ProductCategories,
        StoreSchema.m0029CustomLines,
        StoreSchema.m0030SalesLedger,
        StoreSchema.m0031Funnel,
        StoreSchema.m0032SalesEntries,
        StoreSchema.m0033FunnelVisits,
        StoreSchema.m0034SalesEntriesRecorded,
        StoreSchema.m0035CatalogStock,
    ]
}
