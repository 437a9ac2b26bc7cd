#!/usr/bin/env bash
# Backs up the local platform's PostgreSQL (the one deploy/run.sh starts), while the platform keeps running:
#   * physical: pg_basebackup (plain format, WAL streamed, SHA-256 backup manifest), checked with pg_verifybackup;
#     with the continuous WAL archive that run.sh configures it restores to any later point (deploy/restore.sh);
#   * logical: pg_dump -Fc of the database plus the cluster's roles (pg_dumpall --roles-only, no passwords).
# Both are tied to one backup point: a snapshot exported by a temporary logical replication slot, whose
# consistent point is the exact WAL position of that snapshot. The per-table row counts and content hashes are
# computed in that snapshot and pg_dump reads the same snapshot, so figures, dump and the physical restore to
# that LSN are the same state. (Without wal_level=logical: pg_export_snapshot() in a REPEATABLE READ transaction —
# exact for the dump, approximate for the physical restore; the manifest says which.) Nothing here takes a lock that
# blocks the platform (pg_dump takes ACCESS SHARE locks; the slot waits for running transactions to end).
#
#   ./deploy/backup.sh [--out DIR] [--kind both|logical|physical] [--with-secrets]
#
# Prints DIR/manifest.json on success. --with-secrets also copies $OL_LOCAL_DIR/secrets.env into DIR/secrets/ —
# SECRET key material (Signing:KeyEncryptionKey, Audit:CheckpointKey, token keys): keep such a backup encrypted and
# apart from the database's administrators. Environment: OL_PG_PORT (55432), OL_LOCAL_DIR (.local), as run.sh.
set -euo pipefail
# shellcheck source=deploy/lib/pg-common.sh
source "$(dirname "$0")/lib/pg-common.sh"

OUT=""; KIND=both; WITH_SECRETS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --kind) KIND="$2"; shift 2 ;;
    --with-secrets) WITH_SECRETS=1; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
[[ "$KIND" =~ ^(both|logical|physical)$ ]] || die "--kind must be both, logical or physical"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="${OUT:-$LOCAL/backups/$STAMP}"
[ ! -e "$OUT" ] || [ -z "$(ls -A "$OUT" 2>/dev/null)" ] || die "$OUT exists and is not empty"
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
START=$(date +%s)
PSQL=(psql_at "$PG_PORT" -d "$DB")
"${PSQL[@]}" -c "SELECT 1" >/dev/null 2>&1 || die "no PostgreSQL answers on 127.0.0.1:$PG_PORT (start ./deploy/run.sh, or set OL_PG_PORT)"

