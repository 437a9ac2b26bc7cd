-- POST /api/me/licenses/{id}/presentations as each licence's holder: builds the pool of presentation tokens that
-- verify-hot uses. PAIRS lines "identifier holderToken"; QUOTA tokens in all; tokens go to $TOKENS_OUT.<thread>.
local C = dofile(os.getenv("BENCH_LUA") .. "/common.lua")
setup, done = C.setup, C.done

function init(args)
  T = tonumber(C.env("THREADS", "2"))
  quota = tonumber(C.env("QUOTA", "1000"))
  purpose = C.env("PURPOSE", "benchmark")
  pairs_ = C.lines(C.env("PAIRS"))
  k = 0
  out = assert(io.open(C.env("TOKENS_OUT") .. "." .. tid, "w"))
  out:setvbuf("line")
  body = string.format('{"purpose":"%s","ttlSeconds":600,"maxUses":%s}', purpose, C.env("USES", "5"))
end

function request()
  local idx = tid + k * T
  if idx >= quota then return C.filler_request() end
  k = k + 1
  local p = C.split(pairs_[(idx % #pairs_) + 1])
  return wrk.format("POST", "/api/me/licenses/" .. p[1] .. "/presentations",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. p[2] }, body)
end

function response(status, headers, body)
  C.response(status, headers, body)
  if status == 201 then
    local t = body:match('"token":"([^"]+)"')
    if t then out:write(t, "\n") end
  end
end
