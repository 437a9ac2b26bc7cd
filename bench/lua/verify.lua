-- POST /api/verifications.
--   MODE=hot:  random licence of IDS (lines "identifier holderIdNumber") per request; BASIS=mix alternates the
--              presentation-token basis (tokens from TOKENS, each used at most USES times) and the scope basis
--              (identifier + identified holder, within the verifier's business scope).
--   MODE=cold: thread t takes lines t, t+T, t+2T, ... of IDS once each (scope basis), then sends filler requests.
local C = dofile(os.getenv("BENCH_LUA") .. "/common.lua")
setup, response, done = C.setup, C.response, C.done

function init(args)
  T = tonumber(C.env("THREADS", "2"))
  mode = C.env("MODE", "hot")
  basis = C.env("BASIS", "scope")
  uses = tonumber(C.env("USES", "5"))
  purpose = C.env("PURPOSE", "benchmark")
  matter = C.env("MATTER", "230100-FOOD-001")
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. C.env("TOKEN", "") }
  ids = {}
  local all = C.lines(C.env("IDS"))
  if mode == "cold" then
    for i = tid + 1, #all, T do ids[#ids + 1] = all[i] end
  else
    ids = all
  end
  tokens = {}
  if basis ~= "scope" then
    local tall = C.lines(C.env("TOKENS"))
    for i = tid + 1, #tall, T do tokens[#tokens + 1] = tall[i] end
  end
  n, ti, tu = 0, 1, 0
  math.randomseed(os.time() + tid * 7919)
end

local function scope_body(line)
  local p = C.split(line)
  return string.format('{"licenseId":"%s","holder":{"idType":"001","idNumber":"%s"},"matterCode":"%s","purpose":"%s"}',
    p[1], p[2], matter, purpose)
end

function request()
  n = n + 1
  local body
  if mode == "cold" then
    if n > #ids then return C.filler_request() end
    body = scope_body(ids[n])
  elseif basis ~= "scope" and (basis == "presentation" or n % 2 == 0) and ti <= #tokens then
    body = string.format('{"presentationToken":"%s","matterCode":"%s","purpose":"%s"}', tokens[ti], matter, purpose)
    tu = tu + 1
    if tu >= uses then ti, tu = ti + 1, 0 end
  else
    body = scope_body(ids[math.random(#ids)])
  end
  return wrk.format("POST", "/api/verifications", headers, body)
end
