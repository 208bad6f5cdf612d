import LeopardStorage

extension StoreSchema {
    /// Categories as a tree: each may sit under a parent (Garden › Tools), ordered by position
    /// among its siblings.
    public static let m0026CategoryTree =
        Migration(
            "0026_category_tree",
            [
                "ALTER TABLE categories ADD COLUMN parent_id TEXT",
                "CREATE INDEX categories_parent ON categories (parent_id)",
            ])
}
