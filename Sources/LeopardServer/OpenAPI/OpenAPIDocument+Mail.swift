import LeopardCommerce

/// The operations that send or follow mailed links, the customer's profile, and the store's mail.
extension OpenAPIDocument {
    static let mailOperations: [Operation] = [
        Operation(
            method: "post", path: "/api/customers/register", id: "registerCustomer",
            summary: "Register: mails a link that finishes the account (the answer is the same for an address that has one)", tag: "customers",
            body: "Registration", status: 202, response: "MailAccepted"),
        Operation(
            method: "post", path: "/api/customers/verify", id: "verifyCustomerEmail",
            summary: "Follow a verification link (with the password chosen when registering, checked when given): creates or verifies the account and signs in",
            tag: "customers", body: "VerifyInput", response: "CustomerSession"),
        Operation(
            method: "post", path: "/api/customers/password-reset", id: "requestCustomerPasswordReset",
            summary: "Mail a link to choose a new password (the same answer for unknown addresses)",
            tag: "customers", body: "EmailInput", status: 202, response: "MailAccepted"),
        Operation(
            method: "post", path: "/api/customers/password-reset/confirm", id: "confirmCustomerPasswordReset",
            summary: "Set a new password with a reset link's token and sign in",
            tag: "customers", body: "SetupInput", response: "CustomerSession"),
        Operation(
            method: "post", path: "/api/customers/me/verification", id: "sendCustomerVerification",
            summary: "Mail the signed-in customer a link that verifies their address",
            tag: "customers", access: .customer, status: 202, response: "MailAccepted"),
        Operation(
            method: "patch", path: "/api/customers/me", id: "updateCustomerMe", summary: "Change the signed-in customer's names", tag: "customers",
            access: .customer,
            body: "ProfileInput", response: "Customer"),
        Operation(
            method: "post", path: "/api/customers/me/password", id: "changeCustomerPassword",
            summary: "Change the password (the current one is required); other sessions end",
            tag: "customers", access: .customer, body: "PasswordChange", status: 204),
        Operation(
            method: "delete", path: "/api/customers/me/addresses/{addressId}", id: "deleteMyAddress", summary: "Remove a saved address", tag: "customers",
            access: .customer,
            status: 204),
        Operation(
            method: "post", path: "/api/auth/password-reset", id: "requestStaffPasswordReset",
            summary: "Mail a staff member a link to choose a new password (same answer for unknown addresses)",
            tag: "staff", body: "EmailInput", status: 202, response: "MailAccepted"),
        Operation(
            method: "post", path: "/api/auth/password-reset/confirm", id: "confirmStaffPasswordReset",
            summary: "Set a new staff password with a reset link's token; other sessions end",
            tag: "staff", body: "SetupInput", response: "StaffSession"),
        Operation(
            method: "post", path: "/api/auth/verify-email", id: "verifyStaffEmail",
            summary: "Follow a staff member's verification link: their address is verified",
            tag: "staff", body: "TokenInput", response: "EmailVerified"),
        Operation(
            method: "post", path: "/api/auth/me/verification", id: "sendStaffVerification",
            summary: "Mail the signed-in staff member a link that verifies their address",
            tag: "staff", access: .staff, status: 202, response: "MailAccepted"),
        Operation(
            method: "get", path: "/api/mail", id: "listMail", summary: "The store's mail, newest first", tag: "mail", access: .staff,
            response: "page:QueuedMail",
            parameters: page + [.query("status", ["type": "string", "enum": ["pending", "sent", "failed"]])]),
        Operation(
            method: "get", path: "/api/mail/preview/{kind}", id: "previewMail", summary: "One kind of mail as the store would send it now (nothing is sent)",
            tag: "mail",
            access: .staff, response: "MailPreview"),
        Operation(
            method: "post", path: "/api/mail/{mailId}/resend", id: "resendMail", summary: "Queue a failed mail again", tag: "mail", access: .staff,
            response: "QueuedMail"),
    ]
}

extension OpenAPISchemas {
    static var mailSchemas: [(String, JSONValue)] {
        let o = OpenAPISchemas.self
        return [
            ("MailAccepted", o.object([("status", ["type": "string", "enum": ["check_email"]]), ("detail", o.string)], required: ["status", "detail"])),
            ("VerifyInput", o.object([("token", o.string), ("password", o.string)], required: ["token"])),
            (
                "MailPreview",
                o.object(
                    [
                        ("kind", ["type": "string", "enum": .array(MailKind.allCases.map { .string($0.rawValue) })]), ("subject", o.string),
                        ("from", o.string), ("replyTo", o.nullable("string")), ("text", o.string), ("html", o.nullable("string")),
                    ], required: ["kind", "subject", "from", "text"])
            ),
            ("TokenInput", o.object([("token", o.string)], required: ["token"])),
            ("EmailVerified", o.object([("status", ["type": "string", "enum": ["verified"]]), ("email", o.string)], required: ["status", "email"])),
            ("EmailInput", o.object([("email", ["type": "string", "format": "email", "maxLength": 254])], required: ["email"])),
            ("ProfileInput", o.object([("firstName", ["type": "string", "maxLength": 100]), ("lastName", ["type": "string", "maxLength": 100])])),
            (
                "PasswordChange",
                o.object(
                    [("currentPassword", o.string), ("newPassword", ["type": "string", "minLength": 8, "maxLength": 72])],
                    required: ["currentPassword", "newPassword"])
            ),
            (
                "MailPreferences",
                o.object([
                    (
                        "senderName",
                        [
                            "type": ["string", "null"], "minLength": 1, "maxLength": 100,
                            "pattern": "^[^\\u0000-\\u001F\\u007F]*[^\\s\\u0000-\\u001F\\u007F][^\\u0000-\\u001F\\u007F]*$",
                        ]
                    ), ("replyTo", o.nullableEmail), ("newOrderNotifications", o.boolean),
                    ("lowStockNotifications", o.boolean),
                ])
            ),
            (
                "QueuedMail",
                o.object(
                    [
                        ("id", o.string), ("kind", ["type": "string", "enum": .array(MailKind.allCases.map { .string($0.rawValue) })]),
                        ("recipient", o.string), ("objectId", o.string), ("subject", o.string),
                        ("status", ["type": "string", "enum": ["pending", "sent", "failed"]]), ("attempts", o.integer), ("lastError", o.string),
                        ("nextAttemptAt", o.timestamp), ("sentAt", o.timestamp), ("createdAt", o.timestamp),
                    ], required: ["id", "kind", "recipient", "status", "attempts", "createdAt"])
            ),
        ]
    }
}
