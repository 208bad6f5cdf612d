import LeopardCore
import Testing

@Suite("Slugs")
struct SlugTests {
    @Test("valid slugs are kept as given", arguments: ["acme", "acme-tools", "a1b", "shop-42", String(repeating: "a", count: 40)])
    func valid(_ text: String) throws {
        #expect(try Slug(validating: text).value == text)
    }

    @Test(
        "invalid slugs are refused with a reason",
        arguments: [
            ("ab", Slug.Invalid.tooShort),
            (String(repeating: "a", count: 41), .tooLong),
            ("Acme", .badCharacters),
            ("café", .badCharacters),
            ("acme/tools", .badCharacters),
            ("acme.tools", .badCharacters),
            ("acme tools", .badCharacters),
            ("x'; DROP TABLE tenants;--", .badCharacters),
            ("-acme", .hyphenPlacement),
            ("acme-", .hyphenPlacement),
            ("ac--me", .hyphenPlacement),
            ("www", .reserved),
            ("admin", .reserved),
            ("api", .reserved),
            ("console", .reserved),
        ])
    func invalid(_ text: String, _ reason: Slug.Invalid) {
        #expect(throws: reason) { try Slug(validating: text) }
    }

    @Test(
        "slugs are derived from store names",
        arguments: [
            ("Acme Tools", "acme-tools"),
            ("  Crème Brûlée & Co.  ", "creme-brulee-co"),
            ("ÅNGSTRÖM -- Labs!!", "angstrom-labs"),
            ("Shop #42", "shop-42"),
            (String(repeating: "word ", count: 20), "word-word-word-word-word-word-word-word"),
        ])
    func derived(_ name: String, _ expected: String) throws {
        #expect(try Slug(deriving: name).value == expected)
    }

    @Test("a name with too little to derive from is refused")
    func underivable() {
        #expect(throws: Slug.Invalid.tooShort) { try Slug(deriving: "日本") }
        #expect(throws: Slug.Invalid.reserved) { try Slug(deriving: "Admin") }
    }
}

@Suite("Identifiers, e-mail addresses and cursors")
struct CoreValueTests {
    @Test("identifiers are prefixed, lower-case, 26 characters and sort by time")
    func identifiers() {
        let earlier = Identifier.make("ten", date: .init(timeIntervalSince1970: 1_000_000))
        let later = Identifier.make("ten", date: .init(timeIntervalSince1970: 2_000_000))
        #expect(earlier.hasPrefix("ten_"))
        #expect(Identifier.isWellFormed(earlier, prefix: "ten"))
        #expect(!Identifier.isWellFormed(earlier, prefix: "ord"))
        #expect(!Identifier.isWellFormed("ten_../../etc/passwd", prefix: "ten"))
        #expect(earlier < later)
        #expect(Identifier.make("ten") != Identifier.make("ten"))
    }

    @Test(
        "e-mail addresses",
        arguments: [
            ("owner@acme.test", true), ("Owner@Acme.Test", true), ("a@b", false), ("no-at.example", false),
            ("two@@example.com", false), ("sp ace@example.com", false), ("@example.com", false), ("x@-bad.com", false),
        ])
    func email(_ text: String, _ valid: Bool) {
        #expect((EmailAddress(text) != nil) == valid)
    }

    @Test("addresses are stored lower-cased")
    func emailLowercased() {
        #expect(EmailAddress("Owner@Acme.Test")?.value == "owner@acme.test")
    }

    @Test("cursors round-trip and foreign cursors are refused")
    func cursors() throws {
        let cursor = Cursor.encode("ten_01abc")
        #expect(Cursor.decode(cursor) == "ten_01abc")
        #expect(Cursor.decode("not-a-cursor") == nil)
        #expect(throws: Problem.self) { try PageRequest(limit: "101", cursor: nil) }
        #expect(throws: Problem.self) { try PageRequest(limit: "0", cursor: nil) }
        #expect(throws: Problem.self) { try PageRequest(limit: "ten", cursor: nil) }
        #expect(throws: Problem.self) { try PageRequest(limit: nil, cursor: "garbage!") }
        #expect(try PageRequest(limit: nil, cursor: nil).limit == 20)
        #expect(try PageRequest(limit: "100", cursor: cursor).after == "ten_01abc")
    }

    @Test("a page built from limit + 1 rows says there is more")
    func pages() {
        let full = Page(fetched: ["a", "b", "c"], limit: 2, position: { $0 })
        #expect(full.data == ["a", "b"])
        #expect(full.nextCursor.flatMap(Cursor.decode) == "b")
        let last = Page(fetched: ["a"], limit: 2, position: { $0 })
        #expect(last.nextCursor == nil)
    }
}
