extension OpenAPIDocument {
    /// The platform host's operations: health, metrics, signup and the operator's routes.
    static let platformOperations: [Operation] = [
        Operation(method: "get", path: "/healthz", id: "health", summary: "The process answers", tag: "platform", response: "Health"),
        Operation(
            method: "get", path: "/readyz", id: "ready",
            summary: "The platform database answers (503 when not); says whether the registry's change feed listens",
            tag: "platform", response: "Health"),
        Operation(method: "get", path: "/openapi.json", id: "getOpenAPIDocument", summary: "This document", tag: "platform"),
        Operation(
            method: "get", path: "/metrics", id: "metrics", summary: "Prometheus metrics, text format (the operator token, or a client on this machine)",
            tag: "platform",
            access: .operatorToken),
        Operation(
            method: "post", path: "/api/tenants", id: "signUp", summary: "Sign up: create a store", tag: "tenants", body: "Signup", status: 201,
            response: "Tenant"),
        Operation(
            method: "get", path: "/api/tenants", id: "listTenants", summary: "List stores", tag: "tenants", access: .operatorToken, response: "page:Tenant",
            parameters: page + [.query("status")]),
        Operation(
            method: "get", path: "/api/tenants/{tenantId}", id: "getTenant", summary: "A store", tag: "tenants", access: .operatorToken, response: "Tenant"),
        Operation(
            method: "patch", path: "/api/tenants/{tenantId}", id: "updateTenant",
            summary: "Serve the store from an instance of its own, started on demand and stopped when idle ({dedicated: true}), or from the shared instances",
            tag: "tenants", access: .operatorToken, body: "TenantUpdate", response: "Tenant"),
        Operation(
            method: "delete", path: "/api/tenants/{tenantId}", id: "deleteTenant", summary: "Soft delete, or purge with ?purge=true", tag: "tenants",
            access: .operatorToken,
            response: "Tenant", parameters: [.query("purge", OpenAPISchemas.boolean)]),
        Operation(
            method: "get", path: "/api/audit/isolation", id: "auditIsolation",
            summary:
                "Check that every store is kept apart: databases where the registry says, owners and connect rights, sessions refused by other stores (409 with the findings)",
            tag: "tenants", access: .operatorToken),
        Operation(
            method: "get", path: "/api/tenants/{tenantId}/metrics", id: "getTenantMetrics",
            summary:
                "A store's usage: requests (24 hours, 30 days), orders, revenue, products, customers, database and image bytes, last activity, estimated monthly cost",
            tag: "tenants", access: .operatorToken),
        Operation(
            method: "get", path: "/api/platform/reports", id: "platformReports",
            summary:
                "Signups, provisioning attempts and time, orders and GMV per currency by UTC day, week or month; stores by status, active in 30 days, largest; CSV with Accept: text/csv",
            tag: "platform", access: .operatorToken,
            parameters: [
                .query("from", OpenAPISchemas.reportDay), .query("to", OpenAPISchemas.reportDay),
                .query("interval", ["type": "string", "enum": ["day", "week", "month"]]),
            ]),
        Operation(
            method: "post", path: "/api/tenants/{tenantId}/suspend", id: "suspendTenant", summary: "Suspend a store", tag: "tenants", access: .operatorToken,
            response: "Tenant"),
        Operation(
            method: "post", path: "/api/tenants/{tenantId}/activate", id: "activateTenant", summary: "Activate a suspended store", tag: "tenants",
            access: .operatorToken,
            response: "Tenant"),
        Operation(
            method: "post", path: "/api/tenants/{tenantId}/restore", id: "restoreTenant", summary: "Restore a deleted store", tag: "tenants",
            access: .operatorToken,
            response: "Tenant"),
        Operation(
            method: "post", path: "/api/tenants/{tenantId}/domains", id: "addDomain",
            summary: "Add a custom domain {hostname}: 201 with the TXT record to set (409 when another store has it)",
            tag: "domains", access: .operatorToken, status: 201),
        Operation(
            method: "get", path: "/api/tenants/{tenantId}/domains", id: "listDomains", summary: "A store's custom domains", tag: "domains",
            access: .operatorToken,
            parameters: page),
        Operation(
            method: "post", path: "/api/tenants/{tenantId}/domains/{hostname}/verify", id: "verifyDomain",
            summary: "Look the TXT record up; 200 verified, 422 not found yet",
            tag: "domains", access: .operatorToken),
        Operation(
            method: "delete", path: "/api/tenants/{tenantId}/domains/{hostname}", id: "removeDomain", summary: "Remove a custom domain", tag: "domains",
            access: .operatorToken,
            status: 204),
        Operation(
            method: "get", path: "/internal/tls/ask", id: "tlsAsk", summary: "Caddy on_demand_tls ask: 200 only for a verified store domain", tag: "domains",
            parameters: [.query("domain")]),
    ]
}
