#!/usr/bin/env python3
"""Seeds one store for a schemathesis run as one identity, and writes the run's configuration.

Usage: seed.py BASE_URL DATA_DIR IDENTITY OUT_DIR
  IDENTITY: owner (the store's owner), staff (a member whose role holds every permission),
            customer (a registered, verified shopper).
Writes OUT_DIR/schemathesis.toml (headers, the ids of real records for every path parameter,
warnings that fail the run) and OUT_DIR/operations.txt (the operation ids this identity may call,
from the document's x-leopard-access). Everything it creates lives in a store of its own.
"""
import email
import email.policy
import glob
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from http_request import send  # noqa: E402  (bench/lib, found through the line above)

base, data_dir, identity, out = sys.argv[1:5]
slug = f"fuzz-{identity}"
password = "correct horse battery"
tenant = {"X-Tenant-ID": slug}


def call(method, path, body=None, token=None, headers=None, expect=(200, 201, 202, 204)):
    request_headers = {} if path == "/api/tenants" else dict(tenant)
    request_headers.update(headers or {})
    if token:
        request_headers["Authorization"] = f"Bearer {token}"
    status, raw = send(base, method, path, body, request_headers, timeout=30)
    text = raw.decode()
    if status not in expect:
        raise SystemExit(f"seed: {method} {path} answered {status}: {text[:400]}")
    return json.loads(text) if text else {}


def mailed_token(address, path, after=0.0):
    """The token in the newest mail to `address` linking to `path` (mail goes to .eml files)."""
    deadline = time.time() + 30
    while time.time() < deadline:
        for name in sorted(glob.glob(os.path.join(data_dir, "mail", slug, "*.eml")), reverse=True):
            if os.path.getmtime(name) < after - 2:  # file times may be whole seconds
                continue
            message = email.message_from_binary_file(open(name, "rb"), policy=email.policy.default)
            if address not in str(message["To"]):
                continue
            for part in message.walk():
                if part.get_content_type() != "text/plain":
                    continue
                found = re.search(re.escape(path) + r"\?token=([A-Za-z0-9_\-]+)", part.get_content())
                if found:
                    return found.group(1)
        time.sleep(0.2)
    raise SystemExit(f"seed: no mail to {address} with a link to {path}")


address = {"name": "Fuzz Shopper", "line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": "US"}
signup = call("POST", "/api/tenants", {"storeName": f"Fuzz {identity}", "slug": slug, "ownerEmail": f"owner@{slug}.test",
                                       "ownerPassword": password})
owner = call("POST", "/api/auth/login", {"email": f"owner@{slug}.test", "password": password})["token"]

ids = {"storeId": signup["id"], "provider": "test"}
category = call("POST", "/api/categories", {"name": "Seeds"}, owner)
ids["category"] = category["id"]
products = [call("POST", "/api/products", {"title": f"Seed {i}", "price": i * 100, "stock": 50, "tags": ["seed"],
                                          "categoryId": category["id"]}, owner) for i in range(1, 13)]
product = products[0]
ids["product"] = product["id"]
ids["variantId"] = product["variants"][0]["id"]
png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")
boundary = "leopardfuzzboundary"
upload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"seed.png\"\r\n"
          f"Content-Type: image/png\r\n\r\n").encode() + png + f"\r\n--{boundary}--\r\n".encode()
request = urllib.request.Request(base + f"/api/products/{product['id']}/images", data=upload, method="POST",
                                 headers={**tenant, "Authorization": f"Bearer {owner}",
                                          "Content-Type": f"multipart/form-data; boundary={boundary}"})
with urllib.request.urlopen(request, timeout=30) as response:
    imaged = json.loads(response.read())
ids["imageId"] = imaged["images"][0]["id"]
ids["file"] = imaged["images"][0]["url"].rsplit("/", 1)[-1]

zone = call("POST", "/api/shipping-zones", {"name": "Everywhere", "countries": ["US"],
                                           "methods": [{"name": "Standard", "kind": "flat", "rate": 500}]}, owner)
ids["zoneId"] = zone["id"]
ids["rateId"] = call("POST", "/api/tax-rates", {"country": "US", "rate": 5}, owner)["id"]
discount = call("POST", "/api/discounts", {"title": "Ten off", "code": "TENOFF", "kind": "percentage", "value": 10}, owner)
ids["discountId"] = discount["id"]
ids["code"] = "TENOFF"
every = ["orders", "fulfillments", "products", "customers", "discounts", "settings", "reports", "staff", "payments", "webhooks",
         "apps"]
