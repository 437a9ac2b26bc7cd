#!/usr/bin/env bash
# Fault drills under load, one command (issue 15): a fresh local PostgreSQL with durable settings, the platform with
# 3 silos and 3 API hosts (deploy/run.sh), and a mixed load of issuance and verification clients (bench/DrillLoad)
# that log every acknowledged answer. Each drill prints its figures against its goal (PASS/FAIL); all of them go to
# bench/results/drills.json. Everything it started is stopped again (also on Ctrl-C or failure).
#
#   bench/drills.sh [--only 1,2,3,4,5] [--no-build]
#
#   1 silo-kill        kill -9 one silo under load
#   2 pg-restart-fast  pg_ctl stop -m fast, 5 s down, start
#     pg-restart-immediate  the same with -m immediate (a crash of the database server)
#   3 all-silos        kill -9 every silo, start them again
#   4 api-host-kill    kill -9 one of the API hosts
#   5 backup           deploy/backup.sh + deploy/verify-restore.sh during the load (skipped while they do not exist)
#
# 127.0.0.1 only: PostgreSQL 55452, API hosts 5300-5302, silos 11411+/30300+; state in .local/drills (recreated).
# Exit status: non-zero when a step fails or a goal is not met.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ONLY="1,2,3,4,5"; BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --only) ONLY="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
T0=$(date +%s)
say() { printf '\033[1m[%4ds] %s\033[0m\n' "$(( $(date +%s) - T0 ))" "$*"; }
now_ms() { date +%s%3N; }

PG_PORT=55452
API_PORT=5300
API_HOSTS=3
SILOS=3
SILO_PORT_BASE=11410
GATEWAY_PORT_BASE=30299
DLOCAL="${OL_LOCAL_DIR:-$ROOT/.local/drills}"   # git-ignored; recreated on every run
WORK="$DLOCAL/work"
OUT="$ROOT/bench/results"
APIS=$(for i in $(seq 0 $((API_HOSTS - 1))); do printf '%shttp://127.0.0.1:%d' "$([ "$i" -gt 0 ] && echo ,)" $((API_PORT + i)); done)
API="http://127.0.0.1:$API_PORT"

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
for port in $PG_PORT $(seq $API_PORT $((API_PORT + API_HOSTS - 1))) $(seq $((SILO_PORT_BASE + 1)) $((SILO_PORT_BASE + SILOS))) $(seq $((GATEWAY_PORT_BASE + 1)) $((GATEWAY_PORT_BASE + SILOS))); do
  if ss -ltn "sport = :$port" | grep -q LISTEN; then echo "port $port is in use; are drills already running?" >&2; exit 1; fi
done

# --- Cleanup: stop exactly what this script started ---------------------------------------------------------
PLATFORM_PID=""; PG_STARTED=0; LOAD_PID=""; OWN_PIDS=()
cleanup() {
  local rc=$?
  trap - INT TERM EXIT
  [ -n "$LOAD_PID" ] && kill -KILL "$LOAD_PID" 2>/dev/null || true
  for p in "${OWN_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  if [ -n "$PLATFORM_PID" ]; then
    kill -TERM "$PLATFORM_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$PLATFORM_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$PLATFORM_PID" 2>/dev/null || true
  fi
  for p in "${OWN_PIDS[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$p" 2>/dev/null || true
  done
  if [ "$PG_STARTED" -eq 1 ]; then as_pg "$PG_BIN/pg_ctl" -D "$DLOCAL/pg/data" -m fast -w stop >/dev/null 2>&1 || true; fi
  [ "$rc" -eq 0 ] || echo "drills ended with exit $rc; logs in $DLOCAL/logs and $WORK" >&2
  exit "$rc"
}
trap cleanup INT TERM EXIT

