-- Read model of the catalogue, the units and the published certificates.
-- Written by the grains after their own state is committed; rebuildable from grain state.

CREATE TABLE IF NOT EXISTS catalog_types (
    type_code            varchar(21)  PRIMARY KEY,
    name                 text         NOT NULL,
    defining_authority   varchar(18)  NOT NULL,
    holder_category      text         NOT NULL,
    public_disclosure    boolean      NOT NULL,
    sensitivity          text         NOT NULL,
    multiple_instances   boolean      NOT NULL,
    catalog_version      integer      NOT NULL,
    definition           jsonb        NOT NULL,
    updated_at           timestamptz  NOT NULL
);
CREATE INDEX IF NOT EXISTS catalog_types_authority ON catalog_types (defining_authority);

CREATE TABLE IF NOT EXISTS units (
    unit_code            varchar(18)  PRIMARY KEY,
    name                 text         NOT NULL,
    region_code          char(6)      NOT NULL,
    level                text         NOT NULL,
    parent_unit_code     varchar(18),
    status               text         NOT NULL,
    revision             integer      NOT NULL,
    definition           jsonb        NOT NULL,
    updated_at           timestamptz  NOT NULL
);
CREATE INDEX IF NOT EXISTS units_region ON units (region_code);
CREATE INDEX IF NOT EXISTS units_parent ON units (parent_unit_code);

-- Every certificate ever issued stays here, so signatures made before a key rotation still verify.
CREATE TABLE IF NOT EXISTS published_certificates (
    serial_number        text         PRIMARY KEY,
    kind                 text         NOT NULL CHECK (kind IN ('root', 'unit')),
    unit_code            varchar(18),
    certificate          bytea        NOT NULL,
    not_before           timestamptz  NOT NULL,
    not_after            timestamptz  NOT NULL,
    is_current           boolean      NOT NULL,
    published_at         timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS published_certificates_unit ON published_certificates (unit_code);
