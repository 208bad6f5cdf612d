import Foundation
import LeopardCommerce

/// A store's look as CSS custom properties. Three presets (the settings API's `theme.preset`)
/// give a full palette; the merchant's own colours, font and corner radius override them. Each
/// value is checked again here, so nothing but a colour, a font name or a length reaches the
/// page's `<style>` element.
public struct ThemeStyle: Sendable, Equatable {
    public struct Preset: Sendable, Equatable {
        public let name: String
        public let label: String
        public let primary: String
        public let accent: String
        public let background: String
        public let text: String
        public let muted: String
        public let surface: String
        public let border: String
        public let success: String
        public let danger: String
        public let font: String
        public let radius: Int
    }

    public static let presets: [Preset] = [
        Preset(
            name: "classic", label: "Classic (light, indigo)", primary: "#1f2937", accent: "#4f46e5", background: "#ffffff", text: "#111827",
            muted: "#4b5563", surface: "#f9fafb", border: "#e5e7eb", success: "#047857", danger: "#b91c1c",
            font: "system-ui, -apple-system, \"Segoe UI\", Roboto, Arial, sans-serif", radius: 8),
        Preset(
            name: "midnight", label: "Midnight (dark, amber)", primary: "#f9fafb", accent: "#f59e0b", background: "#0f172a", text: "#e5e7eb",
            muted: "#9ca3af", surface: "#1e293b", border: "#334155", success: "#34d399", danger: "#f87171", font: "\"Inter\", system-ui, sans-serif", radius: 12
        ),
        Preset(
            name: "fresh", label: "Fresh (serif, green)", primary: "#14532d", accent: "#15803d", background: "#fffdf7", text: "#1c1917",
            muted: "#57534e", surface: "#f5f5ec", border: "#e7e5d8", success: "#166534", danger: "#b91c1c", font: "Georgia, \"Times New Roman\", serif",
            radius: 2),
    ]

    public let css: String
    public let preset: String
    /// The colours themselves, for mail (which takes inline styles, not CSS variables).
    public let colours: Colours

    public struct Colours: Sendable, Equatable {
        public let primary: String
        public let accent: String
        public let onAccent: String
        public let background: String
        public let text: String
        public let muted: String
        public let border: String
    }

    public init(_ theme: StoreSettings.Theme) {
        let preset = Self.presets.first { $0.name == theme.preset } ?? Self.presets[0]
        func colour(_ value: String?, _ fallback: String) -> String {
            guard let value, Self.isHexColour(value) else { return fallback }
            return value
        }
        var font = preset.font
        if let custom = theme.font, !custom.isEmpty, custom.count <= 64,
            custom.allSatisfy({ $0.isLetter || $0.isNumber || $0 == " " || $0 == "-" })
        {
            font = "\"\(custom)\", " + preset.font
        }
        let radius = theme.radius.map { min(32, max(0, $0)) } ?? preset.radius
        self.preset = preset.name
        self.colours = Colours(
            primary: colour(theme.primaryColor, preset.primary), accent: colour(theme.accentColor, preset.accent),
            onAccent: Self.readableText(on: colour(theme.accentColor, preset.accent)), background: colour(theme.backgroundColor, preset.background),
            text: colour(theme.textColor, preset.text), muted: preset.muted, border: preset.border)
        self.css = """
            :root{--color-primary:\(colour(theme.primaryColor, preset.primary));--color-accent:\(colour(theme.accentColor, preset.accent));\
            --color-background:\(colour(theme.backgroundColor, preset.background));--color-text:\(colour(theme.textColor, preset.text));\
            --color-on-accent:\(Self.readableText(on: colour(theme.accentColor, preset.accent)));--color-muted:\(preset.muted);--color-surface:\(preset.surface);--color-border:\(preset.border);--color-success:\(preset.success);--color-danger:\(preset.danger);--font-body:\(font);--radius:\(radius)px}
            """
    }

    /// Black-ish or white text, whichever contrasts more with `background` (WCAG relative
    /// luminance), for buttons and badges on the accent colour.
    static func readableText(on background: String) -> String {
        guard let luminance = relativeLuminance(background) else { return "#ffffff" }
        // Contrast with white is 1.05 / (L + 0.05); with #111827 (L ≈ 0.0116) it is (L + 0.05) / 0.0616.
        return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.0616 ? "#ffffff" : "#111827"
    }

    static func relativeLuminance(_ hex: String) -> Double? {
        guard isHexColour(hex) else { return nil }
        var digits = String(hex.dropFirst())
        if digits.count == 3 { digits = digits.map { "\($0)\($0)" }.joined() }
        guard let value = UInt32(digits, radix: 16) else { return nil }
        func channel(_ shift: UInt32) -> Double {
            let c = Double(value >> shift & 0xff) / 255
            return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0)
    }

    static func isHexColour(_ value: String) -> Bool {
        let scalars = value.unicodeScalars
        guard scalars.first == "#", scalars.count == 7 || scalars.count == 4 else { return false }
        return scalars.dropFirst().allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) || ("A"..."F").contains($0) }
    }
}
