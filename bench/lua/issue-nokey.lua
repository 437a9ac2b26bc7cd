-- POST /api/licenses with a generated body per request: unique serial and Idempotency-Key per request.
--   ISSUE_MODE=food  many holders (a fresh GB 32100 credit code each), food business licence (single-instance type)
--   ISSUE_MODE=multi one holder (a GB 11643 citizen id), real-estate certificate (multi-instance type)
-- QUOTA (0 = no limit) bounds how many licences the run issues; after it the script sends filler requests.
local C = dofile(os.getenv("BENCH_LUA") .. "/common.lua")
setup, response, done = C.setup, C.response, C.done

function init(args)
  k = 0
  T = tonumber(C.env("THREADS", "2"))
  quota = tonumber(C.env("QUOTA", "0"))
  base = tonumber(C.env("HOLDER_BASE", "0"))
  prefix = C.env("SERIAL_PREFIX", "B")
  mode = C.env("ISSUE_MODE", "food")
  validFrom = C.env("VALID_FROM", "2026-12-01")
  -- TOKEN: one issuer token, or several separated by commas (one per issuing unit), used in turn.
  auth = {}
  for t in C.env("TOKEN", ""):gmatch("[^,]+") do auth[#auth + 1] = "Bearer " .. t end
  headers = { ["Content-Type"] = "application/json" }
  citizen = C.citizen_id("19900307", 1)
end

function request()
  local idx = tid + k * T
  if quota > 0 and idx >= quota then return C.filler_request() end
  k = k + 1
  local serial = prefix .. string.format("%02d%08d", tid, k)
  -- no key
  headers["Authorization"] = auth[(k % #auth) + 1]
  local body
  if mode == "multi" then
    body = string.format('{"typeCode":"11230000000000051X001","holder":{"idType":"111","idNumber":"%s","name":"李四"},'
      .. '"fields":{"owner":"李四","location":"哈尔滨市南岗区示例路%d号","unitNumber":"230102001001GB%05dF%08d","area":88.5,"registeredOn":"2026-11-01"},'
      .. '"validFrom":"%s","serial":"%s"}', citizen, idx, tid, k, validFrom, serial)
  else
    local cc = C.credit_code(base + idx)
    body = string.format('{"typeCode":"11230000000000019J001","holder":{"idType":"001","idNumber":"%s","name":"基准测试餐饮%d有限公司"},'
      .. '"fields":{"operatorName":"基准测试餐饮%d有限公司","legalRepresentative":"张三","address":"哈尔滨市南岗区示例路%d号","category":"餐饮服务经营者"},'
      .. '"validFrom":"%s","serial":"%s"}', cc, idx, idx, idx, validFrom, serial)
  end
  return wrk.format("POST", "/api/licenses", headers, body)
end
