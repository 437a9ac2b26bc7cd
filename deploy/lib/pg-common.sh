# shellcheck shell=bash disable=SC2034
# Shared by deploy/backup.sh, restore.sh and verify-restore.sh (sourced): the PostgreSQL binaries, running them as
# the 'postgres' OS user when we are root (as deploy/run.sh does), and the per-table figures of a database.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LOCAL="${OL_LOCAL_DIR:-$ROOT/.local}"
PG_PORT="${OL_PG_PORT:-55432}"
DB=orleans_licenses

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { echo "$*" >&2; exit 1; }

find_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
PG_BIN=$(find_pg_bin)
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/pg_basebackup" ]; then
  [ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed (apt-get install postgresql)"
  say "PostgreSQL is not installed: installing it with apt"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  PG_BIN=$(find_pg_bin)
fi
for tool in jq sha256sum; do
  command -v "$tool" >/dev/null || { [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${tool/sha256sum/coreutils}" >/dev/null; }
done

if [ "$(id -u)" -eq 0 ]; then
  PG_USER=postgres
  id "$PG_USER" >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash "$PG_USER"
  as_pg() { runuser -u "$PG_USER" -- "$@"; }
else
  PG_USER=$(id -un)
  as_pg() { "$@"; }
fi

# psql_at PORT [psql args...]: superuser psql on 127.0.0.1, unaligned, tuples only.
psql_at() { local port="$1"; shift; "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -qtAX "$@"; }

# The session settings every figure is computed under (row text must not depend on the server's defaults).
FIGURE_SETTINGS="SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; SET bytea_output = 'hex';"

# The statement that lists, per ordinary table of the database (system schemas excluded), one SELECT giving
# "schema.table<TAB>row count<TAB>content hash": SHA-256 over the MD5 of every row's text form, in the order of
# those MD5s (an order that needs no key and no collation). Run it with \gexec inside the snapshot to be measured.
FIGURE_QUERIES=$(cat <<'SQL'
SELECT format($q$SELECT %L || E'\t' || count(*) || E'\t' || encode(sha256(convert_to(coalesce(string_agg(h, ',' ORDER BY h), ''), 'UTF8')), 'hex') FROM (SELECT md5(x::text) AS h FROM %s x) s$q$,
              n.nspname || '.' || c.relname, format('%I.%I', n.nspname, c.relname))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
ORDER BY n.nspname, c.relname
SQL
)

# figures_to_json < "table<TAB>rows<TAB>hash" lines  ->  {"schema.table": {"rows": n, "sha256": "…"}, …}
figures_to_json() { jq -R -s 'split("\n") | map(select(length > 0) | split("\t") | {key: .[0], value: {rows: (.[1] | tonumber), sha256: .[2]}}) | from_entries'; }

# free_port FROM: the first port from FROM upwards that nothing on 127.0.0.1 listens on.
free_port() { local p="$1"; while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done; echo "$p"; }
