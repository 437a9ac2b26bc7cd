-- Shared by every bench script (loaded with dofile). Each wrk thread has its own Lua state:
--   * setup() numbers the threads (global `tid`, 0-based) and keeps them for done();
--   * response() counts acknowledged (2xx) answers, other statuses, and "filler" answers (404 of the idle path,
--     sent once a script has run out of distinct work, so they never count as acknowledged);
--   * done() writes one JSON line per thread (its counts: what the durability check compares with PostgreSQL)
--     and one summary line (requests/s of 2xx, latency percentiles) to $BENCH_OUT.
local M = {}
local threads = {}
local nthreads = 0

M.idle_path = "/bench-idle-filler"

function M.env(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then return default end
  return v
end

function M.lines(path)
  local t = {}
  for line in io.lines(path) do
    if line ~= "" then t[#t + 1] = line end
  end
  return t
end

function M.split(s)
  local out = {}
  for w in s:gmatch("%S+") do out[#out + 1] = w end
  return out
end

-- GB 32100 unified social credit code for an enterprise (91) in region 230100 whose 8-character organisation
-- code body is the decimal number n (0 <= n < 10^8): GB 11714 check on the body, then the MOD 31 check.
local ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
local CC_W = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
local ORG_W = {3, 7, 9, 10, 5, 8, 4, 2}
function M.credit_code(n, prefix8)
  local body = string.format("%08d", n)
  local s = 0
  for i = 1, 8 do s = s + (body:byte(i) - 48) * ORG_W[i] end
  local c = 11 - (s % 11)
  local org = (c == 10) and "X" or ((c == 11) and "0" or tostring(c))
  local first17 = (prefix8 or "91230100") .. body .. org
  s = 0
  for i = 1, 17 do
    local ch = first17:sub(i, i)
    s = s + (ALPHA:find(ch, 1, true) - 1) * CC_W[i]
  end
  local k = (31 - (s % 31)) % 31
  return first17 .. ALPHA:sub(k + 1, k + 1)
end

-- GB 11643 citizen id number: area 230102, birth date yyyymmdd, 3-digit order n, ISO 7064 MOD 11-2 check.
function M.citizen_id(birth, n)
  local first17 = "230102" .. birth .. string.format("%03d", n)
  local s = 0
  for i = 1, 17 do
    local w = (2 ^ (18 - i)) % 11
    s = s + (first17:byte(i) - 48) * w
  end
  local k = (12 - (s % 11)) % 11
  return first17 .. ((k == 10) and "X" or tostring(k))
end

function M.setup(thread)
  thread:set("tid", nthreads)
  nthreads = nthreads + 1
  threads[#threads + 1] = thread
end

ok, bad, filler = 0, 0, 0
statuses = {}
function M.response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  elseif status == 404 and M.filler_sent ~= nil and M.filler_sent > 0 then
    -- 404 is also a real answer ("no such licence"): only filler requests sent beyond the real work are set aside.
    filler = filler + 1
    M.filler_sent = M.filler_sent - 1
  else
    bad = bad + 1
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
    if bad <= 3 and body ~= nil then io.stderr:write("non-2xx " .. status .. ": " .. body:sub(1, 300) .. "\n") end
  end
end

-- Out of distinct work: one cheap request (404) per connection every half second (see delay below), so the
-- rest of a run neither loads the platform nor counts as acknowledged.
function M.filler_request()
  M.filler_sent = (M.filler_sent or 0) + 1
  M.idle = true
  return wrk.format("GET", M.idle_path, {})
end

function delay()
  if M.idle then return 500 end
  return 0
end

local function json_statuses(t)
  local parts = {}
  for k, v in pairs(t) do parts[#parts + 1] = string.format('"%s":%d', k, v) end
  return "{" .. table.concat(parts, ",") .. "}"
end

function M.done(summary, latency, requests)
  local out = assert(io.open(M.env("BENCH_OUT", "/dev/stdout"), "w"))
  local total_ok, total_bad, total_filler = 0, 0, 0
  local merged = {}
  for i, t in ipairs(threads) do
    local o, b, f = t:get("ok"), t:get("bad"), t:get("filler")
    local st = t:get("statuses") or {}
    total_ok, total_bad, total_filler = total_ok + o, total_bad + b, total_filler + f
    for k, v in pairs(st) do merged[k] = (merged[k] or 0) + v end
    out:write(string.format('{"thread":%d,"ok":%d,"bad":%d,"filler":%d}\n', i - 1, o, b, f))
  end
  local secs = summary.duration / 1e6
  local e = summary.errors
  out:write(string.format(
    '{"summary":true,"seconds":%.3f,"requests":%d,"ok":%d,"bad":%d,"filler":%d,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"p999_ms":%.3f,"max_ms":%.3f,"statuses":%s,"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d}}\n',
    secs, summary.requests, total_ok, total_bad, total_filler, total_ok / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000,
    json_statuses(merged), e.connect, e.read, e.write, e.timeout, e.status))
  out:close()
end

return M
