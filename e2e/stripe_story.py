"""The browser story with real card payments, against localstripe (PyPI): a stateful fake of
Stripe's API with its own stand-in for Stripe.js, started by run.sh on loopback.

A store connects Stripe (test keys, a webhook at the platform host) -> a shopper pays with a
card in the Stripe.js form -> a card that needs the bank's step (3-D Secure) is confirmed in
the stand-in's dialog and the shopper returns to a paid order -> a declined card comes back to
the form -> Stripe's signed webhook reaches the platform host -> the admin shows the order paid
and refunds it, and the refund reaches localstripe. Screenshots go to e2e/artifacts/ (50-…).

Usage: stripe_story.py BASE_URL LOCALSTRIPE_URL SERVER_LOG
"""
import json
import os
import secrets
import sys
import time
import urllib.parse
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

import story
from story import browser, expect, fill, gone, shot, submit

BASE = sys.argv[1].rstrip("/")
STRIPE = sys.argv[2].rstrip("/")
SERVER_LOG = sys.argv[3]
PORT = story.PORT
story.step_number = 50
PASSWORD = "correct horse battery"
SECRET_KEY = "sk_test_" + secrets.token_hex(12)
KEYS = {}


def call(method, url, body=None, token=None, form=None, headers=None):
    data = None
    request_headers = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
        request_headers["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form, doseq=True).encode()
        request_headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        request_headers["Authorization"] = "Bearer " + token
    # Python's resolver does not know *.localhost (browsers do): ask 127.0.0.1 with the Host.
    parts = urllib.parse.urlsplit(url)
    if parts.hostname and parts.hostname.endswith(".localhost"):
        request_headers["Host"] = parts.netloc
        url = urllib.parse.urlunsplit((parts.scheme, f"127.0.0.1:{parts.port}", parts.path, parts.query, ""))
    request = urllib.request.Request(url, data=data, method=method, headers=request_headers)
    with urllib.request.urlopen(request, timeout=15) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def connected_store():
    slug = f"gamma-{story.RUN}"
    created = call("POST", BASE + "/api/tenants", {"storeName": "Gamma Cards", "slug": slug, "ownerEmail": f"owner@{slug}.example", "ownerPassword": PASSWORD})
    store = f"http://{slug}.localhost:{PORT}"
    token = call("POST", store + "/api/auth/login", {"email": f"owner@{slug}.example", "password": PASSWORD})["token"]
    call("POST", store + "/api/products", {"title": "Spotted Mug", "price": 1800, "stock": 20}, token=token)
    webhook_secret = "whsec_" + secrets.token_hex(16)
    KEYS.update({"secretKey": SECRET_KEY, "webhookSecret": webhook_secret, "publishableKey": "pk_test_" + secrets.token_hex(12)})
    call("PUT", store + "/api/payment-providers/stripe", KEYS, token=token)
    providers = call("GET", store + "/api/payment-providers", token=token)
    expect(providers["mode"] == "test" and providers["defaultProvider"] == "stripe", f"Stripe test keys: test mode through Stripe ({providers})")
    # Stripe's events for every store go to the platform host, by store id.
    platform = BASE.replace("localhost", "127.0.0.1")
    call("POST", f"{STRIPE}/_config/webhooks/leopard-{story.RUN}", form={"url": f"{platform}/webhooks/payments/stripe/{created['id']}", "secret": webhook_secret})
    return slug, store, token


def to_payment_page(driver, store):
    driver.get(store + "/products/spotted-mug")
    submit(driver, "form[action='/cart/add']")
    driver.get(store + "/checkout")
    fill(driver, "email", "shopper@example.com")
    fill(driver, "name", "Sam Shopper")
    fill(driver, "line1", "1 Market Street")
    fill(driver, "postalCode", "94105")
    fill(driver, "city", "San Francisco")
    Select(driver.find_element(By.ID, "country")).select_by_visible_text("US")
    submit(driver, "form[action='/checkout']")
    expect("Pay for order" in driver.page_source, f"the payment page is shown (at {driver.current_url})")
    expect("cardNumber" not in driver.page_source, "no card field of the store's own")
    WebDriverWait(driver, 15).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#card-element input")) >= 4)


def enter_card(driver, number):
    values = {"number": number, "exp_month": "12", "exp_year": "34", "cvc": "123", "postal_code": "94105"}
    for name, value in values.items():
        fields = driver.find_elements(By.CSS_SELECTOR, f"#card-element input[placeholder='{name}']")
        if fields:
            fields[0].clear()
            fields[0].send_keys(value)


def press_pay(driver):
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, "#stripe-payment button[type=submit]").click()
    WebDriverWait(driver, 20).until(lambda _: gone(old))
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")


