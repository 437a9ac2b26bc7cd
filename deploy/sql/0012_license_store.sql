-- One transaction per licence change (issue "Hot paths"): a licence grain commits its new state, its read-model
-- row (licenses) and its change-feed entry (license_changes) together, through LicenseStore
-- (src/Grains/Licenses/LicenseStore.cs). Licence state therefore lives in its own table instead of the generic
-- Orleans storage table; the other grains keep using orleansstorage.
--
-- license_state    the licence grain's state as JSON (System.Text.Json, the shape of LicenseState). revision counts
--                  the grain's writes; a write names the revision it read (optimistic concurrency), so a second
--                  activation of the same licence (possible for a moment during membership changes) cannot
--                  overwrite the first one's write: its UPDATE matches no row and it answers 409.
-- license_changes  the change feed: one row per change (issue, change, every status event and annotation), ordered
--                  per licence by license_seq (= the revision written) and globally by global_seq. Aggregation to
--                  the upper library, consistency digests and read-model rebuilds read it.
--                  global_seq comes from an identity sequence: numbers are handed out before commit, so a reader
--                  that follows global_seq must not read past rows that are still being committed. committed_xid
--                  is the writing transaction's id: a reader takes only rows whose transaction is older than every
--                  transaction still running (committed_xid < pg_snapshot_xmin(pg_current_snapshot())), and then
--                  cannot skip a row that commits later with a smaller global_seq.
CREATE TABLE IF NOT EXISTS license_state (
    license_number  text         PRIMARY KEY,
    revision        integer      NOT NULL CHECK (revision > 0),
    state           json         NOT NULL,   -- json, not jsonb: kept as written (field order of face data included)
    updated_at      timestamptz  NOT NULL
);

CREATE TABLE IF NOT EXISTS license_changes (
    global_seq      bigint       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    license_number  text         NOT NULL,
    license_seq     integer      NOT NULL CHECK (license_seq > 0),
    operation       text         NOT NULL,   -- issue | change | suspend | reinstate | ... (the event type)
    occurred_at     timestamptz  NOT NULL,
    actor           text         NOT NULL,
    identifier      text         NOT NULL,   -- the current version's identifier after the change
    version         char(3)      NOT NULL,
    type_code       varchar(21)  NOT NULL,
    issuer_code     varchar(18)  NOT NULL,
    region_code     char(6)      NOT NULL,
    status          text         NOT NULL,   -- lifecycle status after the change (expiry is applied on read)
    canonical       text         NOT NULL,   -- the signed document of the current version (RFC 8785 JSON)
    signature       bytea        NOT NULL,
    certificate     bytea        NOT NULL,
    committed_xid   xid8         NOT NULL DEFAULT pg_current_xact_id(),
    UNIQUE (license_number, license_seq)
);
CREATE INDEX IF NOT EXISTS license_changes_issuer ON license_changes (issuer_code, global_seq);
CREATE INDEX IF NOT EXISTS license_changes_xid ON license_changes (committed_xid);

-- Licences written by the previous version of the platform (grain state in orleansstorage, written by the ADO.NET
-- provider through GrainTypeScopedStorage: grain type 'license', state name 'license', key '~' + licence number,
-- JSON payload in payloadbinary). They move here once; the old rows stay untouched for a rollback.
INSERT INTO license_state (license_number, revision, state, updated_at)
SELECT substr(s.grainidextensionstring, 2),
       greatest(coalesce((convert_from(s.payloadbinary, 'UTF8')::json ->> 'Revision')::integer, 1), 1),
       convert_from(s.payloadbinary, 'UTF8')::json,
       s.modifiedon
FROM orleansstorage s
WHERE s.graintypestring = 'license/license' AND s.grainidextensionstring LIKE '~%' AND s.payloadbinary IS NOT NULL
ON CONFLICT (license_number) DO NOTHING;

-- The silos own these tables; the API host reads them (pg_read_all_data, 0010) and writes nothing here.
REVOKE ALL ON license_state, license_changes FROM PUBLIC;
