-- wrk: GET /api/store on a store picked at random for every request, by its subdomain. The
-- slugs come from the file named in SLUGS (one per line). Every wrk thread has its own state.
local slugs = {}

function init(args)
  local file = assert(io.open(os.getenv("SLUGS"), "r"))
  for line in file:lines() do slugs[#slugs + 1] = line end
  file:close()
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local slug = slugs[math.random(#slugs)]
  return wrk.format("GET", "/api/store", { ["Host"] = slug .. ".localhost" })
end