role = call("POST", "/api/roles", {"name": "Everything", "permissions": every}, owner)
# The run changes and deletes roles and members by these ids: never the staff identity's own.
ids["roleId"] = call("POST", "/api/roles", {"name": "Fuzzed", "permissions": ["orders"]}, owner)["id"]
ids["keyId"] = call("POST", "/api/api-keys", {"name": "fuzz", "scopes": ["products"]}, owner)["id"]
# A closed port on this machine: deliveries fail there, and nothing leaves it.
webhook = call("POST", "/api/webhooks", {"url": "http://127.0.0.1:9/hook", "events": ["order.created"]}, owner)
ids["webhookId"] = webhook["endpoint"]["id"]

started = time.time()
call("POST", "/api/staff", {"email": f"member@{slug}.test", "roleId": role["id"]}, owner)
ids["staffId"] = call("POST", "/api/staff", {"email": f"other@{slug}.test", "roleId": ids["roleId"]}, owner)["id"]
staff = None
if identity == "staff":
    token = mailed_token(f"member@{slug}.test", "/admin/setup", started)
    staff = call("POST", "/api/auth/setup", {"token": token, "password": password})["token"]

shopper = f"shopper@{slug}.test"
call("POST", "/api/customers/register", {"email": shopper, "password": password})
verify = mailed_token(shopper, "/account/verify", started)
customer_session = call("POST", "/api/customers/verify", {"token": verify, "password": password})
customer = customer_session["token"]
ids["customerId"] = customer_session["customer"]["id"]
ids["addressId"] = call("POST", "/api/customers/me/addresses", {"address": address}, customer)["id"]


def order(token=None):
    cart = call("POST", "/api/carts", {}, token)
    secret = {"X-Cart-Secret": cart["secret"]}
    filled = call("POST", f"/api/carts/{cart['id']}/items", {"variantId": ids["variantId"], "quantity": 1}, token, secret)
    placed = call("POST", f"/api/carts/{cart['id']}/checkout", {"email": shopper, "shippingAddress": address}, token, secret)
    return cart, secret, filled, placed


cart, secret, _, placed = order(customer)
payment = call("POST", f"/api/orders/{placed['id']}/pay",
               {"card": {"number": "4242424242424242", "expMonth": 12, "expYear": 2040, "cvc": "123"}}, customer, secret)
ids["orderId"] = placed["id"]
ids["paymentId"] = payment["id"]
open_cart = call("POST", "/api/carts", {}, customer)
cart_secret = open_cart["secret"]
filled = call("POST", f"/api/carts/{open_cart['id']}/items", {"variantId": ids["variantId"], "quantity": 1}, customer,
              {"X-Cart-Secret": cart_secret})
# An address the seeded zone ships to, so the cart has shipping methods to choose from, and the
# seeded code applied, so removing it finds it.
call("PUT", f"/api/carts/{open_cart['id']}/address", {"shippingAddress": address}, customer, {"X-Cart-Secret": cart_secret})
call("POST", f"/api/carts/{open_cart['id']}/discounts", {"code": "TENOFF"}, customer, {"X-Cart-Secret": cart_secret})
ids["cartId"] = open_cart["id"]
ids["itemId"] = filled["items"][0]["id"]
draft = call("POST", "/api/draft-orders", {"email": shopper, "lines": [{"variantId": ids["variantId"], "quantity": 1}],
                                          "shippingAddress": address}, owner)
ids["draftId"] = draft["id"]
deadline = time.time() + 30
while True:
    mails = call("GET", "/api/mail?limit=1", None, owner)["data"]
    deliveries = call("GET", f"/api/webhooks/{ids['webhookId']}/deliveries?limit=1", None, owner)["data"]
    if (mails and deliveries) or time.time() > deadline:
        break
    time.sleep(0.3)
if not mails or not deliveries:
    raise SystemExit("seed: no mail or webhook delivery was recorded within 30 s; is the server's worker running?")
ids["mailId"] = mails[0]["id"]
ids["deliveryId"] = deliveries[0]["id"]

