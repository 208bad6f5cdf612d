/// The steps of creating a store, in order. Each has a compensation that undoes it.
public enum ProvisioningStep: String, Sendable, CaseIterable, Codable {
    /// Insert the registry row in `provisioning`: the slug is taken. Undo: delete the row.
    case reserveSlug = "reserve_slug"
    /// Clone the store's database (and role) from the template. Undo: drop them.
    case createDatabase = "create_database"
    /// Open the database and apply any migration newer than the template. Undo: close it.
    case migrateSchema = "migrate_schema"
    /// Create the owner's staff account and the store settings. Undo: nothing of its own; the
    /// rows live in the database that `createDatabase`'s undo drops.
    case createOwner = "create_owner"
    /// Set the status to `active`: the store answers. Undo: back to `provisioning`.
    case markActive = "mark_active"
}
