#!/usr/bin/env bash
# push-lag (issue 11): the delay from a licence's commit at the Harbin city library to its commit at the provincial
# library, under a steady issuance load at the city. Starts both libraries (deploy/run-two-libraries.sh, fresh data in
# .local/bench-two), drives issuance with wrk (bench/lua/issue.lua, real-estate certificates of one citizen, C
# connections), waits until the province holds every licence the city acknowledged, and compares the two commit times
# of each licence's issue (license_changes.occurred_at on both sides; one machine, one clock). Stops what it started.
#
#   bench/push-lag.sh [--seconds 20] [--connections 2] [--json <file>]   (default bench/results/push-lag.json)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=20; CONNECTIONS=2; OUT_JSON="$ROOT/bench/results/push-lag.json"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --json) OUT_JSON="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] && [ "$DURATION" -le 600 ] || { echo "--seconds must be 1..600" >&2; exit 2; }
[[ "$CONNECTIONS" =~ ^[1-9][0-9]?$ ]] || { echo "--connections must be 1..99" >&2; exit 2; }
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v jq >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >/dev/null; }
say() { printf '\033[1m[push-lag] %s\033[0m\n' "$*"; }

TWO="$ROOT/.local/bench-two"
CITY=http://127.0.0.1:5500; CITY_PG=55500; PROVINCE_PG=55510   # deploy/run-two-libraries.sh's defaults
ESTATE_UNIT=112301000000000438   # 哈尔滨市自然资源和规划局 (demo), issues the multi-instance real-estate certificate
rm -rf "$TWO"; mkdir -p "$TWO"
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
psql_at() { "$PG_BIN/psql" -h 127.0.0.1 -p "$1" -U postgres -d orleans_licenses -qtA -v ON_ERROR_STOP=1 -c "$2"; }

TWO_PID=""
cleanup() {
  trap - INT TERM EXIT
  if [ -n "$TWO_PID" ]; then kill -TERM "$TWO_PID" 2>/dev/null || true; wait "$TWO_PID" 2>/dev/null || true; fi
}
trap cleanup INT TERM EXIT

say "starting the two libraries (log $TWO/two.log)"
OL_TWO_DIR="$TWO" "$ROOT/deploy/run-two-libraries.sh" --seconds $((DURATION + 900)) >"$TWO/two.log" 2>&1 &
TWO_PID=$!
for n in $(seq 1 1200); do
  grep -q "Two libraries are running" "$TWO/two.log" 2>/dev/null && break
  kill -0 "$TWO_PID" 2>/dev/null || { tail -n 40 "$TWO/two.log" >&2; exit 1; }
  [ "$n" -eq 1200 ] && { echo "the libraries did not start within 600 s" >&2; exit 1; }
  sleep 0.5
done

# shellcheck disable=SC1091
ADMIN_SECRET=$(source "$TWO/city/secrets.env" && echo "$OL_ADMIN_SECRET")
token() { curl -fsS -d grant_type=client_credentials -d "client_id=$1" --data-urlencode "client_secret=$2" "$CITY/api/auth/token" | jq -r .access_token; }
ADMIN=$(token admin "$ADMIN_SECRET")
SECRET=$(curl -fsS -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  --data "{\"clientId\":\"bench-lag-issuer\",\"name\":\"bench-lag-issuer\",\"role\":\"issuer\",\"unitCode\":\"$ESTATE_UNIT\"}" "$CITY/api/clients" | jq -r .clientSecret)
ISSUER=$(token bench-lag-issuer "$SECRET")

say "issuing at the city for $DURATION s over $CONNECTIONS connection(s)"
env TOKEN="$ISSUER" ISSUE_MODE=multi SERIAL_PREFIX=PL VALID_FROM="$(TZ=Asia/Shanghai date +%F)" THREADS=1 BENCH_LUA="$ROOT/bench/lua" BENCH_OUT="$TWO/issue.json" \
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -s "$ROOT/bench/lua/issue.lua" "$CITY" >"$TWO/wrk.txt" 2>"$TWO/wrk.err" || { cat "$TWO/wrk.err" >&2; exit 1; }

city_count() { psql_at "$CITY_PG" "SELECT count(*) FROM license_changes WHERE issuer_code = '$ESTATE_UNIT' AND operation = 'issue'"; }
province_count() { psql_at "$PROVINCE_PG" "SELECT count(*) FROM license_changes WHERE issuer_code = '$ESTATE_UNIT' AND operation = 'issue'"; }
ISSUED=$(city_count)
say "$ISSUED licences issued; waiting for the province to hold them all"
for n in $(seq 1 1200); do
  [ "$(province_count)" -ge "$ISSUED" ] && break
  [ "$n" -eq 1200 ] && { echo "the province holds $(province_count) of $ISSUED after 120 s" >&2; exit 1; }
  sleep 0.1
done

QUERY="SELECT license_number, to_char(extract(epoch FROM occurred_at), 'FM9999999999.999999') FROM license_changes WHERE issuer_code = '$ESTATE_UNIT' AND operation = 'issue' ORDER BY 1"
psql_at "$CITY_PG" "$QUERY" >"$TWO/city.txt"
psql_at "$PROVINCE_PG" "$QUERY" >"$TWO/province.txt"
join -t'|' "$TWO/city.txt" "$TWO/province.txt" | awk -F'|' '{ printf "%.6f\n", $3 - $2 }' | sort -n >"$TWO/lags.txt"
N=$(wc -l <"$TWO/lags.txt")
[ "$N" -eq "$ISSUED" ] || { echo "only $N of $ISSUED licences could be paired" >&2; exit 1; }
pct() { awk -v p="$1" '{ v[NR] = $1 } END { i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; printf "%.3f", v[i] }' "$TWO/lags.txt"; }
P50=$(pct 50); P99=$(pct 99); MAX=$(pct 100)
RATE=$(awk -v n="$N" -v d="$DURATION" 'BEGIN { printf "%.1f", n / d }')
mkdir -p "$(dirname "$OUT_JSON")"
jq -n --argjson n "$N" --argjson rate "$RATE" --argjson p50 "$P50" --argjson p99 "$P99" --argjson max "$MAX" --argjson d "$DURATION" \
  --argjson c "$CONNECTIONS" --arg date "$(date -u +%FT%TZ)" --arg commit "$(cd "$ROOT" && git rev-parse --short HEAD)" \
  '{scenario: "push-lag", date: $date, commit: $commit, licences: $n, issuance_per_second: $rate, duration_seconds: $d, connections: $c,
    lag_seconds: {p50: $p50, p99: $p99, max: $max},
    measured: "license_changes.occurred_at at the province minus at the city, per licence issue (one machine clock)"}' >"$OUT_JSON"
say "push lag over $N licences at $RATE/s: p50 ${P50}s, p99 ${P99}s, max ${MAX}s (written to $OUT_JSON)"