# Each deleting operation gets a record of its own: deleting the shared one would turn every
# later call on it into a 404 ("missing test data").
disposable = {
    "deleteProduct": {"product": products[11]["id"]},
    "deleteCategory": {"category": call("POST", "/api/categories", {"name": "Spare"}, owner)["id"]},
    "deleteShippingZone": {"zoneId": call("POST", "/api/shipping-zones", {"name": "Spare", "countries": ["CA"],
                                                                         "methods": [{"name": "Spare", "kind": "flat", "rate": 700}]},
                                          owner)["id"]},
    "deleteTaxRate": {"rateId": call("POST", "/api/tax-rates", {"country": "CA", "rate": 5}, owner)["id"]},
    "deleteDiscount": {"discountId": call("POST", "/api/discounts", {"title": "Spare", "code": "SPARE", "kind": "fixed",
                                                                     "value": 100}, owner)["id"]},
    "deleteRole": {"roleId": call("POST", "/api/roles", {"name": "Spare", "permissions": ["orders"]}, owner)["id"]},
    "removeStaff": {"staffId": call("POST", "/api/staff", {"email": f"spare@{slug}.test"}, owner)["id"]},
    "revokeApiKey": {"keyId": call("POST", "/api/api-keys", {"name": "spare", "scopes": ["products"]}, owner)["id"]},
    "deleteWebhook": {"webhookId": call("POST", "/api/webhooks", {"url": "http://127.0.0.1:9/spare", "events": ["order.paid"]},
                                        owner)["endpoint"]["id"]},
    "deleteMyAddress": {"addressId": call("POST", "/api/customers/me/addresses", {"address": address}, customer)["id"]},
}

# Operations that change the state of the shared records get their own: a checkout of the shared
# cart would close it to every later cart call, a payment of the shared order would leave nothing
# to pay, and so on. Headers here are added to the run's own.
own = {operation: {"parameters": parameters} for operation, parameters in disposable.items()}
for operation in ("checkout",):
    spare = call("POST", "/api/carts", {}, customer)
    call("POST", f"/api/carts/{spare['id']}/items", {"variantId": ids["variantId"], "quantity": 1}, customer,
         {"X-Cart-Secret": spare["secret"]})
    own[operation] = {"parameters": {"cartId": spare["id"]}, "headers": {"X-Cart-Secret": spare["secret"]}}
for operation in ("payOrder", "cancelOrder", "markOrderPaid"):
    spare_cart, spare_secret, _, pending = order(customer)
    own[operation] = {"parameters": {"orderId": pending["id"]}, "headers": spare_secret}
spare_cart = call("POST", "/api/carts", {}, customer)
spare_line = call("POST", f"/api/carts/{spare_cart['id']}/items", {"variantId": ids["variantId"], "quantity": 1}, customer,
                  {"X-Cart-Secret": spare_cart["secret"]})
own["removeCartItem"] = {"parameters": {"cartId": spare_cart["id"], "itemId": spare_line["items"][0]["id"]},
                         "headers": {"X-Cart-Secret": spare_cart["secret"]}}
# Fuzzed edits may archive a product: not the one the shared cart holds.
# A variant named in their bodies is one of that product's own.
edited_variants = {}
for operation in ("replaceProduct", "updateProduct"):
    edited = call("POST", "/api/products", {"title": f"For {operation}", "price": 100}, owner)
    edited_variants[operation] = [variant["id"] for variant in edited["variants"]]
    own[operation] = {"parameters": {"product": edited["id"]}, "bindings": {"body.variants[*].id": operation}}
# The seeded payment belongs to the paid order's cart, whose secret is not the shared cart's.
own["authenticatePayment"] = {"headers": secret}
# A fuzzed replacement may stop the shared zone shipping to the shared cart's country.
own["replaceShippingZone"] = {"parameters": {"zoneId": call("POST", "/api/shipping-zones", {
    "name": "Replaced", "countries": ["DE"], "methods": [{"name": "Post", "kind": "flat", "rate": 900}]}, owner)["id"]}}
address_cart = call("POST", "/api/carts", {}, customer)
own["setCartAddress"] = {"parameters": {"cartId": address_cart["id"]}, "headers": {"X-Cart-Secret": address_cart["secret"]}}
# A category's products read their own cursors; a report of products reads none of the others'.
own["listCategoryProducts"] = {"bindings": {"query.cursor": "categoryCursors"}}
own["reportProducts"] = {"bindings": {"query.cursor": "firstPage"}}
# The image a variant shows is one of its product's own.
own["setVariantImage"] = {"bindings": {"body.imageId": "images"}}
# Quantity 0 removes the shared line (the Swift tests cover that); fuzzing keeps it.
own["updateCartItem"] = {"bindings": {"body.quantity": "quantities"}}
pictured = call("POST", "/api/products", {"title": "Pictured", "price": 100, "stock": 5}, owner)
request = urllib.request.Request(base + f"/api/products/{pictured['id']}/images", data=upload, method="POST",
                                 headers={**tenant, "Authorization": f"Bearer {owner}",
                                          "Content-Type": f"multipart/form-data; boundary={boundary}"})
