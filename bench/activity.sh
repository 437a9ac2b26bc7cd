#!/usr/bin/env bash
# Puts licences, use records, corrections and audit records into a running local platform (deploy/run.sh): issues
# N food licences with the demo Harbin issuer, verifies each once with the demo verifier (scope basis), changes
# every tenth, files a correction request (art. 15) on every tenth with the verifier and has the issuer resolve
# every second of those, and imports a few offline records (POST /api/imports). Used to give a backup/restore drill something to prove (deploy/verify-restore.sh); runs for at most
# OL_ACTIVITY_SECONDS (default 300) and stops early when done.
#
#   OL_API_URL=http://127.0.0.1:5000 OL_LOCAL_DIR=.local ./bench/activity.sh [N=50] [SERIAL_PREFIX=R]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
API="${OL_API_URL:-http://127.0.0.1:5000}"
LOCAL="${OL_LOCAL_DIR:-$ROOT/.local}"
N="${1:-50}"; PREFIX="${2:-R$(date -u +%H%M%S)}"
DEADLINE=$(( $(date +%s) + ${OL_ACTIVITY_SECONDS:-300} ))
[[ "$API" =~ ^http://127\.0\.0\.1: ]] || { echo "OL_API_URL must be on 127.0.0.1" >&2; exit 2; }
token() { curl -fsS -d grant_type=client_credentials -d "client_id=$1" --data-urlencode "client_secret=$2" "$API/api/auth/token" | jq -r .access_token; }
ISSUER=$(token demo-hrb-market-issuer "$(grep '^demo-hrb-market-issuer=' "$LOCAL/demo-clients.env" | cut -d= -f2-)")
VERIFIER=$(token demo-hrb-centre-verifier "$(grep '^demo-hrb-centre-verifier=' "$LOCAL/demo-clients.env" | cut -d= -f2-)")

# GB 32100 credit code of an enterprise in 230100 whose organisation-code body is the number n (as bench/lua/common.lua).
credit_code() {
  local alpha=0123456789ABCDEFGHJKLMNPQRTUWXY body s=0 i c org first k
  local -a ow=(3 7 9 10 5 8 4 2) cw=(1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28)
  body=$(printf '%08d' "$1")
  for i in $(seq 0 7); do s=$(( s + ${body:i:1} * ow[i] )); done
  c=$(( 11 - s % 11 )); if [ $c -eq 10 ]; then org=X; elif [ $c -eq 11 ]; then org=0; else org=$c; fi
  first="91230100$body$org"; s=0
  for i in $(seq 0 16); do k=${alpha%%"${first:i:1}"*}; s=$(( s + ${#k} * cw[i] )); done
  k=$(( (31 - s % 31) % 31 )); echo "$first${alpha:k:1}"
}

today=$(TZ=Asia/Shanghai date +%F); issued=0; verified=0; changed=0; corrections=0; resolved=0
base=$(( ($(date +%s) % 1000000 * 97 + $$ * 100003) % 90000000 ))   # distinct per run and per process
for n in $(seq 1 "$N"); do
  [ "$(date +%s)" -lt "$DEADLINE" ] || { echo "time is up" >&2; break; }
  cc=$(credit_code $(( (base + n) % 100000000 ))); serial="$PREFIX$(printf %05d "$n")"
  body=$(printf '{"typeCode":"11230000000000019J001","holder":{"idType":"001","idNumber":"%s","name":"恢复演练餐饮%d有限公司"},"fields":{"operatorName":"恢复演练餐饮%d有限公司","legalRepresentative":"张三","address":"哈尔滨市南岗区示例路%d号","category":"餐饮服务经营者"},"validFrom":"%s","serial":"%s"}' "$cc" "$n" "$n" "$n" "$today" "$serial")
  issued_view=$(curl -fsS -H "Authorization: Bearer $ISSUER" -H 'Content-Type: application/json' -H "Idempotency-Key: $serial" --data "$body" "$API/api/licenses") \
    || { echo "issuance $serial failed" >&2; exit 1; }
  id=$(jq -r .id <<<"$issued_view"); number=$(jq -r .licenseNumber <<<"$issued_view")
  issued=$((issued + 1))
  curl -fsS -o /dev/null -H "Authorization: Bearer $VERIFIER" -H 'Content-Type: application/json' \
    --data "{\"licenseId\":\"$id\",\"holder\":{\"idType\":\"001\",\"idNumber\":\"$cc\"},\"matterCode\":\"230100-FOOD-001\",\"purpose\":\"restore drill\"}" \
    "$API/api/verifications" && verified=$((verified + 1))
  if [ $((n % 10)) -eq 0 ]; then
    curl -fsS -o /dev/null -H "Authorization: Bearer $ISSUER" -H 'Content-Type: application/json' -H "Idempotency-Key: $serial-c" \
      --data '{"fields":{"address":"哈尔滨市道里区新址2号"},"reason":"经营场所变更"}' "$API/api/licenses/$number/changes" && changed=$((changed + 1))
  fi
  if [ $((n % 10)) -eq 5 ]; then
    correction=$(curl -fsS -H "Authorization: Bearer $VERIFIER" -H 'Content-Type: application/json' -H "Idempotency-Key: $serial-k" \
      --data "{\"licenseId\":\"$id\",\"fields\":{\"address\":\"哈尔滨市南岗区示例路${n}号之一\"},\"description\":\"门牌号有误\",\"cause\":\"data\"}" \
      "$API/api/corrections" | jq -r .id) && corrections=$((corrections + 1))
    if [ $((n % 20)) -eq 5 ] && [ -n "${correction:-}" ] && [ "$correction" != null ]; then
      curl -fsS -o /dev/null -H "Authorization: Bearer $ISSUER" -H 'Content-Type: application/json' -H "Idempotency-Key: $serial-r" \
        --data "{\"outcome\":\"corrected\",\"fields\":{\"address\":\"哈尔滨市南岗区示例路${n}号之一\"},\"reason\":\"核实门牌号，予以更正\"}" \
        "$API/api/corrections/$correction/resolve" && resolved=$((resolved + 1))
    fi
  fi
done

# An offline import (issue 11) of a few records, so the import tables hold something too.
IMPORTED=0; M=$(( N / 5 < 2 ? 2 : (N / 5 > 20 ? 20 : N / 5) ))
csv=$(mktemp); trap 'rm -f "$csv"' EXIT
echo "sourceId,holderIdType,holderIdNumber,holderName,validFrom,validUntil,operatorName,legalRepresentative,address,category" >"$csv"
for m in $(seq 1 "$M"); do
  cc=$(credit_code $(( (base + N + m) % 100000000 )))
  echo "$PREFIX-IMP-$m,001,$cc,离线导入餐饮${m}有限公司,$today,,离线导入餐饮${m}有限公司,李四,哈尔滨市香坊区示例街${m}号,餐饮服务经营者" >>"$csv"
done
import_id=$(curl -fsS -H "Authorization: Bearer $ISSUER" -H 'Content-Type: text/csv; charset=utf-8' --data-binary "@$csv" \
  "$API/api/imports?kind=offline&typeCode=11230000000000019J001" | jq -r .id) || import_id=""
if [ -n "$import_id" ] && [ "$import_id" != null ]; then
  for _ in $(seq 1 120); do
    state=$(curl -fsS -H "Authorization: Bearer $ISSUER" "$API/api/imports/$import_id" || true)
    [ "$(jq -r .status <<<"$state" 2>/dev/null)" = done ] && { IMPORTED=$(jq -r .accepted <<<"$state"); break; }
    sleep 0.5
  done
fi
echo "issued $issued, verified $verified, changed $changed, corrections filed $corrections (resolved $resolved), imported $IMPORTED of $M (serial prefix $PREFIX)"
