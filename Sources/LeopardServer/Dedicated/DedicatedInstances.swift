import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import LeopardCore
import LeopardOperations
import LeopardPlatform
import Logging
import NIOCore
import NIOHTTP1

/// The HTTP side of dedicated stores: a request for one is sent to its own instance (started by
/// `DedicatedSupervisor` when none runs) with a signed `X-Leopard-Proxy` header, or to the
/// store's service when an orchestrator runs the instances (`--dedicated-upstream`).
public struct DedicatedInstances: Sendable {
    public let supervisor: DedicatedSupervisor
    let configuration: ServerConfiguration
    let signature: ProxySignature
    let client: HTTPClient

    init(configuration: ServerConfiguration, signature: ProxySignature, client: HTTPClient, logger: Logger) {
        self.supervisor = DedicatedSupervisor(configuration: configuration, client: client, logger: logger)
        self.configuration = configuration
        self.signature = signature
        self.client = client
    }

    /// How many processes were started (tests, the benchmark).
    public var starts: Int { get async { await supervisor.starts } }

    /// The stores with a running instance, and its process id.
    public func running() async -> [String: Int32] { await supervisor.running() }

    /// The loopback port of the store's running instance (tests).
    func port(of tenantID: String) async -> Int? { await supervisor.port(of: tenantID) }

    @discardableResult
    public func stopIdle(now: ContinuousClock.Instant = .now) async -> [String] { await supervisor.stopIdle(now: now) }

    public func stop(tenantID: String) async { await supervisor.stop(tenantID: tenantID) }

    public func stopAll() async { await supervisor.stopAll() }

    /// Sends `request` to the store's instance (`path` replaces the request's path and query for
    /// `/proxy/:tenantId/…`; `host` is the store's host the instance resolves) and returns its answer.
    func forward(_ request: Request, tenant: Tenant, host: String, path: String, clientAddress: String?, retried: Bool = false) async throws -> Response {
        if let upstream = configuration.dedicatedUpstream {
            // Started and stopped by the orchestrator (Knative, Cloud Run), which holds requests
            // while the instance starts.
            return try await send(
                request, to: Self.upstreamURL(upstream, tenant: tenant), tenant: tenant, host: host, path: path, clientAddress: clientAddress,
                hostInForwardedHost: true)
        }
        let instance: DedicatedSupervisor.Instance
        do {
            instance = try await supervisor.acquire(tenant.id)
        } catch let problem as Problem {
            throw problem
        } catch {
            // Not started (or its health check failed): the shopper gets a 503, never a 500.
            throw Problem.unavailable("The store's own instance could not be started; try again shortly.")
        }
        do {
            let response = try await send(
                request, to: "http://127.0.0.1:\(instance.port)", tenant: tenant, host: host, path: path, clientAddress: clientAddress)
            await supervisor.done(tenant.id, generation: instance.generation)
            return response
        } catch {
            await supervisor.done(tenant.id, generation: instance.generation)
            // The instance died under the request (killed, crashed): forget it. A read is sent
            // again to a new one; a write may have been half done, so its client decides. The
            // exit can take a moment to be seen on a busy machine (500 ms was too short once, and
            // the request got the connection error as a 500).
            guard !retried, await instance.exit.wait(timeout: .seconds(5)) else {
                if let problem = error as? Problem { throw problem }
                throw Problem.unavailable("The store's own instance is not answering; try again shortly.")
            }
            await supervisor.exited(tenant.id, generation: instance.generation)
            guard request.method == .get || request.method == .head else {
                throw Problem.unavailable("The store's instance restarted while answering; try again.")
            }
            return try await forward(request, tenant: tenant, host: host, path: path, clientAddress: clientAddress, retried: true)
        }
    }

    /// `--dedicated-upstream http://leopard-store-{slug}.dedicated.svc.cluster.local`: the
    /// store's own service, named by its slug or id.
    static func upstreamURL(_ template: String, tenant: Tenant) -> String {
        template.replacingOccurrences(of: "{slug}", with: tenant.slug).replacingOccurrences(of: "{id}", with: tenant.id)
    }

    /// `hostInForwardedHost`: an orchestrator's gateway routes by `Host` (the store's service),
    /// so the store's host travels in `X-Forwarded-Host`, covered by the signature.
    private func send(
        _ request: Request, to base: String, tenant: Tenant, host: String, path: String, clientAddress: String?,
        hostInForwardedHost: Bool = false
    ) async throws -> Response {
        var outgoing = HTTPClientRequest(url: base + path)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) {
            outgoing.headers.add(name: field.name.rawName, value: field.value)
        }
        if hostInForwardedHost {
            outgoing.headers.replaceOrAdd(name: "X-Forwarded-Host", value: host)
        } else {
            outgoing.headers.replaceOrAdd(name: "Host", value: host)
        }
        outgoing.headers.replaceOrAdd(name: "X-Forwarded-For", value: clientAddress ?? "127.0.0.1")
        outgoing.headers.replaceOrAdd(
            name: ProxySignature.header.rawName,
            value: signature.sign(tenantID: tenant.id, method: request.method.rawValue, host: host, path: path))
        let length = request.headers[.contentLength].flatMap { Int($0) }
        if request.method != .get, request.method != .head {
            outgoing.body = .stream(request.body, length: length.map { .known(Int64($0)) } ?? .unknown)
        }
        let answer = try await client.execute(outgoing, timeout: .seconds(60))
        let body = try await answer.body.collect(upTo: Self.maximumResponseBytes)
        var headers = HTTPFields()
        for header in answer.headers where !Self.hopByHop.contains(header.name.lowercased()) && header.name.lowercased() != "content-length" {
            if let name = HTTPField.Name(header.name) { headers.append(HTTPField(name: name, value: header.value)) }
        }
        return Response(status: .init(code: Int(answer.status.code), reasonPhrase: answer.status.reasonPhrase), headers: headers, body: .init(byteBuffer: body))
    }

    /// Sends one signed `GET /api/store` to the store's instance, starting it if it is not
    /// running, and returns the status (the cold-start benchmark: spawn to first response).
    public func firstResponse(for tenant: Tenant) async throws -> Int {
        let instance = try await supervisor.acquire(tenant.id)
        let host = HostClassifier(baseDomain: configuration.baseDomain).storeHost(slug: tenant.slug)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(instance.port)/api/store")
        request.headers.replaceOrAdd(name: "Host", value: host)
        request.headers.replaceOrAdd(
            name: ProxySignature.header.rawName, value: signature.sign(tenantID: tenant.id, method: "GET", host: host, path: "/api/store"))
        do {
            let answer = try await client.execute(request, timeout: .seconds(10))
            _ = try await answer.body.collect(upTo: 1 << 20)
            await supervisor.done(tenant.id, generation: instance.generation)
            return Int(answer.status.code)
        } catch {
            await supervisor.done(tenant.id, generation: instance.generation)
            throw error
        }
    }

    static let maximumResponseBytes = 64 << 20
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "host", "x-leopard-proxy", "x-forwarded-for", "x-forwarded-host",
    ]
}