with urllib.request.urlopen(request, timeout=30) as response:
    own["removeProductImage"] = {"parameters": {"product": pictured["id"], "imageId": json.loads(response.read())["images"][0]["id"]}}

# Operations generated requests (nearly) never pass, so schemathesis would warn that they refuse
# every input. Each is covered by the Swift tests named beside it instead.
unreachable = {
    "staffLogin": "random credentials are refused (401); every test store signs in (StoreFixture)",
    "customerLogin": "random credentials are refused (401); OrderTests",
    "setupStaffPassword": "takes a single-use token from an e-mail; AccountMailTests",
    "confirmStaffPasswordReset": "takes a single-use token from an e-mail; AccountMailTests",
    "confirmCustomerPasswordReset": "takes a single-use token from an e-mail; AccountMailTests",
    "verifyStaffEmail": "takes a single-use token from an e-mail; StaffEmailVerificationTests",
    "verifyCustomerEmail": "takes a single-use token from an e-mail; AccountMailTests",
    "restoreCart": "takes a cart link's token from an e-mail; CartLinkTests",
    "requestStaffPasswordReset": "rate-limited per address by design (429)",
    "requestCustomerPasswordReset": "rate-limited per address by design (429)",
    "registerCustomer": "rate-limited per address by design (429)",
    "sendStaffVerification": "rate-limited per address by design (429)",
    "sendCustomerVerification": "rate-limited per address by design (429)",
    "applyDiscountCode": "guessing codes is rate-limited by design (429), and random codes do not exist",
    "receivePaymentEvent": "events are signed with the provider's secret (400 otherwise); WebhookSignatureTests",
    "receivePlatformPaymentEvent": "events are signed with the provider's secret (400 otherwise); WebhookSignatureTests",
    "importProducts": "a CSV file's rows are not described by a JSON schema; ProductCSVTests",
    "createFulfillment": "names the order's lines by id; ShopOperationsTests",
    "createReturn": "names the order's lines by id; ShopOperationsTests",
    "editOrder": "names the order's lines and variants by id; OrderEditTests",
    "refundOrder": "names the order's returns by id, and the shared order is refunded once; PaymentFlowTests",
    "adjustInventory": "names a variant by id in its body; CatalogTests",
    "changeCustomerPassword": "needs the current password, and a change would end the run's own session; CustomerProfileTests",
    "createDiscount": "codes are unique, and required unless the discount is automatic, a rule the schema leaves out "
                      "(JSON Schema would need allOf, which breaks generated clients): fuzzed codes mostly collide (409) "
                      "or are missing (422); DiscountTests",
    "cancelOrder": "cancels its order once; every later call is a 409 by design; OrderTests",
}

dictionaries = {
    "variants": [variant["id"] for item in products[:11] for variant in item["variants"]],
    "categories": [call("POST", "/api/categories", {"name": name}, owner)["id"] for name in ("Parent", "Other")],
    **edited_variants,
    "images": [ids["imageId"]],
    "firstPage": [""],
    # Any page's next_cursor, or none: most lists read each other's.
    "cursors": [""] + [cursor for cursor in (call("GET", "/api/products?limit=1", None, owner)["next_cursor"],
                                              call("GET", "/api/categories?limit=1", None, owner)["next_cursor"]) if cursor],
    "shoppers": [shopper],
    "roles": [ids["roleId"]],
    "customers": [ids["customerId"]],
    "codes": [ids["code"]],
    "categoryCursors": [""] + [cursor for cursor in [call("GET", f"/api/categories/{ids['category']}/products?limit=1", None,
                                                          owner)["next_cursor"]] if cursor],
    "currencies": ["USD"],
    "cards": ["4242424242424242"],
    "years": [2040],
    "quantities": [1, 2, 3],
    "from": ["2026-01-01"],
    "to": ["2026-12-31"],
    "methods": [option["id"] for option in call("GET", f"/api/carts/{open_cart['id']}/shipping-methods", None, customer,
                                                {"X-Cart-Secret": cart_secret})["data"]],
}
bindings = {
    "body.variantId": "variants", "body.items[*].variantId": "variants", "body.lines[*].variantId": "variants",
    "body.add[*].variantId": "variants", "body.parentId": "categories", "body.categoryId": "categories",
    "body.categoryIds[*]": "categories",
    "body.card.number": "cards", "body.card.expYear": "years", "body.id": "methods",
    "body.price.currency": "currencies", "body.compareAtPrice.currency": "currencies",
    "body.variants[*].price.currency": "currencies", "body.variants[*].compareAtPrice.currency": "currencies", "body.minSubtotal.currency": "currencies",
    "body.shippingRate.currency": "currencies", "body.methods[*].rate.currency": "currencies",
    "body.methods[*].freeOver.currency": "currencies", "body.methods[*].bands[*].rate.currency": "currencies",
    "body.customLines[*].unitPrice.currency": "currencies",
    "query.from": "from", "query.to": "to", "query.cursor": "cursors", "body.customerEmails[*]": "shoppers",
    "body.roleId": "roles", "body.customerId": "customers", "body.discountCode": "codes", "body.shippingMethodId": "methods",
}

