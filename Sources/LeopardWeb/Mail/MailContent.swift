/// What one mail says, before it is laid out: the same content makes the text part and the
/// HTML part, so the two always agree.
public struct MailContent: Sendable, Equatable {
    public struct Action: Sendable, Equatable {
        public let label: String
        public let url: String

        public init(label: String, url: String) {
            self.label = label
            self.url = url
        }
    }

    /// An order's lines and totals, formatted in the store's currency.
    public struct Summary: Sendable, Equatable {
        public struct Line: Sendable, Equatable {
            public let title: String
            public let quantity: Int
            public let total: String

            public init(title: String, quantity: Int, total: String) {
                self.title = title
                self.quantity = quantity
                self.total = total
            }
        }

        public struct Row: Sendable, Equatable {
            public let label: String
            public let amount: String

            public init(label: String, amount: String) {
                self.label = label
                self.amount = amount
            }
        }

        public let lines: [Line]
        public let totals: [Row]
        public let address: [String]

        public init(lines: [Line], totals: [Row], address: [String]) {
            self.lines = lines
            self.totals = totals
            self.address = address
        }
    }

    public var subject: String
    public var heading: String
    public var paragraphs: [String]
    public var action: Action?
    public var summary: Summary?
    /// Small print under everything (why this mail came, what to do if it was not wanted).
    public var footnote: String?

    public init(
        subject: String, heading: String, paragraphs: [String], action: Action? = nil, summary: Summary? = nil, footnote: String? = nil
    ) {
        self.subject = subject
        self.heading = heading
        self.paragraphs = paragraphs
        self.action = action
        self.summary = summary
        self.footnote = footnote
    }
}
