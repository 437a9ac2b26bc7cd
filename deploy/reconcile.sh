#!/usr/bin/env bash
# Compares this library's consistency digest of an issuer with the upper library's and pushes again only the licences
# that differ (the silo's 'reconcile' command: per-day SM3 Merkle sub-digests narrow the difference down to days, the
# leaves of those days to licences). Prints the JSON report; exit 0 when the digests are equal at the end.
#
#   ./deploy/reconcile.sh --issuer <credit code> [--from yyyy-MM-dd] [--to yyyy-MM-dd]
#
# Environment: the library's database, OL_PG_PORT (default 55432; a deploy/run.sh PostgreSQL), or
#   ConnectionStrings__Postgres; the upper library: OL_UPSTREAM_URL (or Upstream__BaseUrl), Upstream__ClientId
#   (default harbin-sync), Upstream__ClientSecret or Upstream__ClientSecretFile (default $OL_LOCAL_DIR/upstream-secret),
#   Upstream__SourceRegion (default 230100); OL_LOCAL_DIR (default .local); OL_SKIP_BUILD=1.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOCAL="${OL_LOCAL_DIR:-$ROOT/.local}"
export ConnectionStrings__Postgres="${ConnectionStrings__Postgres:-Host=127.0.0.1;Port=${OL_PG_PORT:-55432};Database=orleans_licenses;Username=postgres}"
export Upstream__BaseUrl="${Upstream__BaseUrl:-${OL_UPSTREAM_URL:?set OL_UPSTREAM_URL (or Upstream__BaseUrl) to the upper library}}"
export Upstream__ClientId="${Upstream__ClientId:-harbin-sync}"
export Upstream__SourceRegion="${Upstream__SourceRegion:-230100}"
if [ -z "${Upstream__ClientSecret:-}" ]; then export Upstream__ClientSecretFile="${Upstream__ClientSecretFile:-$LOCAL/upstream-secret}"; fi

SILO_DIR="$ROOT/src/Silo/bin/Release/net10.0"
if [ "${OL_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$SILO_DIR/OrleansLicenses.Silo.dll" ]; then
  dotnet build "$ROOT/src/Silo" -c Release -v q -nologo >/dev/null
fi
# Bounded: a reconciliation that cannot reach the upper library gives up after the client's timeouts.
cd "$SILO_DIR" && exec timeout 600 dotnet OrleansLicenses.Silo.dll reconcile "$@"
