-- Aggregation to the upper library (issue 11, sync part).
--
-- license_changes.snapshot  what an upper library needs besides the signed document to hold the licence exactly like
--                  the issuing library: the lifecycle after the change (status, validity, suspension, annotations,
--                  inspection), the issue time and the issuer's region, as JSON (written by LicenseStore in the
--                  licence's own transaction). NULL for rows written before this migration; the pusher then derives
--                  the lifecycle from the row's status and document.
-- sync_push_cursors  one row per feed partition of this library's pushers: the last change acknowledged by the
--                  upstream library. Pushers read the feed in (committed_xid, global_seq) order, only below
--                  pg_snapshot_xmin(pg_current_snapshot()): every row that can still commit has a transaction id at or
--                  above that bound, so a cursor on (committed_xid, global_seq) never passes a row that commits later.
--                  (A cursor on global_seq alone could: a transaction may draw a smaller global_seq and commit after
--                  a younger one.) The cursor moves only by compare-and-set, so a second activation of a pusher
--                  cannot move it backwards.
-- sync_batches     the receiving side's record of every batch applied, per (source client, batch id): a batch sent
--                  again is answered with the first result and applied no second time.
ALTER TABLE license_changes ADD COLUMN IF NOT EXISTS snapshot json;
CREATE INDEX IF NOT EXISTS license_changes_xid_seq ON license_changes (committed_xid, global_seq);
CREATE INDEX IF NOT EXISTS license_changes_number_seq ON license_changes (license_number, license_seq DESC);

CREATE TABLE IF NOT EXISTS sync_push_cursors (
    partition       integer      PRIMARY KEY CHECK (partition >= 0),
    last_xid        xid8         NOT NULL DEFAULT '0'::xid8,
    last_seq        bigint       NOT NULL DEFAULT 0,
    pushed          bigint       NOT NULL DEFAULT 0,
    updated_at      timestamptz  NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS sync_batches (
    source          text         NOT NULL,
    batch_id        text         NOT NULL,
    received_at     timestamptz  NOT NULL,
    result          json         NOT NULL,
    PRIMARY KEY (source, batch_id)
);

REVOKE ALL ON sync_push_cursors, sync_batches FROM PUBLIC;
