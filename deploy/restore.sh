#!/usr/bin/env bash
# Restores a backup made by deploy/backup.sh into a FRESH PostgreSQL cluster (its own data directory and port,
# 127.0.0.1 only, run as the 'postgres' OS user when we are root) and leaves it running:
#   --kind logical    initdb, the roles (roles.sql), then pg_restore of logical.dump (the backup point exactly);
#   --kind physical   the base backup plus WAL from the archive (restore_command), then promotion, to
#                     --target-lsn LSN (replays the WAL strictly before LSN: with the manifest's point.lsn that is
#                     exactly the backup point), --target-time 'YYYY-MM-DD HH:MM:SS+00', --target-name <restore point>,
#                     or --latest (everything archived; the default).
#
#   ./deploy/restore.sh --backup DIR --data NEWDIR [--kind logical|physical] [--port P] [--wal-archive DIR]
#                       [--target-lsn LSN | --target-time TIME | --target-name NAME | --latest]
#
# --data must not exist; it becomes NEWDIR/data (so OL_LOCAL_DIR=<parent of NEWDIR> ./deploy/run.sh can run on it when
# NEWDIR is <local>/pg). --port: the first free port from P (default 55433). --wal-archive: the archive the source's
# run.sh fills ($OL_LOCAL_DIR/wal-archive). The restored cluster does not archive (it must never write into the
# source's archive). Prints "port=<port> data=<NEWDIR/data>"; stop it with pg_ctl -D NEWDIR/data stop.
set -euo pipefail
# shellcheck source=deploy/lib/pg-common.sh
source "$(dirname "$0")/lib/pg-common.sh"

BACKUP=""; DATA_PARENT=""; KIND=logical; PORT=55433; ARCHIVE="$LOCAL/wal-archive"; TARGET="latest"; TARGET_VALUE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --backup) BACKUP="$2"; shift 2 ;;
    --data) DATA_PARENT="$2"; shift 2 ;;
    --kind) KIND="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --wal-archive) ARCHIVE="$2"; shift 2 ;;
    --target-lsn) TARGET="lsn"; TARGET_VALUE="$2"; shift 2 ;;
    --target-time) TARGET="time"; TARGET_VALUE="$2"; shift 2 ;;
    --target-name) TARGET="name"; TARGET_VALUE="$2"; shift 2 ;;
    --latest) TARGET="latest"; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
[ -f "$BACKUP/manifest.json" ] || die "--backup DIR must hold a manifest.json written by deploy/backup.sh"
[ -n "$DATA_PARENT" ] || die "--data NEWDIR is required"
[ ! -e "$DATA_PARENT" ] || die "$DATA_PARENT exists: a restore goes into a fresh cluster"
[[ "$KIND" =~ ^(logical|physical)$ ]] || die "--kind must be logical or physical"
BACKUP=$(cd "$BACKUP" && pwd)
PORT=$(free_port "$PORT")
mkdir -p "$DATA_PARENT"; DATA_PARENT=$(cd "$DATA_PARENT" && pwd); DATA="$DATA_PARENT/data"
[ "$(id -u)" -eq 0 ] && chown "$PG_USER" "$DATA_PARENT"
LOG="$DATA_PARENT/server.log"

# The files must be the ones the manifest names.
while IFS=$'\t' read -r file sum; do
  [ -f "$BACKUP/$file" ] || continue
  [ "$(sha256sum "$BACKUP/$file" | cut -d' ' -f1)" = "$sum" ] || die "$BACKUP/$file does not match its checksum in manifest.json"
done < <(jq -r '.files | to_entries[] | "\(.key)\t\(.value)"' "$BACKUP/manifest.json")

start_pg() {
  as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t "${1:-60}" -o "-p $PORT -k $DATA_PARENT -c listen_addresses=127.0.0.1" start >/dev/null \
    || { tail -n 20 "$LOG" >&2; die "the restored PostgreSQL did not start"; }
}

if [ "$KIND" = logical ]; then
  [ -f "$BACKUP/logical.dump" ] || die "$BACKUP has no logical.dump"
  say "initdb $DATA and pg_restore $BACKUP/logical.dump (port $PORT)"
  as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --data-checksums >"$DATA_PARENT/initdb.log"
  start_pg
  # The roles the schema grants to (the bootstrap superuser exists already). Logins come without passwords.
  grep -v -E '^(CREATE|ALTER) ROLE postgres( |;)' "$BACKUP/roles.sql" | psql_at "$PORT" -d postgres >/dev/null
  psql_at "$PORT" -d postgres -c "CREATE DATABASE $DB" >/dev/null
  "$PG_BIN/pg_restore" -h 127.0.0.1 -p "$PORT" -U postgres -d "$DB" --exit-on-error "$BACKUP/logical.dump"
else
  [ -f "$BACKUP/base/backup_manifest" ] || die "$BACKUP has no physical base backup (base/)"
  say "copying the base backup to $DATA, recovery to $TARGET ${TARGET_VALUE} from $ARCHIVE (port $PORT)"
  cp -a "$BACKUP/base" "$DATA"
  [ "$(id -u)" -eq 0 ] && chown -R "$PG_USER" "$DATA"
  chmod 700 "$DATA"
  [ -d "$ARCHIVE" ] || die "no WAL archive at $ARCHIVE (--wal-archive)"
  {
    echo "# deploy/restore.sh: archive recovery; this cluster archives nothing (the archive is the source's)"
    echo "archive_mode = off"
    echo "restore_command = 'cp \"$ARCHIVE/%f\" \"%p\"'"
    echo "recovery_target_action = 'promote'"
    case "$TARGET" in
      lsn) echo "recovery_target_lsn = '$TARGET_VALUE'"; echo "recovery_target_inclusive = off" ;;
      time) echo "recovery_target_time = '$TARGET_VALUE'" ;;
      name) echo "recovery_target_name = '$TARGET_VALUE'" ;;
      latest) ;;
    esac
  } >"$DATA/archive.conf"
  grep -q "^include_if_exists = 'archive.conf'" "$DATA/postgresql.conf" || echo "include_if_exists = 'archive.conf'" >>"$DATA/postgresql.conf"
  as_pg touch "$DATA/recovery.signal"
  start_pg 300
  for _ in $(seq 1 3000); do
    [ "$(psql_at "$PORT" -d postgres -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ] && break
    as_pg "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1 || { tail -n 20 "$LOG" >&2; die "recovery stopped (target not reached, or WAL missing)"; }
    sleep 0.1
  done
  [ "$(psql_at "$PORT" -d postgres -c 'SELECT pg_is_in_recovery()')" = f ] || die "still in recovery after 300 s"
  # Say where recovery stopped (PostgreSQL's own words).
  grep -E "recovery stopping|redo done|archive recovery complete|selected new timeline" "$LOG" | tail -n 4 >&2 || true
fi
echo "port=$PORT data=$DATA"
