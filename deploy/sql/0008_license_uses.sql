-- Use archive (用证存档, art. 16): one row per verification, written (group-committed) before the
-- verification is answered. Append-only by the application; holders read their own by holder_key.
CREATE TABLE IF NOT EXISTS license_uses (
    id                  uuid         PRIMARY KEY,
    used_at             timestamptz  NOT NULL,
    unit_code           varchar(18)  NOT NULL,
    client_id           text         NOT NULL,
    matter_code         text         NOT NULL,
    purpose             text         NOT NULL,
    basis               text         NOT NULL,
    authorization_id    text,
    license_identifier  text         NOT NULL,
    license_version     char(3)      NOT NULL,
    document_hash       text         NOT NULL,
    holder_key          text         NOT NULL,
    valid               boolean      NOT NULL,
    status              text         NOT NULL,
    reasons             text[]       NOT NULL,
    disclosed           jsonb        NOT NULL,
    comparison          jsonb
);
CREATE INDEX IF NOT EXISTS license_uses_holder ON license_uses (holder_key, used_at DESC);
CREATE INDEX IF NOT EXISTS license_uses_unit ON license_uses (unit_code, used_at DESC);
