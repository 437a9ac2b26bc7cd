#!/usr/bin/env bash
# Two library deployments on one machine (issue 11): the Harbin city library (230100) and the provincial library,
# each a deploy/run.sh of its own (own PostgreSQL, database, silos, API host, ports, .local directory). The city
# pushes every licence change to the province: its silos get Upstream__* (the province's URL, the sync client
# 'harbin-sync' and a secret file), the province trusts the city's root certificate (Sync__TrustedRoots__0).
#
#   ./deploy/run-two-libraries.sh [--seconds N]     (default 3600; Ctrl-C stops both earlier)
#
# Order: the city starts first (its pushers wait: no secret yet, nothing is lost, the cursor stays); its root
# certificate is read from its database; the province starts trusting it; the province registers the sync client
# (or rotates its secret on a rerun) and the secret goes to the city's secret file, which the pushers read.
#
# Environment: OL_TWO_DIR (default .local/two: city/ and province/ inside), OL_SKIP_BUILD=1,
#   city:     OL_CITY_PG_PORT 55500, OL_CITY_API_URL http://127.0.0.1:5500, silo/gateway bases 11500 / 30500
#   province: OL_PROVINCE_PG_PORT 55510, OL_PROVINCE_API_URL http://127.0.0.1:5510, silo/gateway bases 11520 / 30520
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_TO_RUN=3600
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_TO_RUN="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[[ "$SECONDS_TO_RUN" =~ ^[1-9][0-9]*$ ]] || { echo "--seconds must be a positive number" >&2; exit 2; }

DIR="${OL_TWO_DIR:-$ROOT/.local/two}"
CITY_URL="${OL_CITY_API_URL:-http://127.0.0.1:5500}"
PROVINCE_URL="${OL_PROVINCE_API_URL:-http://127.0.0.1:5510}"
CITY_PG="${OL_CITY_PG_PORT:-55500}"
PROVINCE_PG="${OL_PROVINCE_PG_PORT:-55510}"
SECRET_FILE="$DIR/city/upstream-secret"
mkdir -p "$DIR/city" "$DIR/province"
command -v jq >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >/dev/null; }
command -v jq >/dev/null || { echo "jq is required" >&2; exit 1; }

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
PIDS=()
stop() {
  trap - INT TERM EXIT
  # Each run.sh stops its own silos, API host and PostgreSQL on TERM.
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop INT TERM EXIT

# Waits (bounded) until a run.sh log says its deployment is up (ready and seeded).
wait_up() {
  local log="$1" pid="$2"
  for _ in $(seq 1 600); do
    grep -q "Press Ctrl-C to stop." "$log" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { echo "deployment exited early; see $log" >&2; tail -n 30 "$log" >&2; exit 1; }
    sleep 0.5
  done
  echo "deployment not up after 300 s; see $log" >&2; exit 1
}

say "Starting the Harbin city library on $CITY_URL (log $DIR/city.log)"
rm -f "$SECRET_FILE"
OL_LOCAL_DIR="$DIR/city" OL_PG_PORT="$CITY_PG" OL_API_URL="$CITY_URL" OL_SILO_PORT_BASE=11500 OL_GATEWAY_PORT_BASE=30500 OL_METRICS_PORT_BASE=0 \
  Upstream__BaseUrl="$PROVINCE_URL/" Upstream__ClientId=harbin-sync Upstream__ClientSecretFile="$SECRET_FILE" Upstream__SourceRegion=230100 \
  "$ROOT/deploy/run.sh" >"$DIR/city.log" 2>&1 &
PIDS+=($!)
wait_up "$DIR/city.log" "${PIDS[0]}"

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
CITY_ROOT=$("$PG_BIN/psql" -h 127.0.0.1 -p "$CITY_PG" -U postgres -d orleans_licenses -qtA \
  -c "SELECT encode(certificate, 'base64') FROM published_certificates WHERE kind = 'root' AND is_current" | tr -d '\n')
[ -n "$CITY_ROOT" ] || { echo "the city library has no root certificate yet" >&2; exit 1; }

say "Starting the provincial library on $PROVINCE_URL, trusting the city's root (log $DIR/province.log)"
OL_SKIP_BUILD=1 OL_LOCAL_DIR="$DIR/province" OL_PG_PORT="$PROVINCE_PG" OL_API_URL="$PROVINCE_URL" OL_SILO_PORT_BASE=11520 OL_GATEWAY_PORT_BASE=30520 OL_METRICS_PORT_BASE=0 \
  Sync__TrustedRoots__0="$CITY_ROOT" "$ROOT/deploy/run.sh" >"$DIR/province.log" 2>&1 &
PIDS+=($!)
wait_up "$DIR/province.log" "${PIDS[1]}"

# shellcheck disable=SC1091
PROVINCE_ADMIN=$(source "$DIR/province/secrets.env" && echo "$OL_ADMIN_SECRET")
TOKEN=$(curl -fsS -d grant_type=client_credentials -d client_id=admin --data-urlencode "client_secret=$PROVINCE_ADMIN" "$PROVINCE_URL/api/auth/token" | jq -r .access_token)
say "Registering the sync client harbin-sync (region 230100) at the province"
ANSWER=$(curl -sS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"哈尔滨市电子证照库","role":"sync","regionCode":"230100","clientId":"harbin-sync"}' "$PROVINCE_URL/api/clients")
SECRET=$(jq -r '.clientSecret // empty' <<<"$ANSWER")
if [ -z "$SECRET" ]; then # registered by an earlier run: a new secret
  SECRET=$(curl -fsS -X POST -H "Authorization: Bearer $TOKEN" "$PROVINCE_URL/api/clients/harbin-sync/secret" | jq -r .clientSecret)
fi
umask 077; printf '%s' "$SECRET" >"$SECRET_FILE"

cat <<INFO

Two libraries are running (for at most $SECONDS_TO_RUN s; Ctrl-C stops both):
  Harbin city library   $CITY_URL      (admin secret in $DIR/city/secrets.env, demo clients in $DIR/city/demo-clients.env)
  provincial library    $PROVINCE_URL  (admin secret in $DIR/province/secrets.env)
  The city's silos push every licence change to the province (Upstream__*; secret in $SECRET_FILE).
  Compare digests:      GET /api/sync/digest?issuer=<credit code> on both (city: admin token; province: harbin-sync token)
  Reconcile:            OL_LOCAL_DIR=$DIR/city OL_PG_PORT=$CITY_PG OL_UPSTREAM_URL=$PROVINCE_URL ./deploy/reconcile.sh --issuer <credit code>
INFO
END=$((SECONDS + SECONDS_TO_RUN))
while [ "$SECONDS" -lt "$END" ]; do
  for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "a deployment stopped; see $DIR/*.log" >&2; exit 1; }; done
  sleep 1
done
