#!/usr/bin/env bash
# Runs OrleansLicenses locally: a project-local PostgreSQL (installed with apt if missing), the schema,
# N silos forming one cluster, the API host, and the demo data. Ctrl-C stops everything it started;
# running it again keeps the data (in .local/, git-ignored).
#
#   ./deploy/run.sh [--silos N] [--api-hosts N]
#
# --api-hosts N starts N API hosts on consecutive ports from OL_API_URL's (5000, 5001, ...), all clients of the one
# cluster; host 1 logs to api.log, host i to api-i.log.
#
# Environment: Bootstrap__AdminClientSecret (else one is generated once and kept in .local/secrets.env),
#              OL_PG_PORT (default 55432), OL_API_URL (default http://127.0.0.1:5000),
#              OL_LOCAL_DIR (default .local: PostgreSQL cluster, logs, secrets, demo client secrets, cluster TLS
#              certificates in tls/),
#              OL_SILO_PORT_BASE / OL_GATEWAY_PORT_BASE (defaults 11110 / 29999; silo i uses base + i),
#              OL_METRICS_PORT_BASE (default 9460; silo i serves Prometheus metrics on 127.0.0.1:base + i; 0 = off),
#              OL_SKIP_BUILD=1 (use the Release binaries already built).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SILOS=1
API_HOSTS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --silos) SILOS="$2"; shift 2 ;;
    --silos=*) SILOS="${1#*=}"; shift ;;
    --api-hosts) API_HOSTS="$2"; shift 2 ;;
    --api-hosts=*) API_HOSTS="${1#*=}"; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[[ "$SILOS" =~ ^[1-9][0-9]?$ ]] || { echo "--silos must be 1..99" >&2; exit 2; }
[[ "$API_HOSTS" =~ ^[1-9]$ ]] || { echo "--api-hosts must be 1..9" >&2; exit 2; }

LOCAL="${OL_LOCAL_DIR:-$ROOT/.local}"
PG_DIR="$LOCAL/pg"
PG_PORT="${OL_PG_PORT:-55432}"
API_URL="${OL_API_URL:-http://127.0.0.1:5000}"
LOGS="$LOCAL/logs"
DB=orleans_licenses
mkdir -p "$LOCAL" "$LOGS"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# --- PostgreSQL binaries -------------------------------------------------------------------------
find_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
PG_BIN=$(find_pg_bin)
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  say "PostgreSQL is not installed: installing it with apt"
  if [ "$(id -u)" -ne 0 ]; then echo "run as root, or install PostgreSQL first (apt-get install postgresql)" >&2; exit 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  PG_BIN=$(find_pg_bin)
fi

# The PDF archive copy (加注件) embeds a CJK TrueType font from Debian (src/ApiHost/Copies/CjkFontResolver.cs).
if [ ! -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] && [ ! -f /usr/share/fonts/truetype/arphic/uming.ttc ]; then
  if [ "$(id -u)" -eq 0 ]; then
    say "Installing the CJK font for PDF archive copies (fonts-wqy-zenhei) with apt"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-wqy-zenhei >/dev/null
  else
    echo "warning: no CJK TrueType font; PDF archive copies will fail until you apt-get install fonts-wqy-zenhei" >&2
  fi
fi

# PostgreSQL refuses to run as root: as root we run it as the 'postgres' OS user.
if [ "$(id -u)" -eq 0 ]; then
  PG_USER=postgres
  id "$PG_USER" >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash "$PG_USER"
  as_pg() { runuser -u "$PG_USER" -- "$@"; }
else
  PG_USER=$(id -un)
  as_pg() { "$@"; }
fi

if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
  say "Initialising a project-local PostgreSQL cluster in $PG_DIR"
  mkdir -p "$PG_DIR"
  [ "$(id -u)" -eq 0 ] && chown -R "$PG_USER" "$PG_DIR"
  # Data checksums: a torn or rotten page is reported as an error instead of being read as data.
  as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --data-checksums >"$LOGS/initdb.log"
