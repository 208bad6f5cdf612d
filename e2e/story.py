"""The browser story of issue 5, in headless Chromium.

Sign up -> add a product with an image in the admin -> see it in the storefront -> buy it with
the test card -> the admin shows the paid order and ships it in two parts -> a second store on another
subdomain never shows the first store's product. A screenshot of each step goes to
e2e/artifacts/.

Usage: story.py BASE_URL (for example http://localhost:8080); run.sh starts the server.
"""
import os
import struct
import sys
import time
import uuid
import zlib
from urllib.parse import urlparse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = sys.argv[1].rstrip("/")
PORT = urlparse(BASE).port or 80
ARTIFACTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "artifacts")
os.makedirs(ARTIFACTS, exist_ok=True)
RUN = uuid.uuid4().hex[:6]


def png(path, width=240, height=240):
    """A real PNG: a leopard-ish pattern of amber and brown."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            spot = ((x // 24) + (y // 24)) % 3 == 0 and (x % 24) < 14 and (y % 24) < 14
            row += bytes((92, 54, 20) if spot else (232, 170, 70))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def browser():
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1400", "--disable-gpu"):
        options.add_argument(argument)
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    return webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)


step_number = 0


def shot(driver, name):
    global step_number
    step_number += 1
    path = os.path.join(ARTIFACTS, f"{step_number:02d}-{name}.png")
    driver.save_screenshot(path)
    print(f"  screenshot {path}")


def fill(driver, field_id, value):
    element = driver.find_element(By.ID, field_id)
    element.clear()
    element.send_keys(value)


def gone(element):
    """Whether the page that held `element` has been replaced. Chromium reports a node of a
    page being torn down either as stale or as "does not belong to the document"."""
    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise


def submit(driver, form_selector):
    """Submits the form and waits for the next page to load."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, form_selector + " button[type=submit]").click()
    WebDriverWait(driver, 15).until(lambda _: gone(old))
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def sign_up(driver, name, slug):
    driver.get(BASE + "/signup")
    fill(driver, "storeName", name)
    fill(driver, "slug", slug)
    fill(driver, "ownerEmail", f"owner@{slug}.example")
    fill(driver, "ownerPassword", "correct horse battery")
    shot(driver, f"signup-{slug}")
    submit(driver, "form[action='/signup']")
    expect("Continue to my admin" in driver.page_source, f"the new store's welcome page is shown (at {driver.current_url})")
    shot(driver, f"welcome-{slug}")
    submit(driver, "form[action='/admin/handoff']")
    expected = f"http://{slug}.localhost:{PORT}/admin"
    expect(driver.current_url.startswith(expected), f"after signup the browser is at {driver.current_url}, not {expected}")
    expect("Dashboard" in driver.page_source, "the new store's admin dashboard is shown")
    return f"http://{slug}.localhost:{PORT}"


