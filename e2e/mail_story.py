"""The mail story of issue 19, in headless Chromium, with aiosmtpd as the mail server.

A shopper registers in the storefront and follows the verification link from the mail that
reached the SMTP server; forgets the password, follows the reset link and signs in with the new
one; the owner invites a clerk, whose invite link sets a password in the admin; a checkout's
order confirmation arrives with its text and HTML parts; the owner's Mail page lists what was
sent. Screenshots go to e2e/artifacts/.

Usage: mail_story.py BASE_URL MAILDIR (run.sh starts the server and aiosmtpd).
"""
import email
import glob
import json
import os
import re
import sys
import time
import urllib.request
import uuid
from email import policy

from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import story  # noqa: E402  (its helpers: browser, fill, submit, shot, expect)

BASE = story.BASE
MAILDIR = sys.argv[2]
RUN = uuid.uuid4().hex[:6]
SLUG = f"post-{RUN}"
STORE = BASE.replace("://", f"://{SLUG}.")
OWNER = f"owner@{SLUG}.example"


def api(method, path, body=None, token=None, host_store=True):
    request = urllib.request.Request(BASE + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("content-type", "application/json")
    if host_store:
        request.add_header("X-Tenant-ID", SLUG)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=15) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def mail_to(address, subject_part, within=20):
    """The newest message to `address` whose subject contains `subject_part`, as aiosmtpd stored it."""
    deadline = time.time() + within
    while time.time() < deadline:
        for path in sorted(glob.glob(os.path.join(MAILDIR, "*.eml")), reverse=True):
            with open(path, "rb") as f:
                message = email.message_from_bytes(f.read(), policy=policy.default)
            if address in (message["X-Envelope-To"] or "") and subject_part in (message["Subject"] or ""):
                return message
        time.sleep(0.2)
    raise AssertionError(f"no mail to {address} about '{subject_part}' reached the SMTP server in {within} s")


def link(message, path):
    text = message.get_body(("plain",)).get_content()
    story.expect(message.get_body(("html",)) is not None, "the mail has an HTML part")
    found = re.search(r"http\S+" + re.escape(path) + r"\?token=\S+", text)
    story.expect(found is not None, f"the mail's text links to {path}")
    return found.group(0)