fi
[ "$(id -u)" -eq 0 ] && chown "$PG_USER" "$PG_DIR" "$PG_DIR/data"
# WAL archiving for point-in-time recovery (deploy/backup.sh, deploy/restore.sh): every completed WAL segment is
# copied to $LOCAL/wal-archive. wal_level=logical lets backup.sh take its snapshot from a replication slot, which
# names the exact WAL position of that snapshot. Rewritten at every start, so the path follows OL_LOCAL_DIR.
WAL_ARCHIVE="$LOCAL/wal-archive"
mkdir -p "$WAL_ARCHIVE"; [ "$(id -u)" -eq 0 ] && chown "$PG_USER" "$WAL_ARCHIVE"
printf "wal_level = logical\narchive_mode = on\narchive_command = 'test ! -f \"%s/%%f\" && cp %%p \"%s/%%f.part\" && mv \"%s/%%f.part\" \"%s/%%f\"'\n" \
  "$WAL_ARCHIVE" "$WAL_ARCHIVE" "$WAL_ARCHIVE" "$WAL_ARCHIVE" >"$PG_DIR/data/archive.conf"
grep -q "^include_if_exists = 'archive.conf'" "$PG_DIR/data/postgresql.conf" || echo "include_if_exists = 'archive.conf'" >>"$PG_DIR/data/postgresql.conf"

