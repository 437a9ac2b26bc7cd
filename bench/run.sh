#!/usr/bin/env bash
# The benchmark, one command: a fresh local PostgreSQL with durable settings, the platform (deploy/run.sh,
# Release build), N licences seeded through the API in parallel, every scenario driven by wrk on 127.0.0.1,
# durability checked against PostgreSQL, everything it started stopped again. Writes bench/results/latest.json
# and the Benchmarks table in README.md. See bench/README.md.
#
#   bench/run.sh [--licenses 100000] [--duration 10] [--warmup 3] [--threads 2] [--no-readme]
#
# Exit status: non-zero when a step fails or an acknowledged write has no row in PostgreSQL.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=100000; DURATION=10; WARMUP=3; THREADS=2; README=1
while [ $# -gt 0 ]; do
  case "$1" in
    --licenses) N="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --no-readme) README=0; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[[ "$N" =~ ^[0-9]+$ ]] && [ "$N" -ge 2000 ] && [ "$N" -le 1400000 ] || { echo "--licenses must be 2000..1400000" >&2; exit 2; }
T0=$(date +%s)
say() { printf '\033[1m[%4ds] %s\033[0m\n' "$(( $(date +%s) - T0 ))" "$*"; }

# --- Fixed endpoints, apart from a developer's ./deploy/run.sh (55432, 5000, 11111+, 30000+) ------------------
PG_PORT=55433
API_PORT=5100
API="http://127.0.0.1:$API_PORT"
SILO_PORT_BASE=11210
GATEWAY_PORT_BASE=30099
BLOCAL="$ROOT/.local/bench"          # git-ignored; recreated on every run
WORK="$BLOCAL/work"
OUT="$ROOT/bench/results"
export BENCH_LUA="$ROOT/bench/lua"
HOT=1000                              # verify-hot spreads over this many licences
MEM_N=100000                          # memory-per-activation activates this many (capped by N - HOT)
SEARCH_ROWS=1000000
IMPORT_ROWS=100000                    # bench import: rows of its one upload

