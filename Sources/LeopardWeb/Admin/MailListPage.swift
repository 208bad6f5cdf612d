import LeopardCommerce
import LeopardCore

/// The owner's list of the store's mail: what was sent, what is waiting, what failed and why.
public struct MailListPage: Sendable {
    public struct Row: Sendable {
        public let id: String
        public let kind: String
        public let recipient: String
        public let subject: String
        public let status: String
        public let failed: Bool
        public let detail: String
        public let date: String
    }

    public struct Filter: Sendable {
        public let label: String
        public let url: String
        public let current: Bool
    }

    public let rows: [Row]
    public let empty: Bool
    public let filters: [Filter]
    public let nextUrl: String?

    public init(page: Page<QueuedMail>, status: QueuedMail.Status?) {
        rows = page.data.map { mail in
            Row(
                id: mail.id, kind: mail.kind.rawValue.replacingOccurrences(of: "_", with: " "), recipient: mail.recipient,
                subject: mail.subject ?? "(not written yet)", status: mail.status.rawValue, failed: mail.status == .failed,
                detail: mail.lastError.map { "\($0) (\(mail.attempts) tries)" } ?? (mail.status == .sent ? "" : "\(mail.attempts) tries so far"),
                date: String((mail.sentAt ?? mail.createdAt).prefix(16)).replacingOccurrences(of: "T", with: " "))
        }
        empty = page.data.isEmpty
        filters = [("All", nil), ("Sent", QueuedMail.Status.sent), ("Waiting", .pending), ("Failed", .failed)].map { label, value in
            Filter(label: label, url: value.map { "/admin/mail?status=\($0.rawValue)" } ?? "/admin/mail", current: value == status)
        }
        nextUrl = page.nextCursor.map { cursor in
            "/admin/mail?" + (status.map { "status=\($0.rawValue)&" } ?? "") + "cursor="
                + (cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        }
    }
}
