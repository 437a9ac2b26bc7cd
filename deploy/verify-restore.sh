#!/usr/bin/env bash
# Proves a backup made by deploy/backup.sh by restoring it into a fresh PostgreSQL cluster (deploy/restore.sh) and
# checking, on the restored database:
#   1. figures   every table's row count and ordered content hash equal the source's at the backup point (manifest);
#   2. audit     the audit chain verifies with its checkpoints and the anchor file copied at backup time
#                (ApiHost audit-verify, with Audit:CheckpointKey from secrets.env);
#   3. signatures every licence version verifies against its certificate chain, and the root is the manifest's
#                (Silo signatures-verify);
#   4. platform  deploy/run.sh starts a silo and the API host on the restored database, and they answer an offline
#                document check and a verifier's verification of a licence from the backup.
# Writes DIR/restore-report.{md,json} (and a copy to bench/results/restore-<kind>.{md,json}); exit 1 when any check fails.
#
#   ./deploy/verify-restore.sh --backup DIR [--kind logical|physical] [--port P] [--keep]
#                              [--target-lsn LSN | --target-name NAME | --target-time TIME | --latest]
#
# physical defaults to the manifest's exact point (--target-lsn point.lsn) when backup.sh took it from a replication
# slot, else to its named restore point; figures must be equal only for the logical dump and for --target-lsn point.lsn
# (for another target the tables that differ from the backup point are listed, not failed).
# Keys: DIR/secrets/secrets.env when backup.sh --with-secrets put it there, else $OL_LOCAL_DIR/secrets.env.
# Ports (first free from): PostgreSQL --port (55443), API OL_VERIFY_API_PORT (5201), silo/gateway
# OL_VERIFY_SILO_PORT_BASE / OL_VERIFY_GATEWAY_PORT_BASE (11320 / 30209). Bounded: about 5 minutes at most.
set -euo pipefail
# shellcheck source=deploy/lib/pg-common.sh
source "$(dirname "$0")/lib/pg-common.sh"

BACKUP=""; KIND=""; PORT=55443; KEEP=0; TARGET_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --backup) BACKUP="$2"; shift 2 ;;
    --kind) KIND="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --target-lsn|--target-name|--target-time) TARGET_ARGS=("$1" "$2"); shift 2 ;;
    --latest) TARGET_ARGS=(--latest); shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
