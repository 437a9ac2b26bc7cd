-- Bulk import of offline and legacy licences (issue 11, "Imports"): POST /api/imports streams the upload into
-- import_rows (one COPY, in the transaction that inserts its imports row, so an upload is all there or not there);
-- an import grain in the cluster issues the rows through the licence grains' issuance path and commits its progress
-- (the cursor processed_through, the counts and the chunk's per-row errors) in one transaction per chunk, so a
-- restarted silo resumes after the last committed chunk (re-issuing a row is idempotent).
--
-- imports        one upload: who (issuing unit, client), what (kind, type, format, encoding), progress.
-- import_rows    the upload's records as JSON objects (column -> text value), by physical line number; a record the
--                reader could not take apart carries problem_field/problem instead.
-- import_errors  per-row errors with line number and field name, in the order they were found.
-- licenses       gains the licence's origin (online | offline | legacy), the current version's identifier check
--                (ok | mismatch) and a legacy licence's own identifier (verbatim), by which it is looked up when
--                its check character is wrong.
ALTER TABLE licenses ADD COLUMN IF NOT EXISTS origin text NOT NULL DEFAULT 'online';
ALTER TABLE licenses ADD COLUMN IF NOT EXISTS identifier_check text NOT NULL DEFAULT 'ok';
ALTER TABLE licenses ADD COLUMN IF NOT EXISTS legacy_identifier text;
CREATE UNIQUE INDEX IF NOT EXISTS licenses_legacy_identifier ON licenses (legacy_identifier) WHERE legacy_identifier IS NOT NULL;

CREATE TABLE IF NOT EXISTS imports (
    id                 uuid         PRIMARY KEY,
    issuer_code        varchar(18)  NOT NULL,
    region_code        char(6),
    client_id          text         NOT NULL,
    kind               text         NOT NULL CHECK (kind IN ('offline', 'legacy')),
    type_code          varchar(21)  NOT NULL,
    format             text         NOT NULL,   -- csv | ndjson
    encoding           text         NOT NULL,   -- utf-8 | gb18030
    status             text         NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done')),
    total              integer      NOT NULL,
    last_line          integer      NOT NULL,   -- the highest line number of a record
    processed_through  integer      NOT NULL DEFAULT 0,   -- the cursor: every record up to this line is done
    done               integer      NOT NULL DEFAULT 0,   -- records processed (accepted or failed)
    failed             integer      NOT NULL DEFAULT 0,
    created_at         timestamptz  NOT NULL DEFAULT now(),
    started_at         timestamptz,
    finished_at        timestamptz,
    updated_at         timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS imports_issuer ON imports (issuer_code, created_at DESC);
CREATE INDEX IF NOT EXISTS imports_open ON imports (status) WHERE status <> 'done';

CREATE TABLE IF NOT EXISTS import_rows (
    import_id      uuid     NOT NULL,
    line           integer  NOT NULL,
    record         json,
    problem_field  text,
    problem        text,
    PRIMARY KEY (import_id, line)
);

CREATE TABLE IF NOT EXISTS import_errors (
    import_id  uuid     NOT NULL,
    line       integer  NOT NULL,
    field      text     NOT NULL,
    message    text     NOT NULL,
    PRIMARY KEY (import_id, line, field)
);

-- The API host stores an upload (INSERT) and reads progress (SELECT); everything else is the silos' (ol_silo has
-- row privileges on every table by default, 0025).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ol_api_host') THEN
        GRANT SELECT, INSERT ON imports, import_rows TO ol_api_host;
        GRANT SELECT ON import_errors TO ol_api_host;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ol_silo') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON imports, import_rows, import_errors TO ol_silo;
    END IF;
END $$;
