"""What the product schemas cannot say, supplied for schemathesis's positive cases.

JSON Schema cannot tie one field's values to another's: a product's variants must each name
every option with one of its values, no two variants the same; a compare-at price is not below
the price; a shipping method's weight or price bands rise; without a provider named, a payment
takes what the store's provider takes (here the test provider: a card). The document states every rule it can (lengths, counts, characters, which fields go
together); this hook makes positive product writes follow the rest, as the dictionaries of real
ids in seed.py do for ids. Negative cases are left alone. CatalogTests and VariantEditTests cover
the refusals.
"""
import itertools
import os

import schemathesis
from schemathesis.generation.modes import GenerationMode

PAYMENTS = {"POST /api/orders/{orderId}/pay"}
# The fuzzed stores pay with the test provider, which takes a card when the body names none.
TEST_CARD = {"number": "4242424242424242", "expMonth": 12, "expYear": 2040, "cvc": "123"}
ZONE_WRITES = {"POST /api/shipping-zones", "PUT /api/shipping-zones/{zoneId}"}
PRODUCT_WRITES = {"POST /api/products", "PUT /api/products/{product}", "PATCH /api/products/{product}"}
PRODUCT_EDITS = {"PUT /api/products/{product}", "PATCH /api/products/{product}"}
# Unicode White_Space: what the server trims (Swift's Character.isWhitespace).
WHITESPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B)) + "\u2028\u2029\u202f\u205f\u3000"


def trimmed(text):
    return text.strip(WHITESPACE)


def whole(value):
    """Whether `value` is a whole number: JSON gives 5 or 5.0 alike."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer()


def amount(money):
    return money.get("amount") if isinstance(money, dict) else money


def priced_consistently(fields):
    """A compare-at price below the price becomes the price."""
    if not isinstance(fields, dict):
        return
    compare, price = amount(fields.get("compareAtPrice")), amount(fields.get("price"))
    if whole(compare) and whole(price) and compare < price:
        fields["compareAtPrice"] = fields["price"]


def with_consistent_options(body):
    options, variants = body.get("options"), body.get("variants")
    if not isinstance(options, list) or not options or not isinstance(variants, list):
        return
    names, kept = set(), []
    if not all(isinstance(option, dict) and isinstance(option.get("name"), str) and isinstance(option.get("values"), list)
               for option in options):
        return
    for option in options:
        name = trimmed(option["name"])
        if name.lower() in names:
            continue
        names.add(name.lower())
        values = list(dict.fromkeys(trimmed(value) for value in option["values"] if isinstance(value, str)))
        kept.append({**option, "name": name, "values": values})
    body["options"] = kept
    combinations = list(itertools.islice(itertools.product(*(option["values"] for option in kept)), len(variants)))
    body["variants"] = variants = variants[:len(combinations)]
    for variant, combination in zip(variants, combinations):
        if isinstance(variant, dict):
            variant["options"] = {option["name"]: value for option, value in zip(kept, combination)}


# LEOPARD_FUZZ_CASES=file: each case's id, generation mode and operation, one per line, to join
# with a HAR report (X-Schemathesis-TestCaseId) when finding what refuses positive cases.
CASE_LOG = os.environ.get("LEOPARD_FUZZ_CASES")


@schemathesis.hook
def map_case(context, case):
    if CASE_LOG and case.meta is not None:
        with open(CASE_LOG, "a") as log:
            log.write(f"{case.id} {case.meta.generation.mode.value} {case.meta.phase.name.value} {case.operation.label}\n")
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE or not isinstance(case.body, dict):
        return case
    if case.operation.label in PAYMENTS and case.body.get("provider") is None:
        case.body.pop("paymentMethod", None)
        case.body.setdefault("card", dict(TEST_CARD))
    if case.operation.label in ZONE_WRITES:
        with_rising_bands(case.body)
    elif case.operation.label in PRODUCT_WRITES:
        if case.operation.label in PRODUCT_EDITS:
            keeping_shape(case.body)
        with_consistent_product(case.body)
    return case


def keeping_shape(body):
    """Edits of the seeded product (one variant, no options) keep that shape, so each case meets
    the same product: what an edit may do depends on the product's current options and variants,
    which no schema of the request can know. Creating products fuzzes options and variants."""
    body.pop("options", None)
    body.pop("variants", None)
    if "compareAtPrice" in body and "price" not in body:
        del body["compareAtPrice"]


def with_rising_bands(body):
    """Each method's bands in the order of their upTo, each above the one before."""
    for method in body.get("methods") or []:
        if isinstance(method, dict) and isinstance(method.get("bands"), list):
            rising = {band["upTo"]: band for band in method["bands"] if isinstance(band, dict) and whole(band.get("upTo"))}
            method["bands"] = [rising[key] for key in sorted(rising)]


def with_consistent_product(body):
    with_consistent_options(body)
    skus, ids = set(), set()
    for variant in body.get("variants") or []:
        if not isinstance(variant, dict):
            continue
        # The dictionary of the product's own variant ids has one entry: name it once.
        if "id" in variant and variant["id"] in ids:
            del variant["id"]
        elif "id" in variant:
            ids.add(variant["id"])
        priced_consistently(variant)
        sku = variant.get("sku")
        if isinstance(sku, str) and trimmed(sku):
            if trimmed(sku) in skus:
                del variant["sku"]
            skus.add(trimmed(sku))
    priced_consistently(body)
    if isinstance(body.get("categoryIds"), list):
        body["categoryIds"] = list(dict.fromkeys(body["categoryIds"]))