# The coverage phase sends boundary values and ignores the dictionaries of real ids above, so
# it cannot succeed where a body names records or money in the store's currency, or where the
# card must not have expired. Fuzzing and stateful testing still run these.
no_coverage = {
    "addCartItem": "names a variant", "updateCartItem": "quantity 0 removes the shared line",
    "createDraftOrder": "names variants", "setShippingMethod": "names one of the cart's methods",
    "payOrder": "the test card must not have expired", "createDiscount": "minSubtotal is in the store's currency",
    "updateDiscount": "minSubtotal is in the store's currency", "createShippingZone": "rates are in the store's currency",
    "replaceShippingZone": "rates are in the store's currency", "replaceCategory": "parentId names a category",
    "updateCategory": "parentId names a category", "createCategory": "parentId names a category",
    "createProduct": "categoryId names a category", "replaceProduct": "categoryId names a category",
    "updateProduct": "categoryId names a category",
}

token = {"owner": owner, "staff": staff, "customer": customer}[identity]
document = json.load(urllib.request.urlopen(urllib.request.Request(base + "/openapi.json", headers={"Host": f"{slug}.localhost"}), timeout=30))
allowed = {"owner": {"open", "cart", "staff", "owner", "staffOrCustomer"},
           "staff": {"open", "cart", "staff", "staffOrCustomer"},
           "customer": {"open", "cart", "customer", "staffOrCustomer"}}[identity]
operations = [operation["operationId"] for methods in document["paths"].values() for operation in methods.values()
              if operation.get("x-leopard-access") in allowed]

os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "operations.txt"), "w") as handle:
    handle.write("\n".join(sorted(operations)) + "\n")
with open(os.path.join(out, "schemathesis.toml"), "w") as handle:
    handle.write(f'# Written by bench/schemathesis/seed.py for the {identity} run.\n')
    handle.write('warnings = { fail-on = true }\n')
    # The store's own host reaches every route (X-Tenant-ID only reaches /api/).
    handle.write(f'headers = {{ "Host" = "{slug}.localhost", "Authorization" = "Bearer {token}", '
                 f'"X-Cart-Secret" = "{cart_secret}" }}\n')
    handle.write("[parameters]\n")
    for name, value in sorted(ids.items()):
        handle.write(f'"path.{name}" = "{value}"\n')
    # Body fields that name records: mostly real ones, so requests get past "no such record".
    for key, dictionary in sorted(bindings.items()):
        # The store's currency is the only one it takes: always it.
        probability = 1.0 if dictionary == "currencies" else 0.9
        handle.write(f'"{key}" = {{ dictionary = "{dictionary}", probability = {probability} }}\n')
    for name, values in sorted(dictionaries.items()):
        handle.write(f"\n[dictionaries.{name}]\nvalues = {json.dumps(values)}\n")
    for operation in sorted(set(own) | set(unreachable) | set(no_coverage)):
        if operation not in operations:
            continue
        handle.write(f'\n[[operations]]\ninclude-operation-id = "{operation}"\n')
        if operation in unreachable:
            handle.write(f'# {unreachable[operation]}\nwarnings = false\n')
        if operation in no_coverage:
            handle.write(f'# {no_coverage[operation]}\nphases.coverage.enabled = false\n')
        settings = own.get(operation, {})
        if "headers" in settings:
            handle.write("headers = { " + ", ".join(f'"{k}" = "{v}"' for k, v in settings["headers"].items()) + " }\n")
        if "parameters" in settings or "bindings" in settings:
            handle.write("[operations.parameters]\n")
            for name, value in settings.get("parameters", {}).items():
                handle.write(f'"path.{name}" = "{value}"\n')
            for key, dictionary in settings.get("bindings", {}).items():
                handle.write(f'"{key}" = {{ dictionary = "{dictionary}", probability = 1.0 }}\n')
print(json.dumps({"identity": identity, "operations": len(operations), "ids": sorted(ids)}))