WORK=$(mktemp -d); HOLDER_PID=""
cleanup() {
  exec 7>&- 2>/dev/null || true
  if [ -n "$HOLDER_PID" ]; then kill "$HOLDER_PID" 2>/dev/null || true; wait "$HOLDER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# 1. The audit anchor file as it is before the backup point: every checkpoint it names is in the backup.
ANCHOR_FILE="$LOCAL/audit-anchor.jsonl"
if [ -f "$ANCHOR_FILE" ]; then cp "$ANCHOR_FILE" "$OUT/audit-anchor.jsonl"; fi

# 2. Physical base backup (non-exclusive; an immediate checkpoint, then the files and the WAL written meanwhile).
BASE_LABEL="" ; ARCHIVE_MODE=$("${PSQL[@]}" -c "SHOW archive_mode"); WAL_LEVEL=$("${PSQL[@]}" -c "SHOW wal_level")
if [ "$KIND" != logical ]; then
  say "pg_basebackup -> $OUT/base"
  BASE_LABEL="ol-backup-$STAMP"
  "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres -D "$OUT/base" -Fp -X stream -c fast \
    --manifest-checksums=SHA256 -l "$BASE_LABEL" 2>"$WORK/basebackup.err" || { cat "$WORK/basebackup.err" >&2; die "pg_basebackup failed"; }
  say "pg_verifybackup $OUT/base"
  "$PG_BIN/pg_verifybackup" "$OUT/base" >"$OUT/pg_verifybackup.txt" 2>&1 || { cat "$OUT/pg_verifybackup.txt" >&2; die "pg_verifybackup failed"; }
  [ "$ARCHIVE_MODE" = on ] || echo "warning: archive_mode is $ARCHIVE_MODE: the base backup restores to its own end only, no point-in-time recovery" >&2
fi

# 3. The backup point: a session that holds an exported snapshot open until the dump has started reading it.
mkfifo "$WORK/in"
if [ "$WAL_LEVEL" = logical ]; then
  METHOD=replication-slot
  "$PG_BIN/psql" "host=127.0.0.1 port=$PG_PORT user=postgres dbname=$DB replication=database" -qtAX -v ON_ERROR_STOP=1 <"$WORK/in" >"$WORK/holder.out" 2>&1 &
  HOLDER_PID=$!; exec 7>"$WORK/in"
  echo "CREATE_REPLICATION_SLOT ol_backup_$$ TEMPORARY LOGICAL pgoutput (SNAPSHOT 'export') \\g $WORK/point" >&7
else
  METHOD=exported-snapshot
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$DB" -qtAX -v ON_ERROR_STOP=1 <"$WORK/in" >"$WORK/holder.out" 2>&1 &
  HOLDER_PID=$!; exec 7>"$WORK/in"
  printf "BEGIN ISOLATION LEVEL REPEATABLE READ;\nSELECT 'x', pg_current_wal_insert_lsn(), pg_export_snapshot() \\\\g %s\n" "$WORK/point" >&7
fi
for _ in $(seq 1 1200); do [ -s "$WORK/point" ] && break; kill -0 "$HOLDER_PID" 2>/dev/null || break; sleep 0.1; done
[ -s "$WORK/point" ] || { cat "$WORK/holder.out" >&2; die "could not take the backup snapshot within 120 s (long-running transactions?)"; }
POINT_TIME=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
IFS='|' read -r _ POINT_LSN SNAPSHOT _ <"$WORK/point"
say "backup point: LSN $POINT_LSN, snapshot $SNAPSHOT ($METHOD)"

# 4. Figures in that snapshot: per table, rows and ordered content hash.
in_snapshot() { printf '%s\nBEGIN ISOLATION LEVEL REPEATABLE READ;\nSET TRANSACTION SNAPSHOT %s;\n%s\nCOMMIT;\n' "$FIGURE_SETTINGS" "'$SNAPSHOT'" "$1"; }
in_snapshot "$FIGURE_QUERIES \\gexec" | "${PSQL[@]}" >"$WORK/figures.tsv"
in_snapshot "SELECT encode(sha256(certificate), 'hex') FROM published_certificates WHERE kind = 'root' AND is_current;" | "${PSQL[@]}" >"$WORK/root.txt"

# 5. Logical dump of the same snapshot, and the roles it grants to.
if [ "$KIND" != physical ]; then
  say "pg_dump -Fc --snapshot=$SNAPSHOT -> $OUT/logical.dump"
  "$PG_BIN/pg_dump" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$DB" -Fc --snapshot="$SNAPSHOT" -f "$OUT/logical.dump"
  "$PG_BIN/pg_dumpall" -h 127.0.0.1 -p "$PG_PORT" -U postgres --roles-only --no-role-passwords -f "$OUT/roles.sql"
fi
exec 7>&-; wait "$HOLDER_PID" 2>/dev/null || true; HOLDER_PID=""   # ends the session (a temporary slot goes with it)

# 6. A named restore point (for restore.sh --target-name; it lies just after the backup point, not exactly on it),
#    then a WAL switch so the segments up to both are archived before we say the backup is complete.
RESTORE_POINT="ol-backup-$STAMP"
RP_LSN=$("${PSQL[@]}" -c "SELECT pg_create_restore_point('$RESTORE_POINT')")
ARCHIVED=false
if [ "$ARCHIVE_MODE" = on ]; then
  NEED=$("${PSQL[@]}" -c "SELECT pg_walfile_name('$RP_LSN')")
  "${PSQL[@]}" -c "SELECT pg_switch_wal()" >/dev/null
  for _ in $(seq 1 600); do
    LAST=$("${PSQL[@]}" -c "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")
    if [ -n "$LAST" ] && [[ ! "$LAST" < "$NEED" ]]; then ARCHIVED=true; break; fi
    sleep 0.1
  done
  [ "$ARCHIVED" = true ] || die "WAL segment $NEED was not archived within 60 s (see pg_stat_archiver)"
fi

# 7. Key material, only when asked.
if [ "$WITH_SECRETS" -eq 1 ]; then
  [ -f "$LOCAL/secrets.env" ] || die "$LOCAL/secrets.env does not exist"
  (umask 077; mkdir -p "$OUT/secrets"; cp "$LOCAL/secrets.env" "$OUT/secrets/secrets.env")
  echo "SECRET: $OUT/secrets/secrets.env holds Signing:KeyEncryptionKey, Audit:CheckpointKey and the token keys — encrypt this backup, keep it from the DBAs" >&2
fi

# 8. Manifest: point, figures, file checksums.
checksums=$(cd "$OUT" && find . -maxdepth 1 -type f ! -name manifest.json -printf '%P\n' | sort | while read -r f; do printf '%s\t%s\n' "$f" "$(sha256sum "$f" | cut -d' ' -f1)"; done \
  | jq -R -s 'split("\n") | map(select(length > 0) | split("\t") | {key: .[0], value: .[1]}) | from_entries')
[ -f "$OUT/base/backup_manifest" ] && checksums=$(jq --arg h "$(sha256sum "$OUT/base/backup_manifest" | cut -d' ' -f1)" '. + {"base/backup_manifest": $h}' <<<"$checksums")
jq -n --arg created "$STAMP" --arg time "$POINT_TIME" --arg lsn "$POINT_LSN" --arg method "$METHOD" --arg kind "$KIND" \
  --arg rp "$RESTORE_POINT" --arg rplsn "$RP_LSN" --arg blabel "$BASE_LABEL" --arg root "$(cat "$WORK/root.txt")" \
  --arg archive "$ARCHIVE_MODE" --argjson archived "$ARCHIVED" --arg port "$PG_PORT" --arg db "$DB" \
  --arg version "$("${PSQL[@]}" -c "SHOW server_version_num")" --argjson secrets "$WITH_SECRETS" --argjson seconds $(( $(date +%s) - START )) \
  --argjson tables "$(figures_to_json <"$WORK/figures.tsv")" --argjson files "$checksums" '{
    format: "orleans-licenses-backup-v1", created: $created, kind: $kind, database: $db, sourcePort: ($port | tonumber),
    serverVersionNum: ($version | tonumber), seconds: $seconds,
    point: {time: $time, lsn: $lsn, method: $method,
            exactForPhysical: ($method == "replication-slot"),
            note: (if $method == "replication-slot" then "snapshot = every transaction committed before lsn; restore.sh --target-lsn <lsn> (exclusive) replays exactly those"
                   else "snapshot exact for the logical dump; the physical restore to lsn may differ by transactions committing around it" end)},
    restorePoint: {name: $rp, lsn: $rplsn, note: "created right after the backup point: transactions committed in between are included"},
    physical: (if $blabel == "" then null else {dir: "base", label: $blabel, verified: "pg_verifybackup", walArchive: ($archive == "on"), archivedThroughRestorePoint: $archived} end),
    logical: (if $kind == "physical" then null else {dump: "logical.dump", roles: "roles.sql (no passwords)"} end),
    rootCertificateSha256: $root,
    secretsIncluded: ($secrets == 1),
    keyMaterialToKeepSeparately: ["Signing:KeyEncryptionKey (OL_KEY_ENCRYPTION_KEY)", "Audit:CheckpointKey (OL_AUDIT_KEY) and Audit:PreviousCheckpointKeys", "Audit:AnchorFile (copied here as audit-anchor.jsonl as of the backup point; keep the live one off this machine)"],
    tables: $tables, files: $files}' >"$OUT/manifest.json"
say "backup complete in $(( $(date +%s) - START )) s: $(jq -r '[.tables[] | .rows] | add' "$OUT/manifest.json") rows in $(jq -r '.tables | length' "$OUT/manifest.json") tables"
echo "$OUT/manifest.json"
