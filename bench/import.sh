#!/usr/bin/env bash
# bench `import`: one offline import of ROWS food-licence records (CSV, a distinct holder each) through
# POST /api/imports, polled on GET /api/imports/{id} until done; prints rows/s (the import's own rate, from the
# start of processing to its end) and the ratio to sm2-platform x cores (goal >= 0.8), and checks that every
# accepted row has its licence in the read model.
#
# Sourced by bench/run.sh (which defines API, ADMIN, ISSUER, PSQL, WORK, SM2_PLAT, scenario, durability) and
# calls import_scenario. Alone, against a platform started with deploy/run.sh:
#   bench/import.sh --api http://127.0.0.1:5490 --local .local [--rows 100000] [--sm2 6047] [--pg-port 55490]
set -euo pipefail

# import_csv ROWS HOLDER_BASE SOURCE_PREFIX VALID_FROM > file: the header and ROWS records (GB 32100 holder codes).
import_csv() {
  awk -v rows="$1" -v base="$2" -v prefix="$3" -v from="$4" 'BEGIN {
    A = "0123456789ABCDEFGHJKLMNPQRTUWXY"; split("3 7 9 10 5 8 4 2", ow, " ")
    split("1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28", cw, " ")
    for (i = 1; i <= 31; i++) val[substr(A, i, 1)] = i - 1
    print "sourceId,holderIdType,holderIdNumber,holderName,validFrom,validUntil,operatorName,legalRepresentative,address,category"
    for (r = 0; r < rows; r++) {
      body = sprintf("%08d", base + r); s = 0
      for (i = 1; i <= 8; i++) s += substr(body, i, 1) * ow[i]
      c = 11 - s % 11; org = (c == 10) ? "X" : (c == 11 ? "0" : c)
      f = "91230100" body org; s = 0
      for (i = 1; i <= 17; i++) s += val[substr(f, i, 1)] * cw[i]
      k = (31 - s % 31) % 31
      printf "%s-%d,001,%s,基准导入餐饮%d有限公司,%s,,基准导入餐饮%d有限公司,张三,哈尔滨市南岗区示例路%d号,餐饮服务经营者\n", prefix, r, f substr(A, k + 1, 1), r, from, r, r
    } }'
}

# import_scenario ROWS: runs the scenario on the running platform and records it with `scenario`.
import_scenario() {
  local rows="$1" file="$WORK/import.csv" prefix="BIMP$RANDOM" cores; cores=$(nproc)
  import_csv "$rows" $((40000000 + (RANDOM % 40) * 500000)) "$prefix" "$(TZ=Asia/Shanghai date +%F)" >"$file"
  local answer id t0 progress status
  t0=$(date +%s.%N)
  answer=$(curl -fsS -H "Authorization: Bearer $ISSUER" -H 'Content-Type: text/csv' --data-binary "@$file" \
    "$API/api/imports?kind=offline&typeCode=11230000000000019J001")
  id=$(jq -r .id <<<"$answer")
  local upload; upload=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  for _ in $(seq 1 3600); do   # at most an hour
    progress=$(curl -fsS -H "Authorization: Bearer $ISSUER" "$API/api/imports/$id?pageSize=5")
    status=$(jq -r .status <<<"$progress")
    [ "$status" = done ] && break
    sleep 1
  done
  [ "$status" = done ] || { echo "import $id not done after an hour: $progress" >&2; return 1; }
  local rate accepted failed goal_base met
  rate=$(jq .rate <<<"$progress"); accepted=$(jq .accepted <<<"$progress"); failed=$(jq .failed <<<"$progress")
  goal_base=$(awk -v s="$SM2_PLAT" -v c="$cores" 'BEGIN { if (s == "null" || s == "") print "null"; else printf "%.1f", s * c }')
  met=$([ "$goal_base" = null ] && echo null || ratio_met "$rate" "$goal_base" 0.8)
  scenario import "$rate" "rows/s" "$goal_base" 0.8 "$met" \
    "{\"rows\":$rows,\"accepted\":$accepted,\"failed\":$failed,\"upload_seconds\":$upload,\"baseline_is\":\"sm2-platform x $cores cores\",\"first_errors\":$(jq -c .errors.items <<<"$progress")}"
  durability import "$accepted" "SELECT count(*) FROM licenses WHERE origin = 'offline' AND license_number IN (SELECT license_number FROM license_state WHERE state->>'SourceId' LIKE '$prefix-%')"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  ROOT=$(cd "$(dirname "$0")/.." && pwd)
  API=""; LOCAL=""; ROWS=100000; SM2_PLAT=null; PG_PORT=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --api) API="$2"; shift 2 ;;
      --local) LOCAL="$2"; shift 2 ;;
      --rows) ROWS="$2"; shift 2 ;;
      --sm2) SM2_PLAT="$2"; shift 2 ;;
      --pg-port) PG_PORT="$2"; shift 2 ;;
      -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
      *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
  done
  [ -n "$API" ] && [ -n "$LOCAL" ] || { echo "give --api and --local (the OL_LOCAL_DIR of deploy/run.sh)" >&2; exit 2; }
  [[ "$API" == http://127.0.0.1:* ]] || { echo "--api must be on 127.0.0.1" >&2; exit 2; }
  command -v jq >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >/dev/null; }
  WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
  source "$LOCAL/secrets.env"
  token() { curl -fsS -d grant_type=client_credentials -d "client_id=$1" --data-urlencode "client_secret=$2" "$API/api/auth/token" | jq -r .access_token; }
  ISSUER=$(token demo-hrb-market-issuer "$(sed -n 's/^demo-hrb-market-issuer=//p' "$LOCAL/demo-clients.env")")
  ratio_met() { awk -v v="$1" -v b="$2" -v g="$3" 'BEGIN { print (b > 0 && v / b >= g) ? "true" : "false" }'; }
  scenario() { printf '%-8s %s %s (baseline %s, goal %s x, met %s) %s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7"; }
  durability() {
    if [ -z "$PG_PORT" ]; then echo "durability not checked (no --pg-port)"; return 0; fi
    local rows; rows=$(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d orleans_licenses -qtAc "$3")
    echo "durability $1: accepted $2, licences $rows"; [ "$rows" -ge "$2" ]
  }
  import_scenario "$ROWS"
fi
