-- GET /api/licenses as admin. SEARCH=holder: a random real holder's licences (HOLDERS: one credit code a line);
-- SEARCH=type-status: one page of the valid licences of the food type.
local C = dofile(os.getenv("BENCH_LUA") .. "/common.lua")
setup, response, done = C.setup, C.response, C.done

function init(args)
  kind = C.env("SEARCH", "holder")
  headers = { ["Authorization"] = "Bearer " .. C.env("TOKEN", "") }
  if kind == "holder" then holders = C.lines(C.env("HOLDERS")) end
  math.randomseed(os.time() + tid * 104729)
end

function request()
  local path
  if kind == "holder" then
    path = "/api/licenses?holder=001:" .. holders[math.random(#holders)] .. "&pageSize=20"
  else
    path = "/api/licenses?type=11230000000000019J001&status=valid&page=" .. math.random(50) .. "&pageSize=20"
  end
  return wrk.format("GET", path, headers)
end