command -v wrk >/dev/null || { say "installing wrk"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v jq >/dev/null || { say "installing jq"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >/dev/null; }
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  say "installing PostgreSQL"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi
for port in $PG_PORT $API_PORT $((SILO_PORT_BASE + 1)) $((GATEWAY_PORT_BASE + 1)); do
  if ss -ltn "sport = :$port" | grep -q LISTEN; then echo "port $port is in use; is another bench running?" >&2; exit 1; fi
done

# --- Cleanup: stop exactly what this script started ----------------------------------------------------------
PLATFORM_PID=""; PG_STARTED=0
stop_platform() {
  if [ -n "$PLATFORM_PID" ]; then
    kill -TERM "$PLATFORM_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$PLATFORM_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$PLATFORM_PID" 2>/dev/null || true
    wait "$PLATFORM_PID" 2>/dev/null || true
    PLATFORM_PID=""
  fi
}
cleanup() {
  local rc=$?
  trap - INT TERM EXIT
  stop_platform
  if [ "$PG_STARTED" -eq 1 ]; then as_pg "$PG_BIN/pg_ctl" -D "$BLOCAL/pg/data" -m fast -w stop >/dev/null 2>&1 || true; fi
  [ "$rc" -eq 0 ] || echo "bench failed (exit $rc); logs in $BLOCAL/logs and $WORK" >&2
  exit "$rc"
}
trap cleanup INT TERM EXIT

# --- Fresh PostgreSQL, durable settings stated explicitly ------------------------------------------------------
rm -rf "$BLOCAL"; mkdir -p "$BLOCAL/pg" "$BLOCAL/logs" "$WORK" "$OUT"
[ "$(id -u)" -eq 0 ] && chown -R postgres "$BLOCAL/pg"
say "initdb $BLOCAL/pg/data; PostgreSQL on 127.0.0.1:$PG_PORT (fsync, synchronous_commit, full_page_writes on)"
as_pg "$PG_BIN/initdb" -D "$BLOCAL/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$BLOCAL/logs/initdb.log"
PG_SETTINGS="-c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=600 -c shared_buffers=512MB -c max_wal_size=4GB"
as_pg "$PG_BIN/pg_ctl" -D "$BLOCAL/pg/data" -l "$BLOCAL/pg/server.log" -w -t 60 \
  -o "-p $PG_PORT -k $BLOCAL/pg -c listen_addresses=127.0.0.1 $PG_SETTINGS" start >/dev/null
PG_STARTED=1
PSQL=("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d orleans_licenses -v ON_ERROR_STOP=1 -qtA)
"$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qtAc "CREATE DATABASE orleans_licenses" >/dev/null
PG_CHECK=$("${PSQL[@]}" -c "SELECT string_agg(name || '=' || setting, ',' ORDER BY name) FROM pg_settings WHERE name IN ('fsync','synchronous_commit','full_page_writes')")
[ "$PG_CHECK" = "fsync=on,full_page_writes=on,synchronous_commit=on" ] || { echo "PostgreSQL settings not durable: $PG_CHECK" >&2; exit 1; }

# --- Platform (deploy/run.sh against this PostgreSQL; it leaves a server it did not start running) -------------
# Production limits protect the platform from clients; the bench measures the platform behind them.
export RateLimits__VerificationPerSecond=100000000 RateLimits__TokenPerMinute=1000000 RateLimits__PublicPerMinute=1000000 RateLimits__DevMintPerMinute=1000000
# wrk drives every scenario from 127.0.0.1: the edge's per-network and global limits (before authentication) too.
export RateLimits__Edge__PerAddressPerSecond=100000000 RateLimits__Edge__PerAddressBurst=100000000 RateLimits__Edge__GlobalPerSecond=100000000 RateLimits__Edge__GlobalBurst=100000000
export Auth__TokenLifetimeMinutes=240 Auth__Holder__DevTokenLifetimeMinutes=240
export OL_METRICS_PORT_BASE=9560 OL_LOCAL_DIR="$BLOCAL" OL_PG_PORT=$PG_PORT OL_API_URL="$API" OL_SILO_PORT_BASE=$SILO_PORT_BASE OL_GATEWAY_PORT_BASE=$GATEWAY_PORT_BASE
SILOS_NOW=0
start_platform() { # silos, skip-build
  local log="$BLOCAL/logs/platform-$(date +%s).log"
  OL_SKIP_BUILD="$2" "$ROOT/deploy/run.sh" --silos "$1" >"$log" 2>&1 &
  PLATFORM_PID=$!
  for n in $(seq 1 600); do
    grep -q "Press Ctrl-C" "$log" 2>/dev/null && break
    kill -0 "$PLATFORM_PID" 2>/dev/null || { cat "$log" >&2; PLATFORM_PID=""; exit 1; }
    [ "$n" -eq 600 ] && { echo "platform not up after 300 s; see $log" >&2; exit 1; }
    sleep 0.5
  done
  SILOS_NOW=$1
}
# Processes of the platform: run.sh's children are the dotnet processes themselves (exec).
silo_pids() { local p; for p in $(pgrep -P "$PLATFORM_PID" || true); do if grep -qa 'OrleansLicenses.Silo.dll' "/proc/$p/cmdline" 2>/dev/null; then echo "$p"; fi; done; }
api_pid() { local p; for p in $(pgrep -P "$PLATFORM_PID" || true); do if grep -qa 'OrleansLicenses.ApiHost.dll' "/proc/$p/cmdline" 2>/dev/null; then echo "$p"; fi; done; }
pg_pids() { local pm; pm=$(head -n1 "$BLOCAL/pg/data/postmaster.pid"); echo "$pm"; pgrep -P "$pm" || true; }
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }
TICK=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# cpu_snapshot FILE: "name pid ticks" for every platform process and PostgreSQL (all backends summed).
cpu_snapshot() {
  { local i=1; for p in $(silo_pids); do echo "silo-$i $p $(cpu_ticks "$p")"; i=$((i + 1)); done
    local a; a=$(api_pid); echo "api $a $(cpu_ticks "$a")"
    local s=0; for p in $(pg_pids); do s=$((s + $(cpu_ticks "$p"))); done; echo "postgresql 0 $s"; } >"$1"
}
# cpu_delta BEFORE AFTER -> JSON object of CPU seconds per process (backends that ended during the run are missed)
cpu_delta() { join <(sort "$1") <(sort "$2") | awk -v t="$TICK" 'BEGIN { printf "{" } { printf "%s\"%s\":%.2f", (NR > 1 ? "," : ""), $1, ($5 - $3) / t } END { printf "}" }'; }

say "building (Release) and starting 1 silo + API host on $API"
start_platform 1 0
CLIENTS="$BLOCAL/demo-clients.env"
source "$BLOCAL/secrets.env"
token() { curl -fsS -d grant_type=client_credentials -d "client_id=$1" --data-urlencode "client_secret=$2" "$API/api/auth/token" | jq -r .access_token; }
ADMIN=$(token admin "$OL_ADMIN_SECRET")
ISSUER=$(token demo-hrb-market-issuer "$(sed -n 's/^demo-hrb-market-issuer=//p' "$CLIENTS")")
VERIFIER=$(token demo-hrb-centre-verifier "$(sed -n 's/^demo-hrb-centre-verifier=//p' "$CLIENTS")")
# An issuer client for the unit that issues the multi-instance real-estate certificate (demo type 11230000000000051X001).
ESTATE_SECRET=$(curl -fsS -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  --data '{"clientId":"bench-estate-issuer","name":"bench-estate-issuer","role":"issuer","unitCode":"112301000000000438"}' "$API/api/clients" | jq -r .clientSecret)
ESTATE=$(token bench-estate-issuer "$ESTATE_SECRET")
for t in "$ADMIN" "$ISSUER" "$VERIFIER" "$ESTATE"; do [ -n "$t" ] && [ "$t" != null ] || { echo "could not obtain client tokens" >&2; exit 1; }; done
VALID_FROM=$(TZ=Asia/Shanghai date +%F)
# GB 32100 code of a government body (11) in region 230100 whose organisation-code body is the 8-digit number $1.
credit_code() {
  awk -v n="$1" 'BEGIN {
    A = "0123456789ABCDEFGHJKLMNPQRTUWXY"; split("3 7 9 10 5 8 4 2", ow, " ")
    split("1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28", cw, " ")
    body = sprintf("%08d", n); s = 0
    for (i = 1; i <= 8; i++) s += substr(body, i, 1) * ow[i]
    c = 11 - s % 11; org = (c == 10) ? "X" : (c == 11 ? "0" : c)
    f = "11230100" body org; s = 0
    for (i = 1; i <= 17; i++) s += (index(A, substr(f, i, 1)) - 1) * cw[i]
    k = (31 - s % 31) % 31; print f substr(A, k + 1, 1) }'
}
# Seeding spreads over SEED_UNITS issuing units of the food licence (each unit signs with its own key).
SEED_UNITS=8; SEED_TOKENS=""
say "defining $SEED_UNITS bench issuing units and their issuer clients"
for u in $(seq 1 "$SEED_UNITS"); do
  code=$(credit_code $((90000000 + u)))
  curl -fsS -o /dev/null -X PUT -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' --data \
    "{\"name\":\"基准测试签发单位$u\",\"regionCode\":\"230100\",\"level\":\"city\",\"parentUnitCode\":\"11230000000000019J\",\"issuableTypes\":[\"11230000000000019J001\"]}" \
    "$API/api/units/$code"
  secret=$(curl -fsS -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
    --data "{\"clientId\":\"bench-seed-issuer-$u\",\"name\":\"bench-seed-issuer-$u\",\"role\":\"issuer\",\"unitCode\":\"$code\"}" "$API/api/clients" | jq -r .clientSecret)
  SEED_TOKENS="$SEED_TOKENS${SEED_TOKENS:+,}$(token "bench-seed-issuer-$u" "$secret")"
