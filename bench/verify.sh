#!/usr/bin/env bash
# Hot verification throughput versus the same host's trivial endpoint, measured in the same run (a ratio,
# because this machine is noisy). Starts the platform with deploy/run.sh (local PostgreSQL, demo data),
# issues one licence, then drives POST /api/verifications (business-scope path: identifier + holder,
# with a comparison) and GET /health/live with wrk on 127.0.0.1 only.
#
#   bench/verify.sh [--duration 15] [--connections 32] [--threads 2]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=15; CONNECTIONS=32; THREADS=2
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
API=http://127.0.0.1:5000
OUT="$ROOT/bench/results"; mkdir -p "$OUT"

# The per-client verification limit protects production; the benchmark measures the platform behind it.
export RateLimits__VerificationPerSecond=10000000
"$ROOT/deploy/run.sh" >"$OUT/platform.log" 2>&1 &
PLATFORM=$!
trap 'kill -TERM $PLATFORM 2>/dev/null; wait $PLATFORM 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do grep -q "Press Ctrl-C" "$OUT/platform.log" 2>/dev/null && break; kill -0 $PLATFORM || { cat "$OUT/platform.log"; exit 1; }; sleep 1; done

token() { curl -fsS -d grant_type=client_credentials -d "client_id=$1" --data-urlencode "client_secret=$2" "$API/api/auth/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'; }
secret() { sed -n "s/^$1=//p" "$ROOT/.local/demo-clients.env"; }
ISSUER=$(token demo-hrb-market-issuer "$(secret demo-hrb-market-issuer)")
VERIFIER=$(token demo-hrb-centre-verifier "$(secret demo-hrb-centre-verifier)")
HOLDER=91230102MA1B2C3D8J
LICENSE=$(curl -fsS -H "Authorization: Bearer $ISSUER" -H 'Content-Type: application/json' "$API/api/licenses" --data "{
  \"typeCode\":\"11230000000000019J001\",\"holder\":{\"idType\":\"001\",\"idNumber\":\"$HOLDER\",\"name\":\"哈尔滨示例餐饮有限公司\"},
  \"fields\":{\"operatorName\":\"哈尔滨示例餐饮有限公司\",\"legalRepresentative\":\"张三\",\"address\":\"哈尔滨市南岗区示例路1号\",\"category\":\"餐饮服务经营者\"},
  \"validFrom\":\"2026-11-28\",\"serial\":\"BENCH$(date +%s)\"}" | sed -n 's/^{"id":"\([^"]*\)".*/\1/p' || true)
# The food licence is one-per-holder: on a second run reuse the live one from the first.
[ -n "$LICENSE" ] || LICENSE=$(curl -fsS -H "Authorization: Bearer $ISSUER" "$API/api/licenses?holder=001:$HOLDER&status=valid" \
  | sed -n 's/.*"items":\[{"id":"\([^"]*\)".*/\1/p')
[ -n "$LICENSE" ] || { echo "could not issue or find the benchmark licence"; exit 1; }
BODY="{\"licenseId\":\"$LICENSE\",\"holder\":{\"idType\":\"001\",\"idNumber\":\"$HOLDER\"},\"matterCode\":\"230100-FOOD-001\",\"purpose\":\"benchmark\",\"compare\":{\"operatorName\":\"哈尔滨示例餐饮有限公司\"}}"
curl -fsS -H "Authorization: Bearer $VERIFIER" -H 'Content-Type: application/json' --data "$BODY" "$API/api/verifications" >/dev/null

cat >"$OUT/verify.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $VERIFIER"
wrk.body = [[$BODY]]
LUA
echo "warm-up"; wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s "$OUT/verify.lua" "$API/api/verifications" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$API/health/live" | tee "$OUT/baseline.txt"
STARTED_AT=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$OUT/verify.lua" "$API/api/verifications" | tee "$OUT/verify.txt"

rps() { sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p' "$1"; }
errors() { grep -E "Non-2xx|Socket errors" "$1" || true; }
BASE=$(rps "$OUT/baseline.txt"); VER=$(rps "$OUT/verify.txt")
RECORDS=$("$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)/psql" -h 127.0.0.1 -p "${OL_PG_PORT:-55432}" -U postgres -d orleans_licenses -tAc \
  "SELECT count(*) FROM license_uses WHERE purpose = 'benchmark' AND used_at >= '$STARTED_AT'")
REQUESTS=$(sed -n 's/^[[:space:]]*\([0-9]*\) requests in.*/\1/p' "$OUT/verify.txt")
echo
echo "trivial endpoint (GET /health/live):      $BASE req/s $(errors "$OUT/baseline.txt")"
echo "hot verification (POST /api/verifications): $VER req/s $(errors "$OUT/verify.txt")"
awk -v v="$VER" -v b="$BASE" 'BEGIN { printf "ratio verification/trivial:                %.3f\n", v / b }'
echo "use records archived while measuring:       $RECORDS for $REQUESTS completed requests (each 200 is archived before it is answered)"
