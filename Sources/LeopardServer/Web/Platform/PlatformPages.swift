import Crypto
import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import LeopardPlatform
import LeopardWeb

/// The platform's own site on the base host: the landing page, the signup form (which ends
/// signed in to the new store's admin, through a one-time link), and the operator console.
struct PlatformPages {
    let pages: WebPages
    let services: LeopardServices

    static let scope = "platform"
    static let consoleLifetime: TimeInterval = 12 * 3600

    func register(on router: Router<AppContext>) {
        router.get("/") { request, _ in
            struct Landing { let baseDomain: String }
            return try page(request, "platform/landing", Landing(baseDomain: services.configuration.baseDomain), title: "Leopard — start your online store")
        }
        router.get("/signup") { request, _ in
            try page(
                request, "platform/signup", SignupPage(values: [:], errors: FieldMessages(), baseDomain: services.configuration.baseDomain),
                title: "Start your store")
        }
        router.post("/signup", use: signup)
        registerReports(on: router)
        router.get("/console") { request, _ in
            guard consoleSession(request) != nil else {
                return try page(request, "platform/console-login", ConsoleLoginPage(error: nil), title: "Operator console")
            }
            return try await console(request, error: nil)
        }
        router.post("/console/login") { request, context in
            let fields = try await form(request)
            let attempt: LoginThrottle.Attempt
            do {
                attempt = try await LoginThrottle(limiter: services.loginLimiter).begin("console:\(context.clientAddress ?? "local")")
            } catch let problem as Problem where problem.status == 429 {
                return try page(request, "platform/console-login", ConsoleLoginPage(error: problem.detail), title: "Operator console", status: .tooManyRequests)
            }
            guard let token = fields["token"], token.utf8.count <= 200, services.operatorCredentials.verify(token) else {
                return try page(
                    request, "platform/console-login", ConsoleLoginPage(error: "That operator token is not right."), title: "Operator console",
                    status: .unauthorized)
            }
            await attempt.succeeded()
            let expiry = Int(Date().addingTimeInterval(Self.consoleLifetime).timeIntervalSince1970)
            let value = "\(expiry).\(consoleSignature(expiry))"
            return pages.redirect(
                to: "/console", cookies: [BrowserSession.cookie(BrowserSession.consoleCookie, value, request: request, maxAge: Int(Self.consoleLifetime))])
        }
        router.post("/console/logout") { request, _ in
            _ = try await form(request)
            return pages.redirect(to: "/console", cookies: [BrowserSession.expired(BrowserSession.consoleCookie, request: request)])
        }
        router.post("/console/stores/:tenantId/:action") { request, context in
            guard consoleSession(request) != nil else { return pages.redirect(to: "/console") }
            _ = try await form(request)
            let id = try context.parameters.require("tenantId")
            let lifecycle = services.lifecycle
            let outcome: TenantLifecycle.Outcome
            switch try context.parameters.require("action") {
            case "suspend": outcome = try await lifecycle.suspend(id: id)
            case "activate": outcome = try await lifecycle.activate(id: id)
            case "delete": outcome = try await lifecycle.softDelete(id: id)
            case "restore": outcome = try await lifecycle.restore(id: id)
            default: throw Problem.notFound("There is no such action.")
            }
            switch outcome {
            case .changed: return pages.redirect(to: "/console")
            case .notFound: throw Problem.notFound("There is no store \(id.prefix(64)).")
            case .conflict(let status):
                return try await console(request, error: "That store is \(status.rawValue); the change does not apply.", status: .conflict)
            case .moving:
                return try await console(request, error: "That store is being moved to another server; try again once the move has ended.", status: .conflict)
            }
        }
    }

    // MARK: Sessions and forms

    func consoleSignature(_ expiry: Int) -> String {
        pages.session.token(scope: "console", binding: String(expiry))
    }

    /// The console cookie's value when it is signed by this platform and not expired.
    func consoleSession(_ request: Request) -> String? {
        guard let value = BrowserSession.read(BrowserSession.consoleCookie, request), let dot = value.firstIndex(of: "."),
            let expiry = Int(value[..<dot]), expiry > Int(Date().timeIntervalSince1970),
            pages.session.verify(String(value[value.index(after: dot)...]), scope: "console", binding: String(expiry))
        else { return nil }
        return value
    }

    func binding(_ request: Request) -> BrowserSession.Binding {
        BrowserSession.binding(request, session: consoleSession(request))
    }

    func form(_ request: Request) async throws -> FormFields {
        let fields = try await BrowserSession.readForm(request)
        try pages.session.check(fields[BrowserSession.formField], scope: Self.scope, binding: binding(request))
        return fields
    }