done

# --- Result collection ---------------------------------------------------------------------------------------
SCEN="$WORK/scenarios.jsonl"; : >"$SCEN"
DURA="$WORK/durability.jsonl"; : >"$DURA"
FAILED=0
# scenario NAME VALUE UNIT BASELINE GOAL MET EXTRA-JSON   (BASELINE/GOAL/MET may be null; ratio = value / baseline)
scenario() {
  jq -nc --arg name "$1" --argjson value "$2" --arg unit "$3" --argjson baseline "$4" --argjson goal "$5" --argjson met "$6" --argjson extra "$7" \
    '{name: $name, value: $value, unit: $unit, baseline: $baseline,
      ratio: (if $baseline == null or $baseline == 0 then null else (($value / $baseline) * 1000 | round / 1000) end),
      goal: $goal, met: $met} + $extra' >>"$SCEN"
  printf '  %-26s %12s %-16s baseline %-10s met %s\n' "$1" "$2" "$3" "$4" "$6"
}
# wrk_run NAME CONNECTIONS DURATION SCRIPT URL [ENV...]  -> $WORK/NAME.json (per-thread lines + summary line)
wrk_run() {
  local name="$1" c="$2" d="$3" script="$4" url="$5"; shift 5
  env "$@" THREADS="$THREADS" BENCH_OUT="$WORK/$name.json" \
    wrk -t"$THREADS" -c"$c" -d"${d}s" --timeout 10s -s "$BENCH_LUA/$script" "$url" >"$WORK/$name.txt" 2>"$WORK/$name.err" || { cat "$WORK/$name.err" >&2; exit 1; }
}
S() { jq -r "select(.summary) | $2" "$WORK/$1.json"; }          # a field of a run's summary
# at_most_met NAME LIMIT: a latency goal is met when the run's p99 is at most LIMIT; a run without one answered
# request has no p99 at all, so its verdict is null, never true.
at_most_met() { if [ "$(S "$1" '.ok')" -gt 0 ]; then awk -v v="$(S "$1" .p99_ms)" -v g="$2" 'BEGIN { print (v <= g) ? "true" : "false" }'; else echo null; fi; }
p99_of() { if [ "$(S "$1" '.ok')" -gt 0 ]; then S "$1" .p99_ms; else echo null; fi; }
ratio_met() { awk -v v="$1" -v b="$2" -v g="$3" 'BEGIN { print (b > 0 && v / b >= g) ? "true" : "false" }'; }
lat() { S "$1" '{p50_ms, p99_ms, p999_ms, requests, non2xx: .bad, statuses, socket_errors}'; }

