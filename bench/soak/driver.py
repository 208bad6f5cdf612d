#!/usr/bin/env python3
"""The soak's load driver and its audit (bench/soak.sh runs both).

  driver.py load  BASE_URL OUT_DIR SECONDS CLIENTS   shoppers and signups against BASE_URL
  driver.py audit BASE_URL OUT_DIR                    checks what the load left, as staff

`load` signs up stores, stocks them, then runs CLIENTS threads for SECONDS: each browses, and
now and then checks out (Idempotency-Key, retried with the same key until an answer comes) and
pays with the test card (its own key, retried the same way), or signs a new store up. A request
is retried on a connection error, a 502/503/504, or a 500 (which is itself a finding: counted).
It writes what the shoppers were told to OUT_DIR/ledger.json.

`audit` then checks, per store, as its owner: every order a shopper was told of exists exactly
once; order numbers run on from the first with no gap or repeat; each variant's stock is its starting stock
less what live orders hold; every paid order has exactly one captured payment, and no payment
was captured twice. It prints the figures and exits 1 on any violation.
"""
import json
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from http_request import send  # noqa: E402  (bench/lib, found through the line above)
import uuid

PASSWORD = "correct horse battery"
RETRYABLE = {500, 502, 503, 504}


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.attempts = 0
        self.attempt_failures = 0  # connection errors and 5xx, before retries
        self.requests = 0
        self.failed = 0  # still failing after every retry
        self.server_errors = 0  # 500s: each one is a bug to look at
        self.by_status = {}

    def attempt(self, status):
        with self.lock:
            self.attempts += 1
            key = str(status)
            self.by_status[key] = self.by_status.get(key, 0) + 1
            if status is None or status in RETRYABLE:
                self.attempt_failures += 1
            if status == 500:
                self.server_errors += 1

    def outcome(self, ok):
        with self.lock:
            self.requests += 1
            if not ok:
                self.failed += 1


STATS = Stats()


def call(base, method, path, body=None, headers=None, patience=30.0):
    """The answer to one logical request, retried (same body, same headers) until one that is
    not a transport failure or a 5xx comes, or `patience` seconds pass."""
    deadline = time.time() + patience
    pause = 0.1
    while True:
        status, raw = send(base, method, path, body, headers)
        STATS.attempt(status)
        if status is not None and status not in RETRYABLE:
            STATS.outcome(status < 400 or status in (404, 409, 422))
            try:
                return status, json.loads(raw) if raw else {}
            except ValueError:
                return status, {}
        if time.time() > deadline:
            STATS.outcome(False)
            return status, {}
        time.sleep(pause)
        pause = min(pause * 2, 1.0)


def tenant(slug, token=None, secret=None):
    headers = {"X-Tenant-ID": slug}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if secret:
        headers["X-Cart-Secret"] = secret
    return headers


def open_store(base, name):
    slug = f"soak-{name}"
    email = f"owner@{slug}.test"
    status, body = call(base, "POST", "/api/tenants", {"storeName": f"Soak {name}", "slug": slug, "ownerEmail": email,
                                                      "ownerPassword": PASSWORD})
    if status not in (201, 409):
        print(f"soak: signup of {slug} answered {status}: {body}")
        return None
    status, session = call(base, "POST", "/api/auth/login", {"email": email, "password": PASSWORD}, tenant(slug))
    if status != 200:
        print(f"soak: sign-in to {slug} answered {status}: {session}")
        return None
    return {"slug": slug, "token": session["token"]}


def stock_store(base, store, products=4, stock=100_000):
    variants = {}
    for index in range(products):
        status, product = call(base, "POST", "/api/products", {"title": f"Seed {index}", "price": 100 + index * 50, "stock": stock},
                               tenant(store["slug"], store["token"]))
        if status == 201:
            variants[product["variants"][0]["id"]] = stock
    store["variants"] = variants
    return store


def shopper(base, stores, until, ledger, lock, seed):
    rng = random.Random(seed)
    address = {"name": "Soak Shopper", "line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": "US"}
    while time.time() < until:
        store = rng.choice(stores)
        slug = store["slug"]
        roll = rng.random()
        if roll < 0.6:
            call(base, "GET", f"/api/products?limit={rng.choice([5, 20])}", headers=tenant(slug))
            continue
        if roll < 0.62:
            name = uuid.uuid4().hex[:10]
            status, _ = call(base, "POST", "/api/tenants", {"storeName": f"Soak {name}", "slug": f"soak-{name}",
                                                           "ownerEmail": f"o@soak-{name}.test"})
            with lock:
                ledger["signups"].append({"slug": f"soak-{name}", "status": status})
            continue
        status, cart = call(base, "POST", "/api/carts", {}, tenant(slug))
        if status != 201:
            continue
        secret = cart["secret"]
        variant = rng.choice(list(store["variants"]))
        quantity = rng.randint(1, 3)
        status, _ = call(base, "POST", f"/api/carts/{cart['id']}/items", {"variantId": variant, "quantity": quantity}, tenant(slug, secret=secret))
        if status != 200:
            continue
        key = str(uuid.uuid4())
        headers = {**tenant(slug, secret=secret), "Idempotency-Key": key}
        status, order = call(base, "POST", f"/api/carts/{cart['id']}/checkout", {"email": "shopper@soak.test", "shippingAddress": address}, headers)
        if status not in (200, 201):
            continue
        entry = {"store": slug, "order": order["id"], "number": order["number"], "variant": variant, "quantity": quantity, "paid": False}
        with lock:
            ledger["orders"].append(entry)
        pay_headers = {**tenant(slug, secret=secret), "Idempotency-Key": str(uuid.uuid4())}
        card = {"number": "4242424242424242", "expMonth": 12, "expYear": 2040, "cvc": "123"}
        status, payment = call(base, "POST", f"/api/orders/{order['id']}/pay", {"card": card}, pay_headers)
        if status in (200, 201):
            with lock:
                entry["paid"] = True
                entry["payment"] = payment.get("id")


