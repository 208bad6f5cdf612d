-- wrk script: each connection creates a cart holding one unit of $LEOPARD_VARIANT, then checks
-- it out (with an Idempotency-Key), and again. Prints the orders placed per second at the end.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  pending = {}
  orders = 0
  refused = 0
  tenant = os.getenv("LEOPARD_TENANT")
  variant = os.getenv("LEOPARD_VARIANT")
  checkout_body = '{"email":"bench@example.test","shippingAddress":{"name":"Bench Shopper","line1":"1 Main St","city":"Springfield","postalCode":"12345","country":"US"}}'
  cart_body = '{"items":[{"variantId":"' .. variant .. '","quantity":1}]}'
end

function request()
  local cart = table.remove(pending)
  if cart then
    return wrk.format("POST", "/api/carts/" .. cart[1] .. "/checkout", {
      ["Content-Type"] = "application/json", ["X-Tenant-ID"] = tenant,
      ["X-Cart-Secret"] = cart[2], ["Idempotency-Key"] = "bench-" .. cart[1],
    }, checkout_body)
  end
  return wrk.format("POST", "/api/carts", { ["Content-Type"] = "application/json", ["X-Tenant-ID"] = tenant }, cart_body)
end

function response(status, headers, body)
  if status == 201 then
    local id = body:match('"id":"(cart_[^"]+)"')
    local secret = body:match('"secret":"([^"]+)"')
    if id and secret then
      table.insert(pending, { id, secret })
    elseif body:match('"id":"ord_') then
      orders = orders + 1
    end
  elseif status >= 400 then
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local total, failures = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("orders")
    failures = failures + thread:get("refused")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("Checkouts: %d in %.1f s = %.0f checkouts/s (and as many carts created); refused: %d\n", total, seconds, total / seconds, failures))
end