STARTED_PG=0
if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
  if (exec 3<>"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null; then
    echo "Port $PG_PORT on 127.0.0.1 is taken by another server (not this project's PostgreSQL in $PG_DIR)." >&2
    echo "Stop it, or run with another port: OL_PG_PORT=<free port> ./deploy/run.sh" >&2
    exit 1
  fi
  say "Starting PostgreSQL on 127.0.0.1:$PG_PORT"
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null \
    || { echo "PostgreSQL did not start; its log says:" >&2; tail -n 20 "$PG_DIR/server.log" >&2; exit 1; }
  STARTED_PG=1
fi
PSQL=("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
if [ "$("${PSQL[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB" >/dev/null
fi
CONN="Host=127.0.0.1;Port=$PG_PORT;Database=$DB;Username=postgres"
# The API host logs in as ol_api, a member of the least-privileged ol_api_host role the migrations create.
API_CONN="Host=127.0.0.1;Port=$PG_PORT;Database=$DB;Username=ol_api"
# The silos migrate as the owner (postgres) and run as ol_silo_app, a member of ol_silo, which owns nothing
# (deploy/sql/0025_silo_runtime_role.sql grants it its rows); the group role exists before the first migration.
for role in "ol_silo NOLOGIN" "ol_silo_app LOGIN IN ROLE ol_silo"; do
  "${PSQL[@]}" -d postgres -c "DO \$\$ BEGIN CREATE ROLE $role; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" >/dev/null
done
SILO_CONN="Host=127.0.0.1;Port=$PG_PORT;Database=$DB;Username=ol_silo_app"

# --- Secrets, generated once and kept -------------------------------------------------------------
SECRETS="$LOCAL/secrets.env"
if [ ! -f "$SECRETS" ]; then
  umask 077
  {
    echo "OL_PLATFORM_KEY=$(head -c 32 /dev/urandom | base64 -w0)"
    echo "OL_PRESENTATION_KEY=$(head -c 32 /dev/urandom | base64 -w0)"
    echo "OL_KEY_ENCRYPTION_KEY=$(head -c 32 /dev/urandom | base64 -w0)"
    echo "OL_ADMIN_SECRET=$(head -c 24 /dev/urandom | base64 -w0 | tr '+/' '-_')"
  } >"$SECRETS"
fi
# shellcheck disable=SC1090
source "$SECRETS"
# The development holder-token minter's own EC key (a stand-in for the real-name platform; a Development host trusts
# it, a Production host refuses it). Kept, so holder tokens survive a restart.
DEV_HOLDER_KEY="$LOCAL/dev-holder-key.pem"
[ -f "$DEV_HOLDER_KEY" ] || (umask 077; openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out "$DEV_HOLDER_KEY")
ADMIN_SECRET="${Bootstrap__AdminClientSecret:-$OL_ADMIN_SECRET}"

# The cluster's mutual TLS (Orleans:Tls): a local cluster CA, one silo certificate (server + client authentication,
# every silo of this machine shares it) and one API-host client certificate, EC P-256, generated once and kept.
TLS="$LOCAL/tls"
if [ ! -f "$TLS/ca.crt" ] || [ ! -f "$TLS/silo.crt" ] || [ ! -f "$TLS/api-host.crt" ]; then
  say "Generating the local cluster CA and certificates in $TLS"
  rm -rf "$TLS"; mkdir -p "$TLS"
  (
    umask 077; cd "$TLS"
    new_key() { openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out "$1"; }
    new_key ca.key
    openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=OrleansLicenses local cluster CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.crt 2>/dev/null
    issue() { # name, extended key usages
      new_key "$1.key"
      openssl req -new -key "$1.key" -subj "/CN=OrleansLicenses $1" -out "$1.csr" 2>/dev/null
      printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' "$2" >"$1.ext"
      openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 825 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
      rm -f "$1.csr" "$1.ext"
    }
    issue silo serverAuth,clientAuth
    issue api-host clientAuth
  )
fi

# --- Build -------------------------------------------------------------------------------------
if [ "${OL_SKIP_BUILD:-0}" != 1 ]; then
  say "Building (Release)"
  dotnet build "$ROOT/src/ApiHost/ApiHost.csproj" -c Release -nologo -v q >"$LOGS/build-api.log" 2>&1 || { cat "$LOGS/build-api.log"; exit 1; }
  dotnet build "$ROOT/src/Silo/Silo.csproj" -c Release -nologo -v q >"$LOGS/build-silo.log" 2>&1 || { cat "$LOGS/build-silo.log"; exit 1; }
fi
SILO_DIR="$ROOT/src/Silo/bin/Release/net10.0"
API_DIR="$ROOT/src/ApiHost/bin/Release/net10.0"

# --- Processes ---------------------------------------------------------------------------------
# Each run is its own cluster deployment: a silo killed in an earlier run cannot delay this one.
CLUSTER_ID="local-$(date +%Y%m%d%H%M%S)"
PIDS=()
cleanup() {
  trap - INT TERM EXIT
  say "Stopping"
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$STARTED_PG" -eq 1 ]; then as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null || true; fi
}
trap cleanup INT TERM EXIT

export DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development
export ConnectionStrings__Postgres="$CONN" Orleans__ClusterId="$CLUSTER_ID" Orleans__Tls__CaCertificatePath="$TLS/ca.crt" Orleans__Kubernetes__Enabled=false
[ -n "${OL_KEY_ENCRYPTION_KEY:-}" ] || { echo "OL_KEY_ENCRYPTION_KEY=$(head -c 32 /dev/urandom | base64 -w0)" >>"$SECRETS"; source "$SECRETS"; }
[ -n "${OL_PRESENTATION_KEY:-}" ] || { echo "OL_PRESENTATION_KEY=$(head -c 32 /dev/urandom | base64 -w0)" >>"$SECRETS"; source "$SECRETS"; }
[ -n "${OL_AUDIT_KEY:-}" ] || { echo "OL_AUDIT_KEY=$(head -c 32 /dev/urandom | base64 -w0)" >>"$SECRETS"; source "$SECRETS"; }
SILO_PORT_BASE="${OL_SILO_PORT_BASE:-11110}"; GATEWAY_PORT_BASE="${OL_GATEWAY_PORT_BASE:-29999}"; METRICS_PORT_BASE="${OL_METRICS_PORT_BASE:-9460}"
for i in $(seq 1 "$SILOS"); do
  say "Starting silo $i of $SILOS (silo port $((SILO_PORT_BASE + i)), gateway $((GATEWAY_PORT_BASE + i)))"
  (cd "$SILO_DIR" && ConnectionStrings__Postgres="$SILO_CONN" ConnectionStrings__Migrations="$CONN" Signing__KeyEncryptionKey="$OL_KEY_ENCRYPTION_KEY" Orleans__Tls__CertificatePath="$TLS/silo.crt" Orleans__Tls__KeyPath="$TLS/silo.key" Orleans__SiloPort=$((SILO_PORT_BASE + i)) Orleans__GatewayPort=$((GATEWAY_PORT_BASE + i)) \
    Metrics__Port=$([ "$METRICS_PORT_BASE" -gt 0 ] && echo $((METRICS_PORT_BASE + i)) || echo 0) \
    exec dotnet OrleansLicenses.Silo.dll >"$LOGS/silo-$i.log" 2>&1) &
  PIDS+=($!)
  # The first silo applies the schema; later ones start once it is up.
  if [ "$i" -eq 1 ]; then
    for _ in $(seq 1 120); do grep -q "Application started\|Orleans Silo started\|Started silo" "$LOGS/silo-1.log" 2>/dev/null && break; sleep 0.5; done
  fi
done

# The migrations (applied by the first silo) created the ol_api_host role; give the API host its own login in it.
"${PSQL[@]}" -d "$DB" -c "DO \$\$ BEGIN CREATE ROLE ol_api LOGIN IN ROLE ol_api_host; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" >/dev/null

API_BASE_PORT="${API_URL##*:}"; API_BASE_PORT="${API_BASE_PORT%%/*}"
api_url() { echo "${API_URL%:*}:$((API_BASE_PORT + $1 - 1))"; } # host i (1-based)
for i in $(seq 1 "$API_HOSTS"); do
  url=$(api_url "$i"); log="$LOGS/api.log"; [ "$i" -gt 1 ] && log="$LOGS/api-$i.log"
  say "Starting API host $i of $API_HOSTS on $url"
  (cd "$API_DIR" && ConnectionStrings__Postgres="$API_CONN" Urls="$url" Orleans__Tls__CertificatePath="$TLS/api-host.crt" Orleans__Tls__KeyPath="$TLS/api-host.key" Presentations__SigningKey="$OL_PRESENTATION_KEY" Auth__SigningKey="$OL_PLATFORM_KEY" Auth__Holder__DevKeyPem="$(cat "$DEV_HOLDER_KEY")" \
    Bootstrap__AdminClientSecret="$ADMIN_SECRET" Audit__CheckpointKey="$OL_AUDIT_KEY" Audit__AnchorFile="$LOCAL/audit-anchor.jsonl" exec dotnet OrleansLicenses.ApiHost.dll >"$log" 2>&1) &
  PIDS+=($!)
done

for i in $(seq 1 "$API_HOSTS"); do
  url=$(api_url "$i")
  say "Waiting for $url/health/ready"
  for n in $(seq 1 240); do
    if curl -fs "$url/health/ready" >/dev/null 2>&1; then break; fi
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "a process exited early; see $LOGS" >&2; tail -n 30 "$LOGS"/*.log >&2; exit 1; }; done
    [ "$n" -eq 240 ] && { echo "not ready after 120 s; see $LOGS" >&2; exit 1; }
    sleep 0.5
  done
done

if [ -x "$ROOT/deploy/seed-demo.sh" ]; then
  say "Loading demo data"
  OL_API_URL="$API_URL" OL_ADMIN_SECRET="$ADMIN_SECRET" OL_CLIENTS_FILE="$LOCAL/demo-clients.env" "$ROOT/deploy/seed-demo.sh" >"$LOGS/seed.log" 2>&1 || { cat "$LOGS/seed.log"; exit 1; }
  cat "$LOGS/seed.log"
fi

cat <<INFO

OrleansLicenses is running ($SILOS silo(s), $API_HOSTS API host(s), cluster $CLUSTER_ID).
  API                 $API_URL$([ "$API_HOSTS" -gt 1 ] && echo " .. $(api_url "$API_HOSTS")")
  API reference       $API_URL/scalar
  OpenAPI document    $API_URL/openapi/v1.json
  Orleans dashboard   $API_URL/dashboard/   (admins; open from this machine in Development)
  Health              $API_URL/health/ready
  Metrics             GET $API_URL/api/admin/metrics (admins, Prometheus text); silo 1: http://127.0.0.1:$((METRICS_PORT_BASE + 1))/metrics (silo i on $METRICS_PORT_BASE + i)
  Audit trail         GET $API_URL/api/admin/audit/verify (admins), or from a shell:
                      source .local/secrets.env && dotnet $API_DIR/OrleansLicenses.ApiHost.dll audit-verify --connection '$CONN' --key "\$OL_AUDIT_KEY" --anchor .local/audit-anchor.jsonl
  Cluster TLS         mutual, certificates of the local cluster CA in $TLS
  PostgreSQL          127.0.0.1:$PG_PORT database $DB (user postgres, local trust auth)
  Logs                $LOGS

Pages (Chinese; no internet assets):
  Start page          $API_URL/
  Service hall        $API_URL/hall     sign in as demo-hrb-centre-verifier with its secret: $(sed -n 's/^demo-hrb-centre-verifier=//p' "$LOCAL/demo-clients.env" 2>/dev/null)
  Holder              $API_URL/me       development sign-in: 统一社会信用代码 91230102MA1B2C3D8J, 名称 哈尔滨示例餐饮有限公司
  Public              $API_URL/public
  Walk-through        /me 亮证 (purpose 办理食品经营许可变更) → /hall paste the code, 查验, 加注件（PDF） → /me 用证记录

Demo admin credentials (client-credentials grant):
  client_id=admin  client_secret=$ADMIN_SECRET
  curl -s -d grant_type=client_credentials -d client_id=admin -d client_secret='$ADMIN_SECRET' $API_URL/api/auth/token

Press Ctrl-C to stop.
INFO
wait "${PIDS[@]}"
