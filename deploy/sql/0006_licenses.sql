-- Read model of licences: one row per licence (its current version), written after each grain write,
-- rebuildable from grain state. Answers lists, search and statistics; never the source of truth.
CREATE TABLE IF NOT EXISTS licenses (
    license_number     text         PRIMARY KEY,
    identifier         text         NOT NULL UNIQUE,
    version            char(3)      NOT NULL,
    type_code          varchar(21)  NOT NULL,
    issuer_code        varchar(18)  NOT NULL,
    region_code        char(6)      NOT NULL,
    holder_id_type     char(3)      NOT NULL,
    holder_id_number   varchar(18)  NOT NULL,
    status             text         NOT NULL,
    valid_from         date         NOT NULL,
    valid_until        date,
    issued_at          timestamptz  NOT NULL,
    updated_at         timestamptz  NOT NULL,
    revision           integer      NOT NULL
);
CREATE INDEX IF NOT EXISTS licenses_holder ON licenses (holder_id_type, holder_id_number);
CREATE INDEX IF NOT EXISTS licenses_issuer_type ON licenses (issuer_code, type_code);
CREATE INDEX IF NOT EXISTS licenses_type ON licenses (type_code);
CREATE INDEX IF NOT EXISTS licenses_status_until ON licenses (status, valid_until);
CREATE INDEX IF NOT EXISTS licenses_region ON licenses (region_code);