def wait_paid(driver):
    for _ in range(40):
        if "payment was received" in driver.page_source:
            return driver.find_element(By.TAG_NAME, "h1").text.split("#")[-1]
        time.sleep(0.25)
        driver.refresh()
    raise AssertionError(f"the order is not shown as paid (at {driver.current_url})")


def main():
    slug, store, token = connected_store()
    driver = browser()
    try:
        print("S1. pay with a card in the Stripe.js form")
        to_payment_page(driver, store)
        enter_card(driver, "4242424242424242")
        shot(driver, "stripe-card-form")
        press_pay(driver)
        first = wait_paid(driver)
        shot(driver, "stripe-paid")

        print("S2. a card that needs the bank's step (3-D Secure)")
        to_payment_page(driver, store)
        enter_card(driver, "4000002500003155")
        old = driver.find_element(By.TAG_NAME, "html")
        driver.find_element(By.CSS_SELECTOR, "#stripe-payment button[type=submit]").click()
        WebDriverWait(driver, 20).until(lambda _: gone(old))
        button = WebDriverWait(driver, 20).until(
            lambda d: next((b for b in d.find_elements(By.TAG_NAME, "button") if b.text == "Complete authentication"), None))
        shot(driver, "stripe-bank-step")
        button.click()
        WebDriverWait(driver, 20).until(lambda d: "/orders/" in d.current_url)
        wait_paid(driver)
        shot(driver, "stripe-paid-after-bank-step")

        print("S3. a declined card comes back to the form")
        to_payment_page(driver, store)
        enter_card(driver, "4000000000000341")
        press_pay(driver)
        expect("declined" in driver.page_source, "the form says the card was declined")
        expect(len(driver.find_elements(By.ID, "stripe-payment")) == 1, "the form is there to try again")
        shot(driver, "stripe-declined")

        print("S4. Stripe's signed webhook reaches the platform host")
        deadline = time.time() + 15
        delivered = False
        while time.time() < deadline and not delivered:
            with open(SERVER_LOG, encoding="utf-8", errors="replace") as log:
                delivered = any("/webhooks/payments/" in line and "storeId" in line and "status=200" in line for line in log)
            time.sleep(0.5)
        expect(delivered, "localstripe's payment_intent.succeeded was received and verified (200) at /webhooks/payments/stripe/STORE_ID")

        print("S5. the admin shows the order paid and refunds it through Stripe")
        driver.get(store + "/admin/login")
        fill(driver, "email", f"owner@{slug}.example")
        fill(driver, "password", PASSWORD)
        submit(driver, "form[action='/admin/login']")
        expect("Stripe is connected with test keys" in driver.page_source, "the admin's banner says Stripe test keys")
        driver.get(store + "/admin/orders")
        driver.get(driver.find_element(By.LINK_TEXT, f"#{first}").get_attribute("href"))
        expect("status paid" in driver.page_source.replace('"', " "), "the admin shows the order paid")
        shot(driver, "stripe-admin-order-paid")
        submit(driver, "form[action$='/refund']")
        expect("Refund recorded." in driver.page_source, "the refund was recorded")
        shot(driver, "stripe-admin-refunded")
        refunds = call("GET", STRIPE + "/v1/refunds", headers={"Authorization": "Bearer " + SECRET_KEY})
        expect(any(refund.get("amount") == 1800 for refund in refunds.get("data", [])), f"the refund reached localstripe ({refunds})")
        print("S6. capture on fulfilment: checkout authorizes, fulfilling in the admin captures")
        call("PUT", store + "/api/payment-providers/stripe", {**KEYS, "captureMethod": "manual"}, token=token)
        to_payment_page(driver, store)
        enter_card(driver, "4242424242424242")
        press_pay(driver)
        expect("Your card is authorized" in driver.page_source, "the confirmation says the card is authorized, to be charged on shipping")
        order_id = driver.current_url.rstrip("/").split("/")[-1]
        shot(driver, "stripe-authorized")
        driver.get(store + f"/admin/orders/{order_id}")
        submit(driver, "form[action$='/fulfillments']")
        expect("Shipment recorded" in driver.page_source, "shipping the authorized order worked")
        payments = call("GET", store + f"/api/orders/{order_id}/payments", token=token)
        expect(payments["data"][0]["status"] == "captured", f"the payment was captured through localstripe ({payments})")
        shot(driver, "stripe-captured-on-fulfil")
        print("stripe story passed")
    except Exception:
        shot(driver, "stripe-failure")
        print(driver.current_url)
        raise
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