def main():
    image = os.path.join(ARTIFACTS, "scarf.png")
    png(image)
    driver = browser()
    try:
        print("1. sign up")
        alpha = sign_up(driver, "Alpha Outfitters", f"alpha-{RUN}")
        shot(driver, "admin-dashboard")

        print("2. add a product with an image in the admin")
        driver.get(alpha + "/admin/products/new")
        fill(driver, "title", "Leopard Print Scarf")
        fill(driver, "description", "Soft, warm and spotted.\nHand-finished edges.")
        fill(driver, "price", "24.50")
        fill(driver, "stock", "10")
        submit(driver, "form[action='/admin/products']")
        expect("Product created." in driver.page_source, "the product was created")
        driver.find_element(By.ID, "file").send_keys(image)
        fill(driver, "alt", "A leopard print scarf")
        submit(driver, "form[enctype='multipart/form-data']")
        expect("Image uploaded." in driver.page_source, "the image was uploaded")
        expect(len(driver.find_elements(By.CSS_SELECTOR, ".image-list img")) == 1, "the product page shows its image")
        shot(driver, "admin-product")

        print("3. see it in the storefront")
        driver.get(alpha + "/")
        expect("Leopard Print Scarf" in driver.page_source, "the storefront home shows the product")
        shot(driver, "storefront-home")
        driver.get(driver.find_element(By.CSS_SELECTOR, ".product-card a").get_attribute("href"))
        expect("$24.50" in driver.page_source, "the product page shows the price")
        image_element = driver.find_element(By.CSS_SELECTOR, ".main-image img")
        expect(driver.execute_script("return arguments[0].naturalWidth", image_element) > 0, "the product image loads")
        shot(driver, "storefront-product")

        print("4. buy it with the test card")
        fill(driver, "quantity", "2")
        submit(driver, "form[action='/cart/add']")
        expect("Added to your cart" in driver.page_source, "the product was added to the cart")
        driver.get(alpha + "/cart")
        expect("$49.00" in driver.page_source, "the cart shows two scarves")
        shot(driver, "cart")

        print("4a. a discount code made in the admin, entered on the cart")
        driver.get(alpha + "/admin/discounts")
        fill(driver, "code", "SPOTS10")
        fill(driver, "value", "10")
        submit(driver, "form[action='/admin/discounts']")
        expect("Discount added." in driver.page_source and "SPOTS10" in driver.page_source, "the admin lists the new code")
        shot(driver, "admin-discounts")
        driver.get(alpha + "/cart")
        fill(driver, "discount-code", "nope")
        submit(driver, "form[action='/cart/discount']")
        expect("NOPE is not a discount code of this store" in driver.page_source, "a wrong code says why at the field")
        fill(driver, "discount-code", "spots10")
        submit(driver, "form[action='/cart/discount']")
        expect("Discount (SPOTS10)" in driver.page_source and "−$4.90" in driver.page_source, "the cart takes 10 % off")
        shot(driver, "cart-discount")
        driver.get(driver.find_element(By.LINK_TEXT, "Check out").get_attribute("href"))
        fill(driver, "email", "shopper@example.com")
        fill(driver, "name", "Sam Shopper")
        fill(driver, "line1", "1 Market Street")
        fill(driver, "postalCode", "94105")
        fill(driver, "city", "San Francisco")
        Select(driver.find_element(By.ID, "country")).select_by_visible_text("US")
        shot(driver, "checkout")
        submit(driver, "form[action='/checkout']")
        expect("Pay for order" in driver.page_source, f"the payment page is shown (at {driver.current_url})")
        fill(driver, "cardNumber", "4242 4242 4242 4242")
        fill(driver, "expiry", "12/34")
        fill(driver, "cvc", "123")
        shot(driver, "payment")
        submit(driver, "form[action='/checkout/pay']")
        for _ in range(20):
            if "payment was received" in driver.page_source:
                break
            time.sleep(0.25)
            driver.refresh()
        expect("payment was received" in driver.page_source, "the confirmation says the order is paid")
        order_number = driver.find_element(By.TAG_NAME, "h1").text.split("#")[-1]
        shot(driver, "confirmation")

        print("5. the admin shows the paid order and ships it in two parts, with tracking")
        driver.get(alpha + "/admin/orders")
        expect(f"#{order_number}" in driver.page_source, "the order is listed in the admin")
        driver.get(driver.find_element(By.LINK_TEXT, f"#{order_number}").get_attribute("href"))
        expect("status paid" in driver.page_source.replace('"', " "), "the order is paid")
        shot(driver, "admin-order-paid")
        quantity = driver.find_element(By.CSS_SELECTOR, "form[action$='/fulfillments'] input[name^='qty_']")
        quantity.clear()
        quantity.send_keys("1")
        fill(driver, "carrier", "DHL")
        fill(driver, "tracking-number", "JD014600006281")
        fill(driver, "tracking-url", "https://tracking.example.test/JD014600006281")
        shot(driver, "admin-order-ship-part")
        submit(driver, "form[action$='/fulfillments']")
        expect("Shipment recorded" in driver.page_source, "the first shipment was recorded")
        expect("status partially_fulfilled" in driver.page_source.replace('"', " "), "the order shows as partially fulfilled")
        expect("JD014600006281" in driver.page_source, "the shipment's tracking is listed")
        shot(driver, "admin-order-partially-fulfilled")
        fill(driver, "tracking-number", "JD014600006282")
        submit(driver, "form[action$='/fulfillments']")
        expect("status fulfilled" in driver.page_source.replace('"', " "), "the order shows as fulfilled after the second shipment")
        shot(driver, "admin-order-fulfilled")

        print("5a. a role for packers, a draft order paid by phone, and the audit log")
        driver.get(alpha + "/admin/roles")
        fill(driver, "role-name", "Packers")
        driver.find_element(By.CSS_SELECTOR, "input[name='permission_fulfillments']").click()
        submit(driver, "form[action='/admin/roles']")
        expect("Role added." in driver.page_source and "Packers" in driver.page_source, "the role was added")
        shot(driver, "admin-roles")
        driver.get(alpha + "/admin/drafts")
        Select(driver.find_element(By.ID, "variant-1")).select_by_index(1)
        fill(driver, "quantity-1", "1")
        fill(driver, "email", "phone.buyer@example.com")
        fill(driver, "name", "Pat Phone")
        fill(driver, "line1", "9 Harbour Road")
        fill(driver, "postalCode", "94107")
        fill(driver, "city", "San Francisco")
        Select(driver.find_element(By.ID, "country")).select_by_visible_text("US")
        shot(driver, "admin-draft-new")
        submit(driver, "form[action='/admin/drafts']")
        expect("Draft for phone.buyer@example.com" in driver.page_source, f"the draft page is shown (at {driver.current_url})")
        shot(driver, "admin-draft")
        submit(driver, "form[action$='/complete']")
        expect("status paid" in driver.page_source.replace('"', " "), "the draft became a paid order")
        shot(driver, "admin-draft-paid-order")
        driver.get(alpha + "/admin/audit")
        expect("draft_order.completed" in driver.page_source and "role.created" in driver.page_source, "the audit log lists the changes")
        shot(driver, "admin-audit-log")

        print("5c. categories as a tree, a collection page, a customer's page, webhooks and an order's edit page")
        driver.get(alpha + "/admin/categories")
        fill(driver, "name", "Accessories")
        submit(driver, "form[action='/admin/categories']")
        expect("Category added." in driver.page_source, "the category was added")
        fill(driver, "name", "Scarves")
        Select(driver.find_element(By.ID, "parentId")).select_by_visible_text("Accessories")
        submit(driver, "form[action='/admin/categories']")
        expect("— <a href" in driver.page_source, "Scarves is listed under Accessories")
        shot(driver, "admin-categories")
        driver.get(alpha + "/admin/products")
        driver.get(driver.find_element(By.LINK_TEXT, "Leopard Print Scarf").get_attribute("href"))
        Select(driver.find_element(By.ID, "categoryIds")).select_by_visible_text("— Scarves")
        fill(driver, "seoTitle", "Leopard print scarf, hand-finished")
        submit(driver, "form.card.stack")
        expect("Changes saved." in driver.page_source, f"the product was saved (at {driver.current_url})")
        driver.get(alpha + "/collections/accessories")
        expect("Leopard Print Scarf" in driver.page_source, "the parent collection lists the scarf of its sub-category")
        shot(driver, "storefront-collection")
        driver.get(alpha + "/products/leopard-print-scarf")
        expect("application/ld+json" in driver.page_source and "Leopard print scarf, hand-finished" in driver.title, "the product page has JSON-LD and its search title")
        driver.get(alpha + "/admin/customers")
        driver.get(driver.find_element(By.LINK_TEXT, "shopper@example.com").get_attribute("href"))
        fill(driver, "tags", "vip")
        submit(driver, "form[action$='/tags']")
        fill(driver, "note", "Asked for gift wrapping next time.")
        submit(driver, "form[action$='/notes']")
        expect("Note added." in driver.page_source and "gift wrapping" in driver.page_source, "the customer's note is listed")
        shot(driver, "admin-customer")
        driver.get(alpha + "/admin/webhooks")
        expect("Add an endpoint" in driver.page_source, "the webhooks page is shown")
        shot(driver, "admin-webhooks")
        driver.get(alpha + "/admin/orders")
        driver.get(driver.find_element(By.LINK_TEXT, f"#{order_number}").get_attribute("href"))
        expect("Edit items" not in driver.page_source, "a shipped order offers no edit")

        print("5d. reports: today's sales, and the funnel counts this browser once at each step")
        driver.get(alpha + "/admin/reports?range=7")
        expect("<svg class=\"chart\"" in driver.page_source and "Leopard Print Scarf" in driver.page_source, "the reports page shows the chart and the best seller")
        funnel = [row.find_elements(By.TAG_NAME, "td") for row in driver.find_elements(By.CSS_SELECTOR, "[data-testid='funnel'] tbody tr")]
        counts = [(cells[0].text, cells[1].text) for cells in funnel]
        expect([count for _, count in counts] == ["1"] * 6, f"one visitor at each step, paid included (got {counts})")
        shot(driver, "admin-reports")

        print("5b. choose another theme; the storefront follows it, on a phone too")
        driver.get(alpha + "/admin/settings")
        Select(driver.find_element(By.ID, "preset")).select_by_value("midnight")
        submit(driver, "form[action='/admin/settings']")
        expect("Settings saved." in driver.page_source, "the settings were saved")
        driver.get(alpha + "/products/leopard-print-scarf")
        background = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
        expect(background == "rgb(15, 23, 42)", f"the midnight theme's background is used (got {background})")
        shot(driver, "storefront-midnight-theme")
        driver.set_window_size(390, 844)
        for path, name in (("/", "home"), ("/cart", "cart"), ("/products/leopard-print-scarf", "product")):
            driver.get(alpha + path)
            overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            expect(overflow <= 0, f"{path} fits a phone's width (overflows by {overflow}px)")
        shot(driver, "phone-product")
        driver.get(alpha + "/admin/orders")
        shot(driver, "phone-admin-orders")
        driver.set_window_size(1280, 1400)

        print("6. a second store never shows the first store's product")
        beta = sign_up(driver, "Beta Goods", f"beta-{RUN}")
        driver.get(beta + "/")
        expect("Beta Goods" in driver.page_source and "Leopard Print Scarf" not in driver.page_source, "the second store's home does not show the first store's product")
        driver.get(beta + "/products?q=leopard")
        expect("Leopard Print Scarf" not in driver.page_source, "searching the second store finds nothing of the first")
        driver.get(beta + "/products/leopard-print-scarf")
        expect("Page not found" in driver.page_source, "the first store's product address is a 404 on the second store")
        shot(driver, "second-store-404")
        driver.get(beta + "/admin/products")
        expect("Leopard Print Scarf" not in driver.page_source, "the second store's admin does not list the first store's product")
        shot(driver, "second-store-admin")

        print("7. the operator's console: both stores, and the platform's reports with this run's sale")
        driver.get(BASE + "/console")
        fill(driver, "token", os.environ.get("LEOPARD_OPERATOR_TOKEN", "e2e-operator-token-0123456789"))
        submit(driver, "form[action='/console/login']")
        expect("Alpha Outfitters" in driver.page_source and "Beta Goods" in driver.page_source, "the console lists both stores")
        shot(driver, "console-stores")
        driver.find_element(By.LINK_TEXT, "Platform reports").click()
        expect(driver.page_source.count("<svg class=\"chart\"") >= 3, "signups, GMV and provisioning charts")
        largest = driver.find_element(By.CSS_SELECTOR, "[data-testid='largest-stores']").text
        expect(f"alpha-{RUN}" in largest, f"the first store, which sold today, is among the largest (got {largest})")
        stats = driver.find_element(By.CSS_SELECTOR, "[data-testid='platform-stats']").text
        expect("Signups in range" in stats, f"the totals are shown (got {stats})")
        shot(driver, "console-reports")
        print("story passed")
    except Exception:
        shot(driver, "failure")
        print(driver.current_url)
        raise
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