# --- Fresh PostgreSQL, durable settings stated explicitly -----------------------------------------------------
rm -rf "$DLOCAL"; mkdir -p "$DLOCAL/pg" "$DLOCAL/logs" "$WORK" "$OUT"
[ "$(id -u)" -eq 0 ] && chown -R postgres "$DLOCAL/pg"
say "initdb $DLOCAL/pg/data (data checksums); PostgreSQL on 127.0.0.1:$PG_PORT (fsync, synchronous_commit, full_page_writes on)"
as_pg "$PG_BIN/initdb" -D "$DLOCAL/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --data-checksums >"$DLOCAL/logs/initdb.log"
PG_OPTS="-p $PG_PORT -k $DLOCAL/pg -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=400"
pg_start() { as_pg "$PG_BIN/pg_ctl" -D "$DLOCAL/pg/data" -l "$DLOCAL/pg/server.log" -w -t 60 -o "$PG_OPTS" start >/dev/null; }
pg_start
PG_STARTED=1
PSQL=("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d orleans_licenses -v ON_ERROR_STOP=1 -qtA)
"$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qtAc "CREATE DATABASE orleans_licenses" >/dev/null
PG_CHECK=$("${PSQL[@]}" -c "SELECT string_agg(name || '=' || setting, ',' ORDER BY name) FROM pg_settings WHERE name IN ('fsync','synchronous_commit','full_page_writes')")
[ "$PG_CHECK" = "fsync=on,full_page_writes=on,synchronous_commit=on" ] || { echo "PostgreSQL settings not durable: $PG_CHECK" >&2; exit 1; }

# --- Platform: deploy/run.sh --silos 3 --api-hosts 3 against this PostgreSQL -----------------------------------
# The load is one verifier and one issuer client: the per-client and per-network limits would refuse it.
export RateLimits__VerificationPerSecond=100000000 RateLimits__TokenPerMinute=1000000 RateLimits__PublicPerMinute=1000000 RateLimits__DevMintPerMinute=1000000
export RateLimits__Edge__PerAddressPerSecond=100000000 RateLimits__Edge__PerAddressBurst=100000000 RateLimits__Edge__GlobalPerSecond=100000000 RateLimits__Edge__GlobalBurst=100000000
export Auth__TokenLifetimeMinutes=240
export OL_METRICS_PORT_BASE=9760 OL_LOCAL_DIR="$DLOCAL" OL_PG_PORT=$PG_PORT OL_API_URL="$API" OL_SILO_PORT_BASE=$SILO_PORT_BASE OL_GATEWAY_PORT_BASE=$GATEWAY_PORT_BASE
say "building (Release) and starting $SILOS silos + $API_HOSTS API hosts ($APIS)"
PLATFORM_LOG="$DLOCAL/logs/platform.log"
OL_SKIP_BUILD=$((1 - BUILD)) "$ROOT/deploy/run.sh" --silos "$SILOS" --api-hosts "$API_HOSTS" >"$PLATFORM_LOG" 2>&1 &
PLATFORM_PID=$!
for n in $(seq 1 600); do
  grep -q "Press Ctrl-C" "$PLATFORM_LOG" 2>/dev/null && break
  kill -0 "$PLATFORM_PID" 2>/dev/null || { cat "$PLATFORM_LOG" >&2; PLATFORM_PID=""; exit 1; }
  [ "$n" -eq 600 ] && { echo "platform not up after 300 s; see $PLATFORM_LOG" >&2; exit 1; }
  sleep 0.5
done
if [ "$BUILD" -eq 1 ]; then
  dotnet build "$ROOT/bench/DrillLoad" -c Release -nologo -v q >"$DLOCAL/logs/build-load.log" 2>&1 || { cat "$DLOCAL/logs/build-load.log" >&2; exit 1; }
fi
LOAD_DLL="$ROOT/bench/DrillLoad/bin/Release/net10.0/DrillLoad.dll"

# The platform's processes, by the port each was given; their environment is kept so a killed one can be started
# again exactly as run.sh started it.
SILO_DIR="$ROOT/src/Silo/bin/Release/net10.0"
API_DIR="$ROOT/src/ApiHost/bin/Release/net10.0"
declare -A SILO_PID API_PID
env_of() { tr '\0' '\n' <"/proc/$1/environ" | sed -n "s/^$2=//p"; }
for p in $(pgrep -P "$PLATFORM_PID"); do
  if grep -qa 'OrleansLicenses.Silo.dll' "/proc/$p/cmdline"; then
    i=$(( $(env_of "$p" Orleans__SiloPort) - SILO_PORT_BASE )); SILO_PID[$i]=$p; cp "/proc/$p/environ" "$WORK/silo-$i.environ"
  elif grep -qa 'OrleansLicenses.ApiHost.dll' "/proc/$p/cmdline"; then
    url=$(env_of "$p" Urls); i=$(( ${url##*:} - API_PORT + 1 )); API_PID[$i]=$p; cp "/proc/$p/environ" "$WORK/api-$i.environ"
  fi
done
[ "${#SILO_PID[@]}" -eq "$SILOS" ] && [ "${#API_PID[@]}" -eq "$API_HOSTS" ] || { echo "could not find the platform's processes" >&2; exit 1; }
CLUSTER_ID=$(tr '\0' '\n' <"$WORK/silo-1.environ" | sed -n 's/^Orleans__ClusterId=//p')
RESTARTS=0
# relaunch silo|api I: the same program with the same environment, a child of this script.
relaunch() {
  local kind=$1 i=$2 vars dir dll
  RESTARTS=$((RESTARTS + 1))
  mapfile -d '' vars <"$WORK/$kind-$i.environ"
  if [ "$kind" = silo ]; then dir=$SILO_DIR; dll=OrleansLicenses.Silo.dll; else dir=$API_DIR; dll=OrleansLicenses.ApiHost.dll; fi
  (cd "$dir" && exec env -i "${vars[@]}" dotnet "$dll" >"$DLOCAL/logs/$kind-$i-restart-$RESTARTS.log" 2>&1) &
  OWN_PIDS+=($!)
  if [ "$kind" = silo ]; then SILO_PID[$i]=$!; else API_PID[$i]=$!; fi
}
wait_silo_started() { # I: its newest log says it started (bounded)
  local log; log=$(ls -t "$DLOCAL"/logs/silo-"$1"-restart-*.log | head -n1)
  for _ in $(seq 1 240); do grep -q "Application started\|Orleans Silo started\|Started silo" "$log" 2>/dev/null && return 0; sleep 0.25; done
  echo "silo $1 did not start; see $log" >&2; return 1
}
active_silos() { "${PSQL[@]}" -c "SELECT count(*) FROM orleansmembershiptable WHERE deploymentid = '$CLUSTER_ID' AND status = 3" 2>/dev/null || echo 0; }
wait_cluster_whole() { # every silo active in the membership table, then a moment for the gateways to be seen
  for _ in $(seq 1 240); do [ "$(active_silos)" -eq "$SILOS" ] && { sleep 3; return 0; }; sleep 0.5; done
  echo "the cluster did not become whole again" >&2; return 1
}

# --- Clients ---------------------------------------------------------------------------------------------------
source "$DLOCAL/secrets.env"
CLIENTS="$DLOCAL/demo-clients.env"
token() { curl -fsS -d grant_type=client_credentials -d "client_id=$1" --data-urlencode "client_secret=$2" "$API/api/auth/token" | jq -r .access_token; }
ISSUER=$(token demo-hrb-market-issuer "$(sed -n 's/^demo-hrb-market-issuer=//p' "$CLIENTS")")
VERIFIER=$(token demo-hrb-centre-verifier "$(sed -n 's/^demo-hrb-centre-verifier=//p' "$CLIENTS")")
for t in "$ISSUER" "$VERIFIER"; do [ -n "$t" ] && [ "$t" != null ] || { echo "could not obtain client tokens" >&2; exit 1; }; done
VALID_FROM=$(TZ=Asia/Shanghai date +%F)
KNOWN=""   # acked-issues.csv of earlier drills: licences the verification clients verify from the start

# --- Drill machinery ---------------------------------------------------------------------------------------------
RESULTS="$WORK/drills.jsonl"; : >"$RESULTS"
FAILED=0; DRILL_N=0
# load_start NAME SECONDS: the mixed load in the background, logs in $WORK/NAME
load_start() {
  DRILL_N=$((DRILL_N + 1))
  D="$WORK/$1"; mkdir -p "$D"; : >"$D/marks"
  dotnet "$LOAD_DLL" load --apis "$APIS" --issuer-token "$ISSUER" --verifier-token "$VERIFIER" --seconds "$2" --out "$D" \
    --prefix "D$DRILL_N" --holder-base $((DRILL_N * 1000000)) --valid-from "$VALID_FROM" --timeout 10 --known "$KNOWN" \
    --issue-rate "${DRILL_ISSUE_RATE:-25}" --verify-rate "${DRILL_VERIFY_RATE:-100}" >"$D/load.out" 2>"$D/load.err" &
  LOAD_PID=$!
}
load_wait() { wait "$LOAD_PID" || { cat "$D/load.err" >&2; LOAD_PID=""; return 1; }; LOAD_PID=""; KNOWN="$KNOWN${KNOWN:+,}$D/acked-issues.csv"; }
load_stop() { kill -TERM "$LOAD_PID" 2>/dev/null || true; load_wait; }   # the clients finish their in-flight issuances
mark() { echo "$1 $(now_ms)" >>"$D/marks"; }
# db_check: every acknowledged issuance and verification against PostgreSQL (read model, change feed, use archive).
db_check() {
  local out
  out=$("${PSQL[@]}" <<SQL
CREATE TEMP TABLE ai (key text, id text, holder text, api int, t bigint, tries int);
\copy ai FROM '$D/acked-issues.csv' CSV
CREATE TEMP TABLE au (key text, holder text, last text);
\copy au FROM '$D/unresolved-issues.csv' CSV
CREATE TEMP TABLE av (id uuid, license text, outcome text, api int, t bigint);
\copy av FROM '$D/acked-verifications.csv' CSV
SELECT json_build_object(
  'acknowledged_issuances', (SELECT count(*) FROM ai),
  'missing_issuances', (SELECT count(*) FROM ai WHERE NOT EXISTS (SELECT 1 FROM licenses l WHERE l.identifier = ai.id)),
  'missing_issue_changes', (SELECT count(*) FROM ai WHERE (SELECT count(*) FROM license_changes c WHERE c.identifier = ai.id AND c.operation = 'issue') <> 1),
  'duplicate_licences', (SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM licenses l
      WHERE l.holder_id_number IN (SELECT holder FROM ai UNION SELECT holder FROM au) GROUP BY l.holder_id_number) x),
  'unacknowledged_but_committed', (SELECT count(*) FROM au WHERE EXISTS (SELECT 1 FROM licenses l WHERE l.holder_id_number = au.holder)),
  'acknowledged_verifications', (SELECT count(*) FROM av),
  'missing_use_records', (SELECT count(*) FROM av WHERE NOT EXISTS (SELECT 1 FROM license_uses u WHERE u.id = av.id)),
  'acknowledged_by_host', (SELECT coalesce(json_object_agg(api, n), '{}') FROM (SELECT api, count(*) AS n FROM ai GROUP BY api) h))
SQL
)
  echo "$out"
}
# goal LABEL VALUE OP LIMIT: prints the figure against its goal and records it (a null figure never passes)
GOALS=""
goal() {
  local met
  met=$(jq -n --argjson v "$2" --argjson l "$4" --arg op "$3" 'if $v == null then false elif $op == "<=" then $v <= $l elif $op == "==" then $v == $l else $v >= $l end')
  printf '    %-44s %10s  goal %s %-6s %s\n' "$1" "$2" "$3" "$4" "$([ "$met" = true ] && echo PASS || echo FAIL)"
  [ "$met" = true ] || FAILED=1
  GOALS="$GOALS${GOALS:+,}$(jq -nc --arg g "$1" --argjson v "$2" --arg op "$3" --argjson l "$4" --argjson m "$met" '{goal: $g, value: $v, op: $op, limit: $l, met: $m}')"
}
F() { jq -c "$1" <<<"$FIG"; }      # a figure of the clients' logs
B() { jq -c "$1" <<<"$DBF"; }      # a figure of the database check
# drill_end NAME DESCRIPTION [EXCLUDE-HOST]: analysis, database check, the common goals, the record
drill_analyse() {
  FIG=$(dotnet "$LOAD_DLL" analyze --dir "$D" --marks "$D/marks" ${1:+--exclude-host "$1"})
  DBF=$(db_check)
  GOALS=""
  printf '    load: %s issuance attempts (%s acknowledged, %s after a retry), %s verifications (%s acknowledged); statuses %s\n' \
    "$(F '.by_kind.issue.attempts // 0')" "$(B .acknowledged_issuances)" "$(F .issuances_acknowledged_after_retry)" \
    "$(F '.by_kind.verify.attempts // 0')" "$(B .acknowledged_verifications)" "$(F '[.by_kind[].statuses] | add')"
  [ "$(F .status_5xx_not_503)" = 0 ] || printf '    5xx other than 503: %s\n' "$(F .samples_5xx)"
}
common_goals() {
  goal "answers 500" "$(F .status_500)" "==" 0
  goal "acknowledged issuances missing in PostgreSQL" "$(B '.missing_issuances + .missing_issue_changes')" "==" 0
  goal "duplicate licences (same holder, same request)" "$(B .duplicate_licences)" "==" 0
  goal "acknowledged verifications without use record" "$(B .missing_use_records)" "==" 0
  goal "issuances never acknowledged (retry budget 60 s)" "$(F .unresolved_issuances)" "==" 0
}
drill_record() { # NAME DESCRIPTION
  jq -nc --arg n "$1" --arg d "$2" --argjson f "$FIG" --argjson db "$DBF" --argjson goals "[$GOALS]" --argjson marks "$(jq -Rsc 'split("\n") | map(select(length > 0) | split(" ") | {(.[0]): (.[1] | tonumber)}) | add // {}' "$D/marks")" \
    '{drill: $n, what: $d, met: ([$goals[].met] | all), goals: $goals, marks: $marks, figures: $f, database: $db}' >>"$RESULTS"
}
want() { [[ ",$ONLY," == *",$1,"* ]]; }

# --- Drill 1: kill -9 one silo under load ----------------------------------------------------------------------
if want 1; then
  say "drill 1: kill -9 silo 2 of $SILOS under load (load 30 s, kill at 8 s)"
  load_start silo-kill 30; sleep 8
  mark fault; kill -KILL "${SILO_PID[2]}"
  load_wait
  drill_analyse
  goal "failures before the kill" "$(F .failures_before_fault)" "==" 0
  goal "last failure after the kill (ms)" "$(F '.last_failure_after_fault_ms // 0')" "<=" 10000
  goal "service restored after the kill (ms)" "$(F .restored_after_fault_ms)" "<=" 10000
  common_goals
  drill_record silo-kill "kill -9 of one of 3 silos; the silo stays down for the rest of the load"
  say "restarting silo 2"; relaunch silo 2; wait_silo_started 2; wait_cluster_whole
fi

# --- Drill 2: PostgreSQL restart, -m fast and -m immediate -----------------------------------------------------
pg_drill() { # MODE
  say "drill 2 ($1): pg_ctl stop -m $1, 5 s down, start (load 25 s, stop at 6 s)"
  load_start "pg-restart-$1" 25; sleep 6
  mark fault; as_pg "$PG_BIN/pg_ctl" -D "$DLOCAL/pg/data" -m "$1" -w stop >/dev/null
  sleep 5
  pg_start; mark back
  load_wait
  drill_analyse
  goal "503 answers without Retry-After" "$(F .unavailable_without_retry_after)" "==" 0
  goal "slowest 503 answer (ms)" "$(F '.max_503_latency_ms // 0')" "<=" 1000
  goal "first 503 after the stop (ms)" "$(F '.first_503_after_fault_ms // 0')" "<=" 1000
  goal "requests that hung 10 s (client time-outs)" "$(F .hangs_over_10s)" "==" 0
  goal "5xx other than 503" "$(F .status_5xx_not_503)" "==" 0
  goal "serving again after the database is back (ms)" "$(F .restored_after_back_ms)" "<=" 5000
  common_goals
  drill_record "pg-restart-$1" "PostgreSQL stopped with -m $1 under load, 5 s down, started again"
  sleep 2
}
if want 2; then pg_drill fast; pg_drill immediate; fi

# --- Drill 3: every silo killed and restarted ---------------------------------------------------------------------
if want 3; then
  say "drill 3: kill -9 all $SILOS silos, start them again (kill at 6 s; the load runs until 10 s after recovery, at most 90 s)"
  load_start all-silos 90; sleep 6
  mark fault
  for i in $(seq 1 "$SILOS"); do kill -KILL "${SILO_PID[$i]}"; done
  sleep 1
  relaunch silo 1; wait_silo_started 1   # the first applies the schema (nothing to do), the others join it
  for i in $(seq 2 "$SILOS"); do relaunch silo "$i"; done
  mark back
  for _ in $(seq 1 320); do  # recovered once the API host reaches a silo again (its readiness check pings a grain)
    curl -fs -m 5 "$API/health/ready" >/dev/null 2>&1 && break; sleep 0.25
  done
  sleep 10; load_stop
  drill_analyse
  goal "service restored after the kill (ms)" "$(F .restored_after_fault_ms)" "<=" 60000
  goal "requests that hung 10 s (client time-outs)" "$(F .hangs_over_10s)" "==" 0
  common_goals
  drill_record all-silos "kill -9 of every silo under load, then all started again"
  wait_cluster_whole
fi

# --- Drill 4: an API host killed -------------------------------------------------------------------------------------
if want 4; then
  say "drill 4: kill -9 API host $API_HOSTS of $API_HOSTS (load 25 s, kill at 6 s)"
  load_start api-host-kill 25; sleep 6
  mark fault; kill -KILL "${API_PID[$API_HOSTS]}"
  load_wait
  drill_analyse $((API_HOSTS - 1))
  goal "failures of the other API hosts after the kill" "$(F '[.per_host | to_entries[] | select(.key != "'$((API_HOSTS - 1))'") | .value.failed_after_fault] | add // 0')" "==" 0
  goal "issuances acknowledged by the killed host" "$(B ".acknowledged_by_host[\"$((API_HOSTS - 1))\"] // 0")" ">=" 1
  common_goals
  drill_record api-host-kill "kill -9 of one of $API_HOSTS API hosts; the clients move to the others"
  say "restarting API host $API_HOSTS"; relaunch api "$API_HOSTS"
  for _ in $(seq 1 240); do curl -fs "http://127.0.0.1:$((API_PORT + API_HOSTS - 1))/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
fi

# --- Drill 5: a backup taken during the load (deploy/backup.sh and deploy/verify-restore.sh) --------------------------
drill_backup() {
  if [ ! -x "$ROOT/deploy/backup.sh" ] || [ ! -x "$ROOT/deploy/verify-restore.sh" ]; then
    say "drill 5: skipped, deploy/backup.sh or deploy/verify-restore.sh is not in this tree"
    jq -nc '{drill: "backup", what: "a backup taken during the load, restore verified", met: null, skipped: "deploy/backup.sh or deploy/verify-restore.sh not present"}' >>"$RESULTS"
    return 0
  fi
  say "drill 5: deploy/backup.sh during the load, then deploy/verify-restore.sh (load 40 s, backup from 6 s)"
  load_start backup 40; sleep 6
  mark fault
  local backup_rc=0 verify_rc=0
  "$ROOT/deploy/backup.sh" --out "$WORK/backup-set" >"$WORK/backup.log" 2>&1 || backup_rc=$?
  mark back
  load_wait
  "$ROOT/deploy/verify-restore.sh" --backup "$WORK/backup-set" >"$WORK/verify-restore.log" 2>&1 || verify_rc=$?
  drill_analyse
  goal "deploy/backup.sh exit status" "$backup_rc" "==" 0
  goal "deploy/verify-restore.sh exit status" "$verify_rc" "==" 0
  goal "failed attempts during the backup" "$(F .failures)" "==" 0
  common_goals
  drill_record backup "deploy/backup.sh --out DIR under load, then deploy/verify-restore.sh --backup DIR"
}
if want 5; then drill_backup; fi

# --- drills.json ---------------------------------------------------------------------------------------------------------
jq -s --arg at "$(date -u +%FT%TZ)" --argjson cores "$(nproc)" --argjson silos "$SILOS" --argjson hosts "$API_HOSTS" \
  '{run_at: $at, cores: $cores, silos: $silos, api_hosts: $hosts, load: "8 issuance clients (25/s in all, retried with the same Idempotency-Key) + 12 verification clients (100/s in all), 10 s client time-out", met: ([.[] | .met | select(. != null)] | all), drills: .}' \
  "$RESULTS" >"$OUT/drills.json"
say "figures in bench/results/drills.json; overall: $(jq -r 'if .met then "PASS" else "FAIL" end' "$OUT/drills.json") ($(( $(date +%s) - T0 )) s)"
exit "$FAILED"