# durability NAME ACKED ROWS-SQL : every acknowledged write must have its row. Rows beyond the acknowledged ones
# are requests that were answered after wrk stopped counting (at most one per connection).
durability() {
  local name="$1" acked="$2" sql="$3" rows=0
  for _ in $(seq 1 60); do   # the read model is projected right after the grain write; give it a moment
    rows=$("${PSQL[@]}" -c "$sql")
    [ "$rows" -ge "$acked" ] && break
    sleep 1
  done
  local missing=$(( acked > rows ? acked - rows : 0 ))
  jq -nc --arg n "$name" --argjson a "$acked" --argjson r "$rows" --argjson m "$missing" '{scenario: $n, acknowledged: $a, rows: $r, missing: $m}' >>"$DURA"
  printf '  durability %-18s acknowledged %8d rows %8d missing %d\n' "$name" "$acked" "$rows" "$missing"
  [ "$missing" -eq 0 ] || FAILED=1
}
acked() { local s=0; for f in "$@"; do s=$((s + $(jq -s '[.[] | select(.thread != null) | .ok] | add' "$WORK/$f.json"))); done; echo "$s"; }

# --- Seeding: N food licences, a distinct holder each, through POST /api/licenses in parallel -----------------
say "seeding $N licences through the API (wrk, 64 connections, $SEED_UNITS issuing units)"
seed_start=$(date +%s.%N); done_n=0; chunk=0; rate=800; SEED_RUNS=()
while [ "$done_n" -lt "$N" ] && [ "$chunk" -lt 60 ]; do
  # A little over what is left: a request still in flight when wrk stops is not counted (it may still commit).
  left=$((N - done_n)); d=$(( left / rate + 5 )); [ "$d" -gt 60 ] && d=60; [ "$d" -lt 8 ] && d=8; [ "$chunk" -eq 0 ] && [ "$d" -gt 20 ] && d=20
  wrk_run "seed-$chunk" 64 "$d" issue.lua "$API" TOKEN="$SEED_TOKENS" ISSUE_MODE=food QUOTA="$((left + 64))" HOLDER_BASE=$((chunk * 1400000)) \
    SERIAL_PREFIX="BS$(printf %02d "$chunk")" VALID_FROM="$VALID_FROM"
  got=$(acked "seed-$chunk"); SEED_RUNS+=("seed-$chunk")
  [ "$got" -gt 0 ] || { echo "seeding made no progress: $(S "seed-$chunk" .statuses)" >&2; exit 1; }
  done_n=$((done_n + got)); rate=$(awk -v g="$got" -v s="$(S "seed-$chunk" .seconds)" 'BEGIN { r = int(g / s); print (r < 10 ? 10 : r) }')
  say "  chunk $chunk: $got licences in ${d}s ($rate/s), $done_n of $N"
  chunk=$((chunk + 1))