def load(base, out, seconds, clients):
    stores = [s for s in (open_store(base, f"shop{i}") for i in range(3)) if s]
    if len(stores) < 3:
        print("soak: could not open the stores")
        sys.exit(1)
    for store in stores:
        stock_store(base, store)
    ledger = {"stores": stores, "orders": [], "signups": []}
    lock = threading.Lock()
    until = time.time() + seconds
    threads = [threading.Thread(target=shopper, args=(base, stores, until, ledger, lock, index)) for index in range(clients)]
    started = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ledger["seconds"] = time.time() - started
    ledger["stats"] = {k: v for k, v in vars(STATS).items() if k != "lock"}
    with open(os.path.join(out, "ledger.json"), "w") as handle:
        json.dump(ledger, handle)
    s = ledger["stats"]
    availability = 100.0 * (s["attempts"] - s["attempt_failures"]) / max(1, s["attempts"])
    print(f"soak load: {s['requests']} requests ({s['attempts']} attempts) in {ledger['seconds']:.0f} s, "
          f"{len(ledger['orders'])} orders, {sum(o['paid'] for o in ledger['orders'])} paid, {len(ledger['signups'])} signups")
    print(f"soak load: failures after retries {s['failed']}, 500s {s['server_errors']}, "
          f"attempts answered {availability:.2f} % (statuses {s['by_status']})")


def all_pages(base, path, headers):
    items, cursor = [], None
    while True:
        query = f"{'&' if '?' in path else '?'}limit=100" + (f"&cursor={cursor}" if cursor else "")
        status, page = call(base, "GET", path + query, headers=headers)
        if status != 200:
            raise SystemExit(f"soak audit: {path} answered {status}")
        items += page["data"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def settle(base, ledger, limit=90):
    """Waits (at most `limit` seconds) until every order a shopper paid for says so: a capture
    interrupted by a killed instance is sent again by a webhook worker pass after 10 s."""
    deadline = time.time() + limit
    tokens = {store["slug"]: store["token"] for store in ledger["stores"]}
    waiting = [entry for entry in ledger["orders"] if entry["paid"]]
    while waiting and time.time() < deadline:
        still = []
        for entry in waiting:
            status, order = call(base, "GET", f"/api/orders/{entry['order']}", headers=tenant(entry["store"], tokens[entry["store"]]))
            if status != 200 or order.get("status") == "pending":
                still.append(entry)
        waiting = still
        if waiting:
            time.sleep(2)
    return len(waiting)


def audit(base, out):
    ledger = json.load(open(os.path.join(out, "ledger.json")))
    unsettled = settle(base, ledger)
    print(f"soak audit: {unsettled} paid orders still pending after waiting for the payment outbox")
    problems = []
    checked_orders = 0
    for store in ledger["stores"]:
        headers = tenant(store["slug"], store["token"])
        orders = all_pages(base, "/api/orders", headers)
        checked_orders += len(orders)
        by_id = {}
        for order in orders:
            by_id.setdefault(order["id"], []).append(order)
        told = [o for o in ledger["orders"] if o["store"] == store["slug"]]
        for entry in told:
            found = by_id.get(entry["order"], [])
            if len(found) != 1:
                problems.append(f"{store['slug']}: order {entry['order']} the shopper was told of is there {len(found)} times")
        numbers = sorted(order["number"] for order in orders)
        if numbers and numbers != list(range(numbers[0], numbers[0] + len(numbers))):
            problems.append(f"{store['slug']}: order numbers {numbers[0]}..{numbers[-1]} have gaps or repeats ({len(numbers)} orders)")
        held = {}
        for order in orders:
            if order["status"] in ("cancelled", "expired"):
                continue
            for line in order["lines"]:
                held[line["variantId"]] = held.get(line["variantId"], 0) + line["quantity"]
        products = all_pages(base, "/api/products", headers)
        stock = {variant["id"]: variant["stock"] for product in products for variant in product["variants"]}
        for variant, start in store["variants"].items():
            if stock.get(variant) != start - held.get(variant, 0):
                problems.append(f"{store['slug']}: variant {variant} has {stock.get(variant)} in stock, "
                                f"expected {start} - {held.get(variant, 0)}")
        for order in orders:
            if order["status"] not in ("paid", "fulfilled", "partially_fulfilled"):
                continue
            status, payments = call(base, "GET", f"/api/orders/{order['id']}/payments", headers=headers)
            captured = [p for p in payments.get("data", []) if p["status"] == "captured"]
            if len(captured) != 1:
                problems.append(f"{store['slug']}: paid order {order['id']} has {len(captured)} captured payments")
        for entry in told:
            if entry["paid"] and by_id.get(entry["order"]) and by_id[entry["order"]][0]["status"] == "pending":
                problems.append(f"{store['slug']}: order {entry['order']} was paid for but is pending")
    print(f"soak audit: {checked_orders} orders in {len(ledger['stores'])} stores checked; "
          f"{len(ledger['orders'])} the shoppers were told of; {len(problems)} problems")
    for problem in problems[:20]:
        print("  - " + problem)
    stats = ledger["stats"]
    if problems or stats["failed"] or stats["server_errors"]:
        sys.exit(1)


if __name__ == "__main__":
    mode, base, out = sys.argv[1:4]
    if mode == "load":
        load(base, out, float(sys.argv[4]), int(sys.argv[5]))
    else:
        audit(base, out)