def main():
    api("POST", "/api/tenants", {"storeName": "Post Office", "slug": SLUG, "ownerEmail": OWNER, "ownerPassword": "correct horse battery"}, host_store=False)
    owner = api("POST", "/api/auth/login", {"email": OWNER, "password": "correct horse battery"})["token"]
    driver = story.browser()
    try:
        shopper = f"zoe-{RUN}@example.test"
        driver.get(STORE + "/account/register")
        story.fill(driver, "email", shopper)
        story.fill(driver, "password", "first password 1")
        story.submit(driver, "form[action='/account/register']")
        story.expect("Check your e-mail" in driver.page_source, "registration asks to check the mail")
        story.shot(driver, "mail-register")
        driver.get(link(mail_to(shopper, "Confirm your e-mail"), "/account/verify"))
        story.fill(driver, "password", "first password 1")
        story.shot(driver, "mail-verify-link")
        story.submit(driver, "form[action='/account/verify']")
        story.expect(driver.current_url.endswith("/account"), f"the link signs the shopper in (at {driver.current_url})")

        story.submit(driver, "form[action='/account/logout']")
        driver.get(STORE + "/account/forgot")
        story.fill(driver, "email", shopper)
        story.submit(driver, "form[action='/account/forgot']")
        driver.get(link(mail_to(shopper, "Set a new password"), "/account/reset-password"))
        story.fill(driver, "password", "second password 2")
        story.shot(driver, "mail-reset-form")
        story.submit(driver, "form[action='/account/reset-password']")
        story.expect(driver.current_url.endswith("/account"), "the reset signs the shopper in")
        story.submit(driver, "form[action='/account/logout']")
        driver.get(STORE + "/account/login")
        story.fill(driver, "email", shopper)
        story.fill(driver, "password", "second password 2")
        story.submit(driver, "form[action='/account/login']")
        story.expect(driver.current_url.endswith("/account"), "the new password signs in")
        driver.get(STORE + "/account/profile")
        story.fill(driver, "firstName", "Zoe")
        story.fill(driver, "lastName", "Quill")
        story.submit(driver, "form[action='/account/profile']")
        story.expect("Your name is saved." in driver.page_source, "the shopper's name is saved")
        for name, value in [("name", "Zoe Quill"), ("line1", "4 Harbour Lane"), ("postalCode", "54321"), ("city", "Portsmouth")]:
            story.fill(driver, name, value)
        story.submit(driver, "form[action='/account/addresses']")
        story.expect("4 Harbour Lane" in driver.page_source, "the saved address is listed")
        story.shot(driver, "mail-profile")

        clerk = f"clerk-{RUN}@example.test"
        invited = api("POST", "/api/staff", {"email": clerk}, token=owner)
        story.expect("setupToken" not in invited, "the invite's answer holds no token")
        driver.get(link(mail_to(clerk, "You are invited"), "/admin/setup"))
        story.fill(driver, "password", "clerk password 3")
        story.submit(driver, "form[action='/admin/setup']")
        story.expect("/admin" in driver.current_url and "Password saved" in driver.page_source, "the invite link opens the admin")
        story.shot(driver, "mail-invite-accepted")

        product = api("POST", "/api/products", {"title": f"Postcard {RUN}", "price": 350, "stock": 9}, token=owner)
        cart = api("POST", "/api/carts", {"items": [{"variantId": product["variants"][0]["id"], "quantity": 2}]})
        request_body = {
            "email": f"guest-{RUN}@example.test",
            "shippingAddress": {"name": "Gus Guest", "line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": "US"},
        }
        request = urllib.request.Request(
            BASE + f"/api/carts/{cart['id']}/checkout", method="POST", data=json.dumps(request_body).encode(),
            headers={"content-type": "application/json", "X-Tenant-ID": SLUG, "X-Cart-Secret": cart["secret"]})
        urllib.request.urlopen(request, timeout=15).read()
        confirmation = mail_to(f"guest-{RUN}@example.test", "confirmed")
        text = confirmation.get_body(("plain",)).get_content()
        story.expect(f"2 × Postcard {RUN}" in text and "$7.00" in text, "the confirmation lists the items and the total")
        html = confirmation.get_body(("html",)).get_content()
        path = os.path.join(story.ARTIFACTS, "mail-order-confirmation.html")
        with open(path, "w") as f:
            f.write(html)
        driver.get("file://" + path)
        story.shot(driver, "mail-order-confirmation")

        driver.get(STORE + "/admin")  # still signed in as the clerk: sign out first
        story.submit(driver, "form[action='/admin/logout']")
        driver.get(STORE + "/admin/login")
        story.fill(driver, "email", OWNER)
        story.fill(driver, "password", "correct horse battery")
        story.submit(driver, "form[action='/admin/login']")
        driver.get(STORE + "/admin/mail")
        rows = driver.find_elements(By.CSS_SELECTOR, "table tbody tr")
        story.expect(len(rows) >= 6, f"the Mail page lists the store's mail ({len(rows)} rows)")
        story.shot(driver, "mail-admin-list")

        driver.get(STORE + "/admin")
        story.expect("Please confirm your e-mail address" in driver.page_source, "the dashboard asks the owner to confirm the address")
        driver.get(link(mail_to(OWNER, "Confirm your e-mail address"), "/admin/verify-email"))
        story.submit(driver, "form[action='/admin/verify-email']")
        story.expect(f"{OWNER} is confirmed" in driver.page_source, "the owner's link confirms the address")
        driver.get(STORE + "/admin")
        story.expect("Please confirm your e-mail address" not in driver.page_source, "the dashboard stops asking")

        driver.get(STORE + "/admin/mail/preview/order_confirmation")
        story.expect("Order #" in driver.page_source, "the preview shows the order confirmation's subject")
        frame = driver.find_element(By.CSS_SELECTOR, "iframe.mail-frame")
        driver.switch_to.frame(frame)
        story.expect("Thank you for your order" in driver.page_source, "the preview frames the HTML part")
        driver.switch_to.default_content()
        story.shot(driver, "mail-admin-preview")
        print("mail story passed")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
