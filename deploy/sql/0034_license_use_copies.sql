-- Printed archive copies (加注件, issue 16): one row per PDF copy the API host produced of a use record, with the
-- SHA-256 of the exact bytes it served, so a printed or forwarded copy can be checked later against the use archive
-- (the verification id is printed on the copy). Append-only for the API host: it never changes or removes a row.
CREATE TABLE IF NOT EXISTS license_use_copies (
    id               uuid         PRIMARY KEY,
    verification_id  uuid         NOT NULL REFERENCES license_uses (id),
    made_at          timestamptz  NOT NULL,
    client_id        text         NOT NULL,
    media_type       text         NOT NULL,
    sha256           char(64)     NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    bytes            integer      NOT NULL CHECK (bytes > 0)
);
CREATE INDEX IF NOT EXISTS license_use_copies_verification ON license_use_copies (verification_id);
CREATE INDEX IF NOT EXISTS license_use_copies_sha256 ON license_use_copies (sha256);

REVOKE ALL ON license_use_copies FROM PUBLIC;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ol_api_host') THEN
        GRANT SELECT, INSERT ON license_use_copies TO ol_api_host;
    END IF;
END $$;
