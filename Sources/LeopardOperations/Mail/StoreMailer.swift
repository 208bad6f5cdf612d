import Foundation
import LeopardCommerce
import LeopardCore
import LeopardMail
import LeopardPlatform
import LeopardStorage
import LeopardWeb
import Logging

/// Sends a store's queued mail: claims what is due, writes each mail from the store's data
/// and templates, hands it to the transport (SMTP, or `.eml` files), and records the outcome.
/// The store's database is held to claim and write, and to record, never while the mail
/// server is being talked to.
public struct StoreMailer: Sendable {
    let transport: any MailTransport
    let renderer: MailRenderer
    let secrets: SecretBox
    let configuration: ServerConfiguration
    let logger: Logger

    /// Queues mail from services' transactions, sealing links' secrets with the platform's key.
    public var sender: MailSender {
        MailSender(seal: { [secrets] in try secrets.seal($0) })
    }

    /// One mail ready to go, or the reason it cannot be written.
    struct Prepared {
        let job: MailQueue.Job
        let message: Result<MailMessage, MailProblem>
    }

    struct MailProblem: Error {
        let description: String
        var permanent = true
    }

    /// How long one mail may take to send; the SMTP client's deadline.
    static let sendLimit: TimeInterval = 60

    /// Sends what is due in one store, batch after batch; returns how many were attempted.
    /// A batch stops at a failure worth retrying (the server is likely down, and the rest
    /// would wait for it too) and before its lease could end during a send: mail not tried is
    /// handed back, so another worker never sends a mail this one is still sending.
    func deliverDue(tenant: Tenant, databases: TenantDatabases, now: @escaping @Sendable () -> Date) async throws -> Int {
        var attempted = 0
        for _ in 0..<20 {
            let claimedAt = now()
            let prepared = try await databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                try await prepare(try await MailQueue(database: database).claim(now: claimedAt), tenant: tenant, database: database, now: claimedAt)
            }
            if prepared.isEmpty { break }
            let (tried, finished) = try await deliver(prepared, tenant: tenant, databases: databases, claimedAt: claimedAt, now: now)
            attempted += tried
            if !finished { break }
        }
        return attempted
    }

    /// Sends one claimed batch; returns how many were tried and whether the whole batch was.
    private func deliver(
        _ batch: [Prepared], tenant: Tenant, databases: TenantDatabases, claimedAt: Date, now: @escaping @Sendable () -> Date
    ) async throws -> (tried: Int, finished: Bool) {
        for (index, mail) in batch.enumerated() {
            // A send takes at most its connection time and its session's deadline: one that
            // could outlast the lease is not started, so no other worker can claim it mid-send.
            if now().timeIntervalSince(claimedAt) > MailQueue.lease - Self.sendLimit - TimeInterval(SMTPClient.connectSeconds) - 5 {
                try await release(batch[index...], tenant: tenant, databases: databases)
                return (index, false)
            }
            let outcome = await send(mail, tenant: tenant)
            if case .failed(let error, _, _) = outcome {
                logger.warning("mail not sent", metadata: ["tenant": .string(tenant.id), "mail": .string(mail.job.id), "error": .string(error)])
            }
            _ = try await databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                try await MailQueue(database: database).complete(mail.job, outcome: outcome, now: now())
            }
            if case .failed(_, false, _) = outcome, case .success = mail.message, index + 1 < batch.count {
                try await release(batch[(index + 1)...], tenant: tenant, databases: databases)
                return (index + 1, false)
            }
        }
        return (batch.count, true)
    }

    private func release(_ rest: ArraySlice<Prepared>, tenant: Tenant, databases: TenantDatabases) async throws {
        try await databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
            try await MailQueue(database: database).release(rest.map(\.job))
        }
    }

    private func send(_ mail: Prepared, tenant: Tenant) async -> MailQueue.Outcome {
        switch mail.message {
        case .failure(let problem):
            return .failed(error: problem.description, permanent: problem.permanent, subject: nil)
        case .success(let message):
            do {
                try await transport.deliver(message, mailbox: tenant.slug)
                return .sent(subject: message.subject)
            } catch let error as SMTPError {
                return .failed(error: error.description, permanent: error.permanent, subject: message.subject)
            } catch {
                return .failed(error: String(describing: error).prefix(300).description, permanent: false, subject: message.subject)
            }
        }
    }

    /// Writes each claimed mail. A mail whose subject is gone, or whose link cannot be opened
    /// (the platform's key changed), fails for good rather than being tried all day.
    func prepare(_ jobs: [MailQueue.Job], tenant: Tenant, database: any DatabaseHandle, now: Date) async throws -> [Prepared] {
        guard !jobs.isEmpty else { return [] }
        guard let settings = try await StoreSettings.load(from: database) else { return [] }
        var composer = MailComposer(settings: settings, storeURL: configuration.storeURL(slug: tenant.slug), database: database)
        let orderIDs = Set(jobs.filter { MailComposer.orderKinds.contains($0.kind) && $0.objectID?.hasPrefix("ord_") == true }.compactMap(\.objectID))
        do {
            composer.orders = Dictionary(
                try await Orders(database: database).find(ids: orderIDs.sorted()).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        } catch {
            // Not fatal: each order mail then reads its own order, and one that cannot be read
            // fails on its own below instead of holding up the whole claimed batch.
            logger.warning(
                "a mail batch could not read its orders together",
                metadata: ["tenant": .string(tenant.id), "error": .string(String(describing: error).prefix(200).description)])
        }
        var prepared: [Prepared] = []
        for job in jobs {
            let link: String?
            do {
                link = try job.sealedLink.map { try secrets.open($0) }
            } catch {
                prepared.append(Prepared(job: job, message: .failure(MailProblem(description: "the link's secret cannot be opened"))))
                continue
            }
            do {
                guard let content = try await composer.content(job.kind, objectID: job.objectID, link: link) else {
                    prepared.append(Prepared(job: job, message: .failure(MailProblem(description: "what the mail is about no longer exists"))))
                    continue
                }
                let message = try message(
                    content, kind: job.kind, recipient: job.recipient, messageID: job.messageID, settings: settings, storeURL: composer.storeURL, now: now)
                prepared.append(Prepared(job: job, message: .success(message)))
            } catch {
                // One mail that cannot be written (a template error, a row that no longer
                // decodes) fails on its own rather than holding up the batch.
                let reason = "the mail could not be written: \(String(describing: error).prefix(200))"
                prepared.append(Prepared(job: job, message: .failure(MailProblem(description: reason, permanent: false))))
            }
        }
        return prepared
    }

    /// The whole message: from the store's sender name at the platform's address, answers to
    /// the store, one Message-ID for the mail's life.
    func message(
        _ content: MailContent, kind: MailKind, recipient: String, messageID: String, settings: StoreSettings, storeURL: String, now: Date
    ) throws -> MailMessage {
        let brand = MailRenderer.Brand(
            storeName: settings.name, logoURL: Self.absolute(settings.logoUrl, base: storeURL), colours: ThemeStyle(settings.theme).colours,
            homeURL: storeURL + (kind.isForStaff ? "/admin" : "/"))
        let (text, html) = try renderer.render(content, brand: brand)
        let from = configuration.mailFrom
        let replyTo = (kind.isForStaff ? nil : settings.mail.replyTo ?? settings.contactEmail).map { MailMessage.Mailbox(address: $0) }
        return MailMessage(
            from: .init(name: kind == .storeWelcome ? "Leopard" : settings.mail.senderName ?? settings.name, address: from.address),
            to: .init(address: recipient), replyTo: replyTo, subject: content.subject, text: text, html: html,
            messageID: "\(messageID)@\(from.domain)", date: now)
    }

    /// A logo path on the store's own host as a whole URL (mail has no host to resolve it on).
    static func absolute(_ url: String?, base: String) -> String? {
        guard let url else { return nil }
        return url.hasPrefix("/") ? base + url : url
    }
}

extension StoreMailer {
    /// The mailer the configuration asks for: SMTP when `--smtp-url` is set, `.eml` files under
    /// `DATA_DIR/mail/` otherwise. A URL or sender address that cannot work stops the start.
    static func make(_ configuration: ServerConfiguration, secrets: SecretBox, logger: Logger) async throws -> StoreMailer {
        if let text = configuration.mailFromAddress { _ = try MailFrom(text) }
        let transport: any MailTransport
        if let url = configuration.smtpURL {
            transport = SMTPTransport(
                client: SMTPClient(settings: try SMTPSettings(url: url), localName: configuration.baseDomain, timeout: .seconds(Int64(sendLimit))))
        } else {
            transport = FileMailTransport(directory: configuration.mailFolder)
        }
        return StoreMailer(transport: transport, renderer: try await MailRenderer.bundled(), secrets: secrets, configuration: configuration, logger: logger)
    }

    /// Where mail goes, for the start-up banner.
    public var destination: String {
        if let smtp = transport as? SMTPTransport { return "SMTP \(smtp.client.settings)" }
        if let files = transport as? FileMailTransport { return "files in \(files.directory.path) (no --smtp-url set)" }
        return "a custom transport"
    }
}