    func page<Page>(_ request: Request, _ template: String, _ model: Page, title: String, status: HTTPResponse.Status = .ok) throws -> Response {
        let binding = binding(request)
        let frame = PageRenderer.Frame(csrf: pages.session.token(scope: Self.scope, binding: binding.value), storeName: "Leopard")
        let chrome = PlatformChrome(title: title, stylesheet: pages.assets.stylesheet.path, consoleSignedIn: consoleSession(request) != nil)
        let html = try pages.renderer.render(template, page: model, frame: frame, layout: "shared/platform-layout", chrome: chrome)
        let cookies = binding.newCookie.map { [BrowserSession.cookie(BrowserSession.anonymousCookie, $0, request: request)] } ?? []
        return pages.html(html, status: status, request: request, cookies: cookies)
    }

    // MARK: Signup

    @Sendable func signup(_ request: Request, context: AppContext) async throws -> Response {
        let fields = try await form(request)
        var values: [String: String] = [:]
        for name in ["storeName", "slug", "ownerEmail"] { values[name] = String((fields[name] ?? "").prefix(300)) }
        let body = SignupRequest(
            storeName: values["storeName"] ?? "", ownerEmail: values["ownerEmail"] ?? "", ownerPassword: String((fields["ownerPassword"] ?? "").prefix(1024)),
            slug: fields.text("slug")?.lowercased())
        let created: TenantResource
        do {
            created = try await StoreSignup(services: services.platform).signup(body, clientAddress: context.clientAddress, logger: context.logger)
        } catch {
            let problem = ProblemRenderer.problem(for: error, context: context)
            let model = SignupPage(values: values, errors: FieldMessages(form: problem), baseDomain: services.configuration.baseDomain)
            return try page(request, "platform/signup", model, title: "Start your store", status: .init(code: problem.status))
        }
        // A one-time link into the new store's admin: the admin's cookie belongs to the store's host.
        guard let tenant = try await services.directory.tenant(id: created.id) else { return pages.redirect(to: "/signup") }
        let token = try await services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
            try await StaffSessions(database: database, hasher: pages.hasher).issueHandoff(email: created.ownerEmail)
        }
        guard let token else { return Response(status: .seeOther, headers: [.location: created.urls.admin]) }
        return Response(status: .seeOther, headers: [.location: created.urls.admin + "/handoff?token=" + token, .cacheControl: "no-store"])
    }

    // MARK: Console

    func console(_ request: Request, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let parameters = request.queryDictionary
        let filter = parameters["status"].flatMap(TenantStatus.init(rawValue:))
        let page = try await services.registry.list(
            status: filter, page: (try? PageRequest(limit: "25", cursor: parameters["cursor"])) ?? PageRequest(limit: 25))
        let total = try await services.registry.count(status: filter)
        var rows: [ConsolePage.Row] = []
        for tenant in page.data {
            var usage: StoreUsage?
            if tenant.status != .provisioning {
                usage = try? await services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { try await StoreUsage.load(from: $0) }
            }
            // `try?`: a row whose counts cannot be read shows a dash; the page still lists it.
            let requests = try? await services.usage.summary(tenantID: tenant.id)
            let cost = usage.map {
                CostEstimate(
                    bytes: $0.databaseBytes + services.media.bytes(tenantID: tenant.id), requests30Days: requests?.last30Days ?? 0,
                    busySeconds30Days: requests?.busySeconds30Days ?? 0, openSeconds30Days: requests?.openSeconds30Days ?? 0,
                    prices: services.configuration.costs)
            }
            var row = ConsolePage.Row(
                id: tenant.id, slug: tenant.slug, name: tenant.storeName, status: tenant.status.rawValue,
                created: String(Timestamp.string(tenant.createdAt).prefix(10)),
                products: usage?.products, orders: usage?.orders, bytes: usage?.databaseBytes,
                storefrontUrl: services.configuration.storeURL(slug: tenant.slug) + "/")
            row.cost = cost.map { String(format: "$%.4f", $0.monthly) } ?? "–"
            rows.append(row)
        }
        let statusText = filter?.rawValue
        let filters =
            [ListPage<ConsolePage.Row>.Filter(label: "All", url: "/console", current: filter == nil)]
            + [TenantStatus.active, .suspended, .deleted].map {
                .init(label: $0.rawValue.capitalized, url: "/console?status=\($0.rawValue)", current: filter == $0)
            }
        let model = ConsolePage(
            rows: rows, total: total, nextUrl: page.nextCursor.map { pageLink("/console", [("status", statusText), ("cursor", $0)]) },
            firstUrl: parameters["cursor"] != nil ? pageLink("/console", [("status", statusText)]) : nil, filters: filters, error: error)
        return try self.page(request, "platform/console", model, title: "Operator console", status: status)
    }
}