done
seed_secs=$(awk -v a="$seed_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
durability seed "$done_n" "SELECT count(*) FROM licenses WHERE split_part(license_number, '.', 3) LIKE 'BS%'"
[ "$done_n" -ge "$N" ] || { echo "seeded only $done_n of $N" >&2; exit 1; }
N_SEEDED=$done_n
scenario seed "$(awk -v n="$done_n" -v s="$seed_secs" 'BEGIN { printf "%.1f", n / s }')" "licences/s" null null null \
  "{\"licenses\":$done_n,\"seconds\":$seed_secs,\"connections\":64,\"issuing_units\":$SEED_UNITS}"

# Licence sets: HOT (verify-hot, presentations, scale-out), the rest shuffled for verify-cold and memory.
"${PSQL[@]}" -F ' ' -c "SELECT identifier, holder_id_number FROM licenses WHERE split_part(license_number, '.', 3) LIKE 'BS%' ORDER BY random()" >"$WORK/all.txt"
head -n "$HOT" "$WORK/all.txt" >"$WORK/hot.txt"
# (awk, not tail | head: with pipefail, a writer cut off by head exits 141 and stops the run)
awk -v from="$((HOT + 1))" -v n="$MEM_N" 'NR >= from && NR < from + n' "$WORK/all.txt" >"$WORK/cold.txt"
COLD_N=$(wc -l <"$WORK/cold.txt")

# Holder tokens for the hot licences (real-name platform stand-in, Development), in parallel with curl.
say "minting $HOT holder tokens"
mkdir -p "$WORK/ht"
awk -v api="$API" -v dir="$WORK/ht" '{ printf "%surl = \"%s/api/dev/holder-tokens\"\nfail\nheader = \"Content-Type: application/json\"\ndata = \"{\\\"idType\\\":\\\"001\\\",\\\"idNumber\\\":\\\"%s\\\",\\\"name\\\":\\\"bench\\\"}\"\noutput = \"%s/%d\"\n", (NR > 1 ? "next\n" : ""), api, $2, dir, NR }' \
  "$WORK/hot.txt" >"$WORK/ht.cfg"
curl -sS --no-progress-meter --fail-early -Z --parallel-max 16 -K "$WORK/ht.cfg"
jq -r .access_token $(seq -f "$WORK/ht/%g" 1 "$HOT") | paste -d ' ' <(cut -d' ' -f1 "$WORK/hot.txt") - >"$WORK/pairs.txt"
[ "$(awk 'NF == 2 && $2 != "null"' "$WORK/pairs.txt" | wc -l)" -eq "$HOT" ] || { echo "some holder tokens are missing" >&2; exit 1; }

# presentation_pool NAME PURPOSE COUNT -> $WORK/NAME.tokens  (used at most 5 times each, "maxUses": 5)
presentation_pool() {
  wrk_run "$1-present" 32 "$(( $3 / 1000 + 3 ))" present.lua "$API" PAIRS="$WORK/pairs.txt" QUOTA="$3" PURPOSE="$2" TOKENS_OUT="$WORK/$1.tok"
  cat "$WORK/$1.tok".* >"$WORK/$1.tokens"
  [ "$(wc -l <"$WORK/$1.tokens")" -gt 0 ] || { echo "no presentation tokens: $(S "$1-present" .statuses)" >&2; exit 1; }
}
VERIFY_RUNS=(); declare -A POOL
# verify_hot NAME CONNECTIONS DURATION: presentation + scope basis mixed, over the HOT licences
verify_hot() {
  local purpose="bench $1"
  presentation_pool "$1" "$purpose" 6000
  wrk_run "$1" "$2" "$3" verify.lua "$API" TOKEN="$VERIFIER" MODE=hot BASIS=mix IDS="$WORK/hot.txt" TOKENS="$WORK/$1.tokens" PURPOSE="$purpose"
  VERIFY_RUNS+=("$1")
  POOL[$1]=$(wc -l <"$WORK/$1.tokens")
}
trivial() { wrk_run "$1" "$2" "$3" trivial.lua "$API/health/live"; }
warm() { wrk_run warmup-$RANDOM 32 "$WARMUP" verify.lua "$API" TOKEN="$VERIFIER" MODE=hot BASIS=scope IDS="$WORK/hot.txt" PURPOSE="bench warm-up"; }

# --- Fresh silo: nothing active. memory-per-activation and verify-cold ---------------------------------------
say "restarting the platform so no licence is active"
stop_platform; start_platform 1 1
ADMIN=$(token admin "$OL_ADMIN_SECRET")
say "warm-up (JIT, pools; activates only the $HOT hot licences)"
warm; trivial warmup-trivial 32 "$WARMUP"; sleep 5
SILO=$(silo_pids | sed -n 1p)
rss_before=$(rss_kb "$SILO")
say "verify-cold: $COLD_N licences never activated, each verified once (scope basis), 32 connections"
wrk_run verify-cold 32 "$DURATION" verify.lua "$API" TOKEN="$VERIFIER" MODE=cold IDS="$WORK/cold.txt" PURPOSE="bench verify-cold"
cold_done=$(acked verify-cold)
VERIFY_RUNS+=(verify-cold)
# Activate the rest of the cold set (memory-per-activation): the same script continues where verify-cold stopped.
tail -n +"$((cold_done + 1))" "$WORK/cold.txt" >"$WORK/cold-rest.txt"
rest=$(wc -l <"$WORK/cold-rest.txt")
cold_rate=$(S verify-cold .rps | cut -d. -f1); [ "$cold_rate" -gt 50 ] || cold_rate=50
say "activating the remaining $rest licences (about $(( rest / cold_rate )) s)"
# Requests cut off at verify-cold's end may still have activated their licence: they were not counted as done,
# so the remainder starts from the next unanswered one; at most one activation per connection is counted twice.
wrk_run activate 32 "$(( rest / cold_rate + 5 ))" verify.lua "$API" TOKEN="$VERIFIER" MODE=cold IDS="$WORK/cold-rest.txt" PURPOSE="bench activate"
VERIFY_RUNS+=(activate)
activated=$((cold_done + $(acked activate)))
sleep 10   # let the GC settle after the load
rss_after=$(rss_kb "$SILO")
for _ in 1 2 3; do sleep 2; r=$(rss_kb "$SILO"); [ "$r" -lt "$rss_after" ] && rss_after=$r; done
per_kb=$(awk -v a="$rss_after" -v b="$rss_before" -v n="$activated" 'BEGIN { printf "%.3f", (a - b) / n }')
say "verify-hot-32 / trivial-32 (for verify-cold's baseline)"
warm; verify_hot verify-hot-32 32 "$DURATION"; trivial trivial-32 32 "$DURATION"
hot32=$(S verify-hot-32 .rps); triv32=$(S trivial-32 .rps)
scenario trivial-32 "$triv32" "req/s" null null null "{\"connections\":32,\"latency\":$(lat trivial-32)}"
scenario verify-hot-32 "$hot32" "req/s" "$triv32" 0.5 "$(ratio_met "$hot32" "$triv32" 0.5)" \
  "{\"connections\":32,\"acceptance_bar\":0.3,\"acceptance_met\":$(ratio_met "$hot32" "$triv32" 0.3),\"licenses\":$HOT,\"basis\":\"presentation-token and scope, alternating (scope only once the ${POOL[verify-hot-32]} tokens x 5 uses run out)\",\"latency\":$(lat verify-hot-32)}"
cold=$(S verify-cold .rps)
scenario verify-cold "$cold" "req/s" "$hot32" 0.3 "$(ratio_met "$cold" "$hot32" 0.3)" \
  "{\"connections\":32,\"distinct_licenses\":$cold_done,\"basis\":\"scope\",\"latency\":$(lat verify-cold)}"
mem_met=$(awk -v v="$per_kb" 'BEGIN { print (v <= 4) ? "true" : "false" }')
scenario memory-per-activation "$per_kb" "KB/activation" null 4 "$mem_met" \
  "{\"activated\":$activated,\"rss_before_kb\":$rss_before,\"rss_after_kb\":$rss_after,\"goal_is\":\"at most\"}"

say "verify-hot-128 / trivial-128"
verify_hot verify-hot-128 128 "$DURATION"; trivial trivial-128 128 "$DURATION"
hot128=$(S verify-hot-128 .rps); triv128=$(S trivial-128 .rps)
scenario trivial-128 "$triv128" "req/s" null null null "{\"connections\":128,\"latency\":$(lat trivial-128)}"
scenario verify-hot-128 "$hot128" "req/s" "$triv128" 0.5 "$(ratio_met "$hot128" "$triv128" 0.5)" \
  "{\"connections\":128,\"acceptance_bar\":0.3,\"acceptance_met\":$(ratio_met "$hot128" "$triv128" 0.3),\"licenses\":$HOT,\"basis\":\"presentation-token and scope, alternating (scope only once the ${POOL[verify-hot-128]} tokens x 5 uses run out)\",\"latency\":$(lat verify-hot-128)}"

# --- SM2 reference (bench/Sm2Bench, when present) --------------------------------------------------------------
SM2_REF=null; SM2_PLAT=null; SM2_ALL=null
if [ -f "$ROOT/bench/Sm2Bench/Sm2Bench.csproj" ] || ls "$ROOT"/bench/Sm2Bench/*.csproj >/dev/null 2>&1; then
  say "sm2: dotnet run -c Release --project bench/Sm2Bench"
  line=$(cd "$ROOT" && dotnet run -c Release --project bench/Sm2Bench 2>"$WORK/sm2.err" | grep '^{' | tail -n1) || true
  if [ -n "$line" ]; then
    SM2_REF=$(jq '."sm2-reference"' <<<"$line"); SM2_PLAT=$(jq '."sm2-platform"' <<<"$line"); SM2_ALL=$(jq '."sm2-platform-all-cores" // null' <<<"$line")
  else
    echo "bench/Sm2Bench printed no JSON line; see $WORK/sm2.err" >&2
  fi
fi
if [ "$SM2_REF" = null ]; then
  echo "  sm2-reference / sm2-platform: skipped, bench/Sm2Bench is not in this tree (met: null)"
  scenario sm2-reference null "signatures/s" null null null '{"skipped":"bench/Sm2Bench not present"}'
  scenario sm2-platform null "signatures/s" null 5 null '{"skipped":"bench/Sm2Bench not present"}'
else
  scenario sm2-reference "$SM2_REF" "signatures/s" null null null '{}'
  scenario sm2-platform "$SM2_PLAT" "signatures/s" "$SM2_REF" 5 "$(ratio_met "$SM2_PLAT" "$SM2_REF" 5)" "{\"all_cores\":$SM2_ALL}"
fi

# --- Issuance -------------------------------------------------------------------------------------------------
issue_met() { [ "$SM2_REF" = null ] && echo null || ratio_met "$1" "$SM2_REF" 1.0; }
say "issue-many-holders: unit 11230100000000027J, a new holder per request, 64 connections"
wrk_run issue-many-holders 64 "$DURATION" issue.lua "$API" TOKEN="$ISSUER" ISSUE_MODE=food HOLDER_BASE=90000000 SERIAL_PREFIX=BI VALID_FROM="$VALID_FROM"
durability issue-many-holders "$(acked issue-many-holders)" "SELECT count(*) FROM licenses WHERE split_part(license_number, '.', 3) LIKE 'BI%'"
v=$(S issue-many-holders .rps)
scenario issue-many-holders "$v" "licences/s" "$SM2_REF" 1.0 "$(issue_met "$v")" "{\"connections\":64,\"latency\":$(lat issue-many-holders)}"
say "issue-one-holder-multi: one citizen, real-estate certificate (multi-instance type), 64 connections"
wrk_run issue-one-holder-multi 64 "$DURATION" issue.lua "$API" TOKEN="$ESTATE" ISSUE_MODE=multi SERIAL_PREFIX=BM VALID_FROM="$VALID_FROM"
durability issue-one-holder-multi "$(acked issue-one-holder-multi)" "SELECT count(*) FROM licenses WHERE split_part(license_number, '.', 3) LIKE 'BM%'"
v=$(S issue-one-holder-multi .rps)
scenario issue-one-holder-multi "$v" "licences/s" "$SM2_REF" 1.0 "$(issue_met "$v")" "{\"connections\":64,\"latency\":$(lat issue-one-holder-multi)}"

# --- Import: offline bulk import through POST /api/imports (bench/import.sh) -------------------------------------
source "$ROOT/bench/import.sh"
say "import: $IMPORT_ROWS offline records (CSV) through POST /api/imports, issued in the cluster"
import_scenario "$IMPORT_ROWS"

# --- Verification durability: one use record per acknowledged verification, by the scenario's purpose ---------
for r in "${VERIFY_RUNS[@]}"; do
  durability "$r" "$(acked "$r")" "SELECT count(*) FROM license_uses WHERE purpose = 'bench $r'"
done

# --- Scale-out: verify-hot with 1, 2, 3 silos, CPU seconds per process --------------------------------------------
SCALE=()
for s in 1 2 3; do
  if [ "$s" -ne "$SILOS_NOW" ]; then say "restarting with $s silos"; stop_platform; start_platform "$s" 1; fi
  say "scale-out-$s: verify-hot, 64 connections, $s silo(s)"
  warm
  presentation_pool "scale-out-$s" "bench scale-out-$s" 6000
  cpu_snapshot "$WORK/cpu-$s.before"
  wrk_run "scale-out-$s" 64 "$DURATION" verify.lua "$API" TOKEN="$VERIFIER" MODE=hot BASIS=mix IDS="$WORK/hot.txt" TOKENS="$WORK/scale-out-$s.tokens" PURPOSE="bench scale-out-$s"
  cpu_snapshot "$WORK/cpu-$s.after"
  durability "scale-out-$s" "$(acked "scale-out-$s")" "SELECT count(*) FROM license_uses WHERE purpose = 'bench scale-out-$s'"
  SCALE+=("$(S "scale-out-$s" .rps)|$(cpu_delta "$WORK/cpu-$s.before" "$WORK/cpu-$s.after")")
done
base1=${SCALE[0]%%|*}
for s in 1 2 3; do
  v=${SCALE[$((s - 1))]%%|*}; cpu=${SCALE[$((s - 1))]#*|}
  scenario "scale-out-$s" "$v" "req/s" "$base1" null null "{\"silos\":$s,\"connections\":64,\"cpu_seconds\":$cpu,\"latency\":$(lat "scale-out-$s")}"
done

# --- Admin search on 1 000 000 read-model rows (padded with generated rows when N is smaller) ---------------------
real=$("${PSQL[@]}" -c "SELECT count(*) FROM licenses")
padded=false
if [ "$real" -lt "$SEARCH_ROWS" ]; then
  say "search: padding the licenses read model with $((SEARCH_ROWS - real)) generated rows (labelled padded)"
  "${PSQL[@]}" -c "INSERT INTO licenses (license_number, identifier, version, type_code, issuer_code, region_code, holder_id_type,
      holder_id_number, status, valid_from, valid_until, issued_at, updated_at, revision)
    SELECT '11230000000000019J001.11230100000000027J.PAD' || g, 'PADDED.' || g, '001', '11230000000000019J001', '11230100000000027J', '230100', '001',
      'PAD' || lpad(g::text, 15, '0'), 'valid', date '2026-01-01', date '2030-12-31', now() - g * interval '1 second', now() - g * interval '1 second', 1
    FROM generate_series(1, $((SEARCH_ROWS - real))) g" >/dev/null
  padded=true
fi
"${PSQL[@]}" -c "VACUUM ANALYZE licenses" >/dev/null
rows=$("${PSQL[@]}" -c "SELECT count(*) FROM licenses")
awk 'NR <= 20000 { print $2 }' "$WORK/all.txt" >"$WORK/holders.txt"
say "search-p99: GET /api/licenses?holder=… as admin on $rows rows, 16 connections"
wrk_run search-warm 16 "$WARMUP" search.lua "$API" TOKEN="$ADMIN" SEARCH=holder HOLDERS="$WORK/holders.txt"
wrk_run search-holder 16 "$DURATION" search.lua "$API" TOKEN="$ADMIN" SEARCH=holder HOLDERS="$WORK/holders.txt"
p99=$(p99_of search-holder)
scenario search-p99 "$p99" "ms" null 50 "$(at_most_met search-holder 50)" \
  "{\"query\":\"holder=001:<code>&pageSize=20\",\"rows\":$rows,\"padded\":$padded,\"real_rows\":$real,\"rps\":$(S search-holder .rps),\"goal_is\":\"at most\",\"latency\":$(lat search-holder)}"
say "search-type-status-p99: GET /api/licenses?type=…&status=valid&page=… as admin, 4 connections"
wrk_run search-type-status 4 "$DURATION" search.lua "$API" TOKEN="$ADMIN" SEARCH=type-status
p99=$(p99_of search-type-status)
scenario search-type-status-p99 "$p99" "ms" null 50 "$(at_most_met search-type-status 50)" \
  "{\"query\":\"type=11230000000000019J001&status=valid&page=1..50&pageSize=20\",\"rows\":$rows,\"padded\":$padded,\"real_rows\":$real,\"rps\":$(S search-type-status .rps),\"goal_is\":\"at most\",\"latency\":$(lat search-type-status)}"

# --- Durability verdict, latest.json, README ------------------------------------------------------------------
missing=$(jq -s '[.[].missing] | add' "$DURA")
scenario durability "$missing" "missing rows" null 0 "$([ "$missing" -eq 0 ] && echo true || echo false)" \
  "{\"checks\":$(jq -sc . "$DURA"),\"goal_is\":\"missing rows must be 0\"}"
stop_platform

# --- push-lag (issue 11): two libraries of their own (bench/push-lag.sh), after this platform stopped ----------
push_lag() {
  say "push-lag: commit at the city to commit at the province, steady issuance at the city for $DURATION s"
  "$ROOT/bench/push-lag.sh" --seconds "$DURATION" --connections 2 --json "$WORK/push-lag.json" >"$WORK/push-lag.txt" 2>&1 \
    || { tail -n 30 "$WORK/push-lag.txt" >&2; scenario push-lag null "s" null null null '{"failed":"see push-lag.txt"}'; return 0; }
  scenario push-lag "$(jq .lag_seconds.p99 "$WORK/push-lag.json")" "s" null null null \
    "$(jq -c '{p50_s: .lag_seconds.p50, max_s: .lag_seconds.max, licences, issuance_per_second, connections, measured}' "$WORK/push-lag.json")"
}
push_lag
RUNTIME=$(( $(date +%s) - T0 ))
COMMIT=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
jq -n --slurpfile s "$SCEN" --arg date "$(date -u +%FT%TZ)" --arg commit "$COMMIT" --argjson n "$N" --argjson d "$DURATION" --argjson runtime "$RUNTIME" \
  --arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | sed -n 1p)" --argjson cores "$(nproc)" \
  --argjson mem "$(awk '/MemTotal/ { print $2 }' /proc/meminfo)" --arg kernel "$(uname -r)" \
  --arg pg "$("$PG_BIN/postgres" --version)" --arg dotnet "$(dotnet --version)" --arg wrk "$(wrk -v 2>&1 | sed -n 1p)" \
  '{machine: {cpu: $cpu, cores: $cores, memory_kb: $mem, kernel: $kernel, postgresql: $pg, dotnet: $dotnet, wrk: $wrk,
              note: "wrk, PostgreSQL, silos and the API host share these cores"},
    date: $date, commit: $commit, licenses: $n, duration_seconds: $d, runtime_seconds: $runtime,
    postgresql_settings: "fsync=on synchronous_commit=on full_page_writes=on (fresh cluster)",
    scenarios: $s}' >"$OUT/latest.json"
say "wrote bench/results/latest.json (runtime ${RUNTIME}s)"
if [ "$README" -eq 1 ]; then "$ROOT/bench/readme-table.sh" "$OUT/latest.json" "$ROOT/README.md"; say "updated the Benchmarks table in README.md"; fi
[ "$FAILED" -eq 0 ] || { echo "DURABILITY FAILURE: an acknowledged write has no row in PostgreSQL (see latest.json)" >&2; exit 1; }