MANIFEST="$BACKUP/manifest.json"
[ -f "$MANIFEST" ] || die "--backup DIR must hold a manifest.json written by deploy/backup.sh"
BACKUP=$(cd "$BACKUP" && pwd); MANIFEST="$BACKUP/manifest.json"
if [ -z "$KIND" ]; then if [ -f "$BACKUP/logical.dump" ]; then KIND=logical; else KIND=physical; fi; fi
[[ "$KIND" =~ ^(logical|physical)$ ]] || die "--kind must be logical or physical"
COMPARE_FIGURES=true
if [ "$KIND" = physical ] && [ ${#TARGET_ARGS[@]} -eq 0 ]; then
  if [ "$(jq -r .point.exactForPhysical "$MANIFEST")" = true ]; then TARGET_ARGS=(--target-lsn "$(jq -r .point.lsn "$MANIFEST")")
  else TARGET_ARGS=(--target-name "$(jq -r .restorePoint.name "$MANIFEST")"); fi
fi
# Only the backup point itself is the source's figures; any other target is restored and checked, its table
# differences from the backup point are listed but do not fail the check.
if [ "$KIND" = physical ] && { [ "${TARGET_ARGS[0]}" != --target-lsn ] || [ "${TARGET_ARGS[1]}" != "$(jq -r .point.lsn "$MANIFEST")" ]; }; then COMPARE_FIGURES=false; fi
SECRETS="$BACKUP/secrets/secrets.env"; [ -f "$SECRETS" ] || SECRETS="$LOCAL/secrets.env"
[ -f "$SECRETS" ] || die "no secrets.env (neither $BACKUP/secrets/ nor $LOCAL/): the audit checkpoint key is needed"
API_DIR="$ROOT/src/ApiHost/bin/Release/net10.0"; SILO_DIR="$ROOT/src/Silo/bin/Release/net10.0"
if [ ! -f "$API_DIR/OrleansLicenses.ApiHost.dll" ] || [ ! -f "$SILO_DIR/OrleansLicenses.Silo.dll" ]; then
  say "building (Release)"
  dotnet build "$ROOT/OrleansLicenses.sln" -c Release -nologo -v q >/dev/null
fi

STAMP=$(date -u +%Y%m%dT%H%M%SZ); START=$(date +%s)
RLOCAL="$LOCAL/restore/$KIND-$STAMP"; mkdir -p "$RLOCAL"
RUN_PID=""; RPORT=""
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$RUN_PID" ]; then
    kill -TERM "$RUN_PID" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$RUN_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$RUN_PID" 2>/dev/null || true
  fi
  if [ "$KEEP" -eq 0 ]; then
    [ -f "$RLOCAL/pg/data/PG_VERSION" ] && { as_pg "$PG_BIN/pg_ctl" -D "$RLOCAL/pg/data" -m fast -w stop >/dev/null 2>&1 || true; }
    rm -rf "$RLOCAL"
  fi
}
trap cleanup EXIT INT TERM

# --- Restore -----------------------------------------------------------------------------------------------
RESTORE_START=$(date +%s)
if ! "$ROOT/deploy/restore.sh" --backup "$BACKUP" --data "$RLOCAL/pg" --kind "$KIND" --port "$PORT" --wal-archive "$LOCAL/wal-archive" "${TARGET_ARGS[@]}" >"$RLOCAL/restore.out" 2>"$RLOCAL/restore.err"; then
  cat "$RLOCAL/restore.err" >&2
  jq -n --arg kind "$KIND" --arg at "$STAMP" --arg err "$(tail -n 20 "$RLOCAL/restore.err")" \
    '{format: "orleans-licenses-restore-report-v1", verifiedAt: $at, kind: $kind, ok: false, restoreFailed: $err}' >"$BACKUP/restore-report.json"
  printf '# Restore report (%s) — FAILED\n\nThe restore itself failed:\n\n```\n%s\n```\n' "$KIND" "$(tail -n 20 "$RLOCAL/restore.err")" >"$BACKUP/restore-report.md"
  die "restore failed; $BACKUP/restore-report.md"
fi
RESTORE_SECONDS=$(( $(date +%s) - RESTORE_START ))
RPORT=$(sed -n 's/^port=\([0-9]*\) .*/\1/p' "$RLOCAL/restore.out")
CONN="Host=127.0.0.1;Port=$RPORT;Database=$DB;Username=postgres"
say "restored ($KIND ${TARGET_ARGS[*]}) on 127.0.0.1:$RPORT in ${RESTORE_SECONDS}s"

# --- 1. Figures --------------------------------------------------------------------------------------------
{ echo "$FIGURE_SETTINGS"; echo "$FIGURE_QUERIES \\gexec"; } | psql_at "$RPORT" -d "$DB" | figures_to_json >"$RLOCAL/figures.json"
FIGURES=$(jq --slurpfile r "$RLOCAL/figures.json" --argjson compare "$COMPARE_FIGURES" '
  .tables as $s | $r[0] as $d | ([$s, $d] | map(keys) | add | unique) as $names
  | {compared: $compare, tables: ($names | length),
     mismatches: [$names[] | select($s[.] != $d[.]) | {table: ., source: $s[.], restored: $d[.]}],
     rows: {source: ([$s[].rows] | add), restored: ([$d[].rows] | add)},
     key: {licences: $d["public.license_state"].rows, versionsInFeed: $d["public.license_changes"].rows,
           useRecords: $d["public.license_uses"].rows, auditRecords: $d["public.audit_records"].rows,
           auditCheckpoints: $d["public.audit_checkpoints"].rows, corrections: ($d["public.corrections"].rows // 0),
           imports: ($d["public.imports"].rows // 0), importRows: ($d["public.import_rows"].rows // 0)}}
  | .ok = ((.compared | not) or (.mismatches | length == 0))' "$MANIFEST")
say "figures: $(jq -c '{ok, tables, rows, mismatches: (.mismatches | length)}' <<<"$FIGURES")"

# --- 2. Audit chain ------------------------------------------------------------------------------------------
AUDIT_KEY=$(sed -n 's/^OL_AUDIT_KEY=//p' "$SECRETS")
ANCHOR_ARGS=(); [ -f "$BACKUP/audit-anchor.jsonl" ] && ANCHOR_ARGS=(--anchor "$BACKUP/audit-anchor.jsonl")
set +e
AUDIT_JSON=$(cd "$API_DIR" && DOTNET_ENVIRONMENT=Production timeout 120 dotnet OrleansLicenses.ApiHost.dll audit-verify --connection "$CONN" --key "$AUDIT_KEY" "${ANCHOR_ARGS[@]}" --json 2>"$RLOCAL/audit.err")
AUDIT_RC=$?
SIG_JSON=$(cd "$SILO_DIR" && timeout 300 dotnet OrleansLicenses.Silo.dll signatures-verify --connection "$CONN" --json 2>"$RLOCAL/signatures.err")
SIG_RC=$?
set -e
jq -e . >/dev/null 2>&1 <<<"$AUDIT_JSON" || AUDIT_JSON="{\"error\": $(jq -Rs . <"$RLOCAL/audit.err")}"
jq -e . >/dev/null 2>&1 <<<"$SIG_JSON" || SIG_JSON="{\"error\": $(jq -Rs . <"$RLOCAL/signatures.err")}"
AUDIT=$(jq --argjson rc "$AUDIT_RC" '{ok: ($rc == 0), exitCode: $rc} + (del(.records) // {})' <<<"$AUDIT_JSON")
say "audit: $(jq -c '{ok, recordsChecked, headSeq, checkpoints, lastCheckpointSeq, firstBreak}' <<<"$AUDIT")"

# --- 3. Signatures -----------------------------------------------------------------------------------------
SIGNATURES=$(jq --argjson rc "$SIG_RC" --arg root "$(jq -r .rootCertificateSha256 "$MANIFEST")" \
  '. + {exitCode: $rc, rootMatchesManifest: (.rootSha256 == $root)} | .ok = ($rc == 0 and .rootMatchesManifest)' <<<"$SIG_JSON")
say "signatures: $(jq -c '{ok, licenses, versions, feedEntries, failureCount, rootMatchesManifest}' <<<"$SIGNATURES")"

# --- 4. The platform on the restored database --------------------------------------------------------------
API_PORT=$(free_port "${OL_VERIFY_API_PORT:-5201}"); API_URL="http://127.0.0.1:$API_PORT"
SILO_BASE=$(( $(free_port $(( ${OL_VERIFY_SILO_PORT_BASE:-11320} + 1 ))) - 1 ))
GW_BASE=$(( $(free_port $(( ${OL_VERIFY_GATEWAY_PORT_BASE:-30209} + 1 ))) - 1 ))
cp "$SECRETS" "$RLOCAL/secrets.env"; chmod 600 "$RLOCAL/secrets.env"
for f in demo-clients.env dev-holder-key.pem; do [ -f "$LOCAL/$f" ] && cp -p "$LOCAL/$f" "$RLOCAL/$f"; done
[ -d "$LOCAL/tls" ] && cp -rp "$LOCAL/tls" "$RLOCAL/tls"
[ -f "$BACKUP/audit-anchor.jsonl" ] && cp "$BACKUP/audit-anchor.jsonl" "$RLOCAL/audit-anchor.jsonl"
say "starting the platform on the restored database (API $API_URL)"
OL_METRICS_PORT_BASE=0 OL_LOCAL_DIR="$RLOCAL" OL_PG_PORT="$RPORT" OL_API_URL="$API_URL" OL_SILO_PORT_BASE="$SILO_BASE" OL_GATEWAY_PORT_BASE="$GW_BASE" OL_SKIP_BUILD=1 \
  setsid "$ROOT/deploy/run.sh" >"$RLOCAL/run.log" 2>&1 &
RUN_PID=$!
READY=false
for _ in $(seq 1 360); do
  grep -q "Press Ctrl-C" "$RLOCAL/run.log" 2>/dev/null && { READY=true; break; }
  kill -0 "$RUN_PID" 2>/dev/null || break
  sleep 0.5
done
PLATFORM='{"ok": false, "started": false}'
if [ "$READY" = true ]; then
  # A licence of the backup: the current version of the first licence (by number) that has a use record.
  read -r NUMBER HOLDER_TYPE HOLDER_ID < <(psql_at "$RPORT" -d "$DB" -F ' ' -c \
    "SELECT l.license_number, l.holder_id_type, l.holder_id_number FROM licenses l WHERE EXISTS (SELECT 1 FROM license_uses u WHERE strpos(u.license_identifier, l.license_number) > 0) ORDER BY l.license_number LIMIT 1") || true
  if [ -n "${NUMBER:-}" ]; then
    DOC=$(psql_at "$RPORT" -d "$DB" -c "SELECT json_build_object('canonical', v->>'Canonical', 'signature', v->>'Signature', 'certificate', v->>'Certificate')
      FROM license_state s, LATERAL (SELECT (s.state->'Versions')->(json_array_length(s.state->'Versions') - 1) AS v) x WHERE s.license_number = '$NUMBER'")
    IDENT=$(jq -r '.canonical | fromjson | .identifier' <<<"$DOC")
    DOC_ANSWER=$(curl -sS -m 10 -H 'Content-Type: application/json' --data "$DOC" "$API_URL/api/verifications/document" || echo '{}')
    VERIFY_ANSWER='{}'
    SECRET=$(sed -n 's/^demo-hrb-centre-verifier=//p' "$RLOCAL/demo-clients.env" 2>/dev/null || true)
    if [ -n "$SECRET" ]; then
      TOKEN=$(curl -sS -m 10 -d grant_type=client_credentials -d client_id=demo-hrb-centre-verifier --data-urlencode "client_secret=$SECRET" "$API_URL/api/auth/token" | jq -r .access_token)
      VERIFY_ANSWER=$(curl -sS -m 10 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        --data "{\"licenseId\":\"$IDENT\",\"holder\":{\"idType\":\"$HOLDER_TYPE\",\"idNumber\":\"$HOLDER_ID\"},\"matterCode\":\"230100-FOOD-001\",\"purpose\":\"restore verification\"}" \
        "$API_URL/api/verifications" || echo '{}')
    fi
    PLATFORM=$(jq -n --arg n "$NUMBER" --arg id "$IDENT" --argjson doc "$DOC_ANSWER" --argjson ver "$VERIFY_ANSWER" '{
      started: true, licenseNumber: $n, identifier: $id,
      documentCheck: {valid: $doc.valid, signatureValid: $doc.signatureValid, status: $doc.status, reasons: $doc.reasons},
      verification: (if $ver == {} then null else {valid: $ver.valid, status: $ver.status, reasons: $ver.reasons, verificationId: $ver.verificationId} end)}
      | .ok = (.documentCheck.valid == true and .documentCheck.signatureValid == true and (.verification == null or .verification.valid == true))')
  else
    PLATFORM='{"ok": false, "started": true, "error": "no licence with a use record in the restored database"}'
  fi
else
  PLATFORM=$(jq -n --arg log "$(tail -n 20 "$RLOCAL/run.log")" '{ok: false, started: false, log: $log}')
fi
say "platform: $(jq -c . <<<"$PLATFORM")"

# --- Report ------------------------------------------------------------------------------------------------
REPORT=$(jq -n --slurpfile m "$MANIFEST" --arg kind "$KIND" --arg target "${TARGET_ARGS[*]:-}" --arg at "$STAMP" \
  --argjson restoreSeconds "$RESTORE_SECONDS" --argjson seconds $(( $(date +%s) - START )) \
  --argjson figures "$FIGURES" --argjson audit "$AUDIT" --argjson signatures "$SIGNATURES" --argjson platform "$PLATFORM" '{
    format: "orleans-licenses-restore-report-v1", verifiedAt: $at, backup: $m[0].created, kind: $kind, target: $target,
    backupPoint: $m[0].point, restoreSeconds: $restoreSeconds, totalSeconds: $seconds,
    checks: {figures: $figures, audit: $audit, signatures: $signatures, platform: $platform}}
  | .ok = ([.checks[].ok] | all)')
echo "$REPORT" >"$BACKUP/restore-report.json"
jq -r '"# Restore report (\(.kind)) — \(if .ok then "PASSED" else "FAILED" end)\n",
  "Backup \(.backup), point \(.backupPoint.time) LSN \(.backupPoint.lsn) (\(.backupPoint.method)); restored \(.kind) \(.target) in \(.restoreSeconds) s; checked at \(.verifiedAt) (\(.totalSeconds) s in all).\n",
  "| Check | Result | Figures |", "|---|---|---|",
  "| Tables equal to the source at the backup point | \(if .checks.figures.compared then (if .checks.figures.ok then "pass" else "FAIL" end) else "not compared: target is not the backup point; \(.checks.figures.mismatches | length) tables differ from it" end) | \(.checks.figures.tables) tables, \(.checks.figures.rows.restored) rows (source \(.checks.figures.rows.source)); licences \(.checks.figures.key.licences), feed entries \(.checks.figures.key.versionsInFeed), use records \(.checks.figures.key.useRecords), audit records \(.checks.figures.key.auditRecords), checkpoints \(.checks.figures.key.auditCheckpoints), corrections \(.checks.figures.key.corrections), imports \(.checks.figures.key.imports) (\(.checks.figures.key.importRows) rows); mismatches \(.checks.figures.mismatches | length) |",
  "| Audit chain with checkpoints and anchor | \(if .checks.audit.ok then "pass" else "FAIL" end) | \(.checks.audit.recordsChecked // "-") records, head \(.checks.audit.headSeq // "-"), \(.checks.audit.checkpoints // "-") checkpoints\(if .checks.audit.firstBreak then ", first break: \(.checks.audit.firstBreak | tostring)" else "" end) |",
  "| Licence signatures against their chain | \(if .checks.signatures.ok then "pass" else "FAIL" end) | \(.checks.signatures.versions // "-") versions of \(.checks.signatures.licenses // "-") licences, \(.checks.signatures.feedEntries // "-") feed entries, \(.checks.signatures.failureCount // "-") failures; root \(.checks.signatures.rootSha256 // "-" | .[0:16])… \(if .checks.signatures.rootMatchesManifest then "= manifest" else "≠ manifest" end) |",
  "| Platform starts and verifies | \(if .checks.platform.ok then "pass" else "FAIL" end) | \(if .checks.platform.started then "licence \(.checks.platform.licenseNumber): document check valid=\(.checks.platform.documentCheck.valid), verification valid=\(.checks.platform.verification.valid // "-")" else "did not start" end) |"' \
  <<<"$REPORT" >"$BACKUP/restore-report.md"
mkdir -p "$ROOT/bench/results"
cp "$BACKUP/restore-report.json" "$ROOT/bench/results/restore-$KIND.json"; cp "$BACKUP/restore-report.md" "$ROOT/bench/results/restore-$KIND.md"
cat "$BACKUP/restore-report.md"
echo "$BACKUP/restore-report.json"
[ "$(jq -r .ok <<<"$REPORT")" = true ]
