/// Durations as people write them on a command line: `90s`, `30m`, `24h`, `7d`.
public enum DurationText {
    public static func parse(_ text: String) -> Duration? {
        guard let unit = text.last, let number = Int64(text.dropLast()), number > 0 else { return nil }
        let seconds: Int64
        switch unit {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3600
        case "d": seconds = 86400
        default: return nil
        }
        guard number <= Int64.max / seconds / 1000 else { return nil }
        return .seconds(number * seconds)
    }
}
