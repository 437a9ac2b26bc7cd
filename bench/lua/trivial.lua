-- GET /health/live on the API host: the ceiling (same response-counting overhead as every other script).
local C = dofile(os.getenv("BENCH_LUA") .. "/common.lua")
setup, response, done = C.setup, C.response, C.done
wrk.method = "GET"
