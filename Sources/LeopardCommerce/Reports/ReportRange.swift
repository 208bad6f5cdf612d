import Foundation
import LeopardCore

/// The days a report covers, in the store's time zone: `from` and `to` inclusive, cut into
/// periods of a day, a week (from Monday) or a month; the first and last periods stop at the
/// range's ends.
public struct ReportRange: Sendable, Equatable {
    public enum Interval: String, Sendable, CaseIterable {
        case day, week, month
    }

    /// One period: its first local day, and the instants it spans.
    public struct Period: Sendable, Equatable {
        public let label: String
        public let start: Date
        public let end: Date
    }

    public let from: String
    public let to: String
    public let interval: Interval
    public let zone: TimeZone
    /// The first instant of `from` and the first instant after `to`, in the zone.
    public let start: Date
    public let end: Date

    public static let maximumDays = 731
    public static let defaultDays = 30

    /// `from`/`to` as `YYYY-MM-DD` (default: the 30 days to today in the zone); field errors
    /// for dates that do not exist, a reversed range, or one longer than two years.
    public static func parse(from: String?, to: String?, interval: String?, zone: TimeZone, now: Date = Date()) throws(Problem) -> ReportRange {
        let calendar = Self.calendar(zone)
        var errors: [Problem.FieldError] = []
        func day(_ text: String?, field: String, otherwise: Date) -> Date? {
            guard let text else { return otherwise }
            guard let date = Self.localDay(text, calendar: calendar) else {
                errors.append(.init(field: field, message: "must be a date like 2026-12-31"))
                return nil
            }
            return date
        }
        let today = calendar.startOfDay(for: now)
        let end = day(to, field: "to", otherwise: today)
        let start = day(
            from, field: "from", otherwise: calendar.startOfDay(for: calendar.date(byAdding: .day, value: 1 - defaultDays, to: end ?? today) ?? today))
        let chosen = Interval(rawValue: interval ?? "day")
        if chosen == nil { errors.append(.init(field: "interval", message: "must be day, week or month")) }
        if let start, let end {
            let days = Self.days(from: start, to: end, calendar) + 1
            if days < 1 || days > maximumDays { errors.append(.init(field: "to", message: "must be on or after from, at most \(maximumDays) days later")) }
        }
        guard errors.isEmpty, let start, let end, let chosen, let after = calendar.date(byAdding: .day, value: 1, to: end).map(calendar.startOfDay) else {
            throw Problem.validation(errors)
        }
        return ReportRange(from: label(start, calendar), to: label(end, calendar), interval: chosen, zone: zone, start: start, end: after)
    }

    /// The `days` days up to and including today in the zone.
    public static func last(days: Int, interval: Interval, zone: TimeZone, now: Date = Date()) -> ReportRange {
        let calendar = Self.calendar(zone)
        let today = calendar.startOfDay(for: now)
        let start = calendar.startOfDay(for: calendar.date(byAdding: .day, value: 1 - max(days, 1), to: today) ?? today)
        let after = calendar.startOfDay(for: calendar.date(byAdding: .day, value: 1, to: today) ?? today)
        return ReportRange(from: label(start, calendar), to: label(today, calendar), interval: interval, zone: zone, start: start, end: after)
    }

    /// The same number of days just before this range, by the same interval.
    public var previous: ReportRange {
        let calendar = Self.calendar(zone)
        let days = Self.days(from: start, to: end, calendar)
        let start = calendar.startOfDay(for: calendar.date(byAdding: .day, value: -days, to: self.start) ?? self.start)
        let last = calendar.startOfDay(for: calendar.date(byAdding: .day, value: -1, to: self.start) ?? self.start)
        return ReportRange(
            from: Self.label(start, calendar), to: Self.label(last, calendar), interval: interval, zone: zone, start: start, end: self.start)
    }

    public var periods: [Period] {
        let calendar = Self.calendar(zone)
        var periods: [Period] = []
        var cursor = start
        while cursor < end {
            let next: Date?
            switch interval {
            // Midnight of the next day: where a day starts at 01:00 (DST begins at midnight in
            // some zones), adding a day to a midnight would land at 01:00 from then on.
            case .day: next = calendar.date(byAdding: .day, value: 1, to: cursor).map { calendar.startOfDay(for: $0) }
            case .week: next = calendar.dateInterval(of: .weekOfYear, for: cursor)?.end
            case .month: next = calendar.dateInterval(of: .month, for: cursor)?.end
            }
            let stop = min(next ?? end, end)
            guard stop > cursor else { break }
            periods.append(Period(label: Self.label(cursor, calendar), start: cursor, end: stop))
            cursor = stop
        }
        return periods
    }

    /// Whole days between two days' dates, whatever hour each began at (a day that starts at
    /// 01:00 is still a whole day).
    static func days(from start: Date, to end: Date, _ calendar: Calendar) -> Int {
        // Noon to noon: every day has one, and DST never moves a noon across a date.
        func noon(_ date: Date) -> DateComponents {
            var parts = calendar.dateComponents([.year, .month, .day], from: date)
            parts.hour = 12
            return parts
        }
        return calendar.dateComponents([.day], from: noon(start), to: noon(end)).day ?? 0
    }

    static func calendar(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        return calendar
    }

    /// Midnight of a `YYYY-MM-DD` day in the calendar's zone, or nil for text that is not a
    /// real day.
    static func localDay(_ text: String, calendar: Calendar) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1970...9999).contains(year)
        else { return nil }
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        return calendar.startOfDay(for: date)
    }

    static func label(_ date: Date, _ calendar: Calendar) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}
