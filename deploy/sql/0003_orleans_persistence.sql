-- 0003_orleans_persistence.sql
-- Grain state for Microsoft.Orleans.Persistence.AdoNet 10.4.2 (invariant "Npgsql"). PostgreSQL 12 or later
-- (stored generated column).
--
-- Contract (read from the 10.4.2 provider, not from a script):
--   * Keys read at start: WriteToStorageKey, ReadFromStorageKey, ClearStorageKey (required) and DeleteStorageKey
--     (optional; needed only with AdoNetGrainStorageOptions.DeleteStateOnClear = true).
--   * Parameters, bound by name for every operation: GrainIdHash (integer), GrainIdN0 (bigint), GrainIdN1 (bigint),
--     GrainTypeHash (integer), GrainTypeString (text), GrainIdExtensionString (text, NULL when the key has no
--     string part), ServiceId (text); writes and clears add GrainStateVersion (integer, NULL when the grain holds
--     no etag); writes add PayloadBinary (bytea; the configured IGrainStorageSerializer output, UTF-8 JSON with
--     the System.Text.Json serializer). 10.4.2 binds no PayloadJson or PayloadXml parameter.
--   * GrainTypeString is NOT the grain class: it is the state name Orleans hands to the storage provider
--     ("state" for Grain<T>, the [PersistentState("name")] name otherwise). The grain key is reduced to
--     N0/N1/extension without the grain type. See README.md for what this means and how to scope it.
--   * Read returns zero or one row with columns PayloadBinary and Version. No row: no etag. A row whose payload
--     is NULL (cleared state) still carries its version, so the next write is an update.
--   * Write returns one row, one column NewGrainStateVersion: the new version on success; NULL on a conflict
--     (the provider then throws InconsistentStateException).
--   * Clear and delete return the new version as their first column, or no row on a conflict.
--
-- Safe to re-run: CREATE ... IF NOT EXISTS, CREATE OR REPLACE FUNCTION, and upserts into orleansquery.

CREATE TABLE IF NOT EXISTS orleansstorage
(
    serviceid              varchar(150) NOT NULL,
    graintypestring        varchar(512) NOT NULL,
    grainidn0              bigint       NOT NULL,
    grainidn1              bigint       NOT NULL,
    grainidextensionstring varchar(512) NULL,
    -- Never-NULL, one-to-one form of the extension (NULL -> '0', 'x' -> '1x'), so that the unique key treats
    -- "no extension" as one value and every lookup is a plain equality on the unique index.
    grainidextensionkey    text GENERATED ALWAYS AS
                               (CASE WHEN grainidextensionstring IS NULL THEN '0'
                                     ELSE '1' || grainidextensionstring END) STORED,
    grainidhash            integer      NOT NULL,
    graintypehash          integer      NOT NULL,
    payloadbinary          bytea        NULL,
    modifiedon             timestamptz  NOT NULL DEFAULT now(),
    version                integer      NOT NULL,

    -- One row per stored state. The identity is the service, the grain type string (the state name, or grain
    -- type plus state name when scoped, see README.md) and the grain key (N0, N1, extension). The hashes are
    -- derived from these columns and are deliberately not part of the identity.
    CONSTRAINT uq_orleansstorage_state
        UNIQUE (serviceid, graintypestring, grainidn0, grainidn1, grainidextensionkey)
);

-- Next version after v. Wraps to 1 instead of overflowing integer, so a frequently written grain never fails.
CREATE OR REPLACE FUNCTION orleans_storage_next_version(v integer)
RETURNS integer
LANGUAGE sql
IMMUTABLE
AS $fn$
    SELECT CASE WHEN v >= 2147483647 THEN 1 ELSE v + 1 END;
$fn$;

-- Write with optimistic concurrency:
--   p_version IS NULL     -> insert version 1, only if no row exists for this state (atomic through the unique
--                            constraint, so two racing first writes cannot both succeed);
--   p_version = version   -> update payload, version := next version;
--   anything else         -> nothing changes, returns NULL (conflict).
CREATE OR REPLACE FUNCTION orleans_storage_write(
    p_serviceid              text,
    p_graintypestring        text,
    p_grainidn0              bigint,
    p_grainidn1              bigint,
    p_grainidextensionstring text,
    p_grainidhash            integer,
    p_graintypehash          integer,
    p_version                integer,
    p_payloadbinary          bytea)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_new    integer;
    v_extkey text := CASE WHEN p_grainidextensionstring IS NULL THEN '0' ELSE '1' || p_grainidextensionstring END;
BEGIN
    IF p_version IS NULL THEN
        INSERT INTO orleansstorage
            (serviceid, graintypestring, grainidn0, grainidn1, grainidextensionstring,
             grainidhash, graintypehash, payloadbinary, modifiedon, version)
        VALUES
            (p_serviceid, p_graintypestring, p_grainidn0, p_grainidn1, p_grainidextensionstring,
             p_grainidhash, p_graintypehash, p_payloadbinary, now(), 1)
        ON CONFLICT ON CONSTRAINT uq_orleansstorage_state DO NOTHING
        RETURNING version INTO v_new;
    ELSE
        UPDATE orleansstorage
           SET payloadbinary = p_payloadbinary,
               grainidhash = p_grainidhash,
               graintypehash = p_graintypehash,
               modifiedon = now(),
               version = orleans_storage_next_version(version)
         WHERE serviceid = p_serviceid
           AND graintypestring = p_graintypestring
           AND grainidn0 = p_grainidn0
           AND grainidn1 = p_grainidn1
           AND grainidextensionkey = v_extkey
           AND version = p_version
        RETURNING version INTO v_new;
    END IF;

    RETURN v_new;  -- NULL when nothing was inserted or updated
END
$fn$;

INSERT INTO orleansquery (querykey, querytext) VALUES

('WriteToStorageKey', $sql$
SELECT orleans_storage_write(
    @ServiceId::text,
    @GrainTypeString::text,
    @GrainIdN0::bigint,
    @GrainIdN1::bigint,
    @GrainIdExtensionString::text,
    @GrainIdHash::integer,
    @GrainTypeHash::integer,
    @GrainStateVersion::integer,
    @PayloadBinary::bytea) AS newgrainstateversion;
$sql$),

-- Lookups are equality on all columns of uq_orleansstorage_state (an index scan for one row, also in generic
-- plans). GrainIdHash and GrainTypeHash are bound by the provider but deliberately not used here (Npgsql ignores
-- unreferenced parameters): the unique key finds the row exactly, and a changed hasher (for example
-- UseOrleans3CompatibleHasher) must not hide existing state.
('ReadFromStorageKey', $sql$
SELECT payloadbinary,
       version
  FROM orleansstorage
 WHERE serviceid = @ServiceId::text
   AND graintypestring = @GrainTypeString::text
   AND grainidn0 = @GrainIdN0::bigint
   AND grainidn1 = @GrainIdN1::bigint
   AND grainidextensionkey = CASE WHEN @GrainIdExtensionString::text IS NULL THEN '0'
                                  ELSE '1' || @GrainIdExtensionString::text END;
$sql$),

-- Clear keeps the row (tombstone: payload NULL) and bumps the version, so the grain keeps a valid etag.
('ClearStorageKey', $sql$
UPDATE orleansstorage
   SET payloadbinary = NULL,
       modifiedon = now(),
       version = orleans_storage_next_version(version)
 WHERE serviceid = @ServiceId::text
   AND graintypestring = @GrainTypeString::text
   AND grainidn0 = @GrainIdN0::bigint
   AND grainidn1 = @GrainIdN1::bigint
   AND grainidextensionkey = CASE WHEN @GrainIdExtensionString::text IS NULL THEN '0'
                                  ELSE '1' || @GrainIdExtensionString::text END
   AND version = @GrainStateVersion::integer
RETURNING version AS newgrainstateversion;
$sql$),

-- Used instead of ClearStorageKey when DeleteStateOnClear = true. Returns the version the row would have had
-- next (the provider treats a returned value equal to its etag as a conflict, then forgets the etag).
('DeleteStorageKey', $sql$
DELETE FROM orleansstorage
 WHERE serviceid = @ServiceId::text
   AND graintypestring = @GrainTypeString::text
   AND grainidn0 = @GrainIdN0::bigint
   AND grainidn1 = @GrainIdN1::bigint
   AND grainidextensionkey = CASE WHEN @GrainIdExtensionString::text IS NULL THEN '0'
                                  ELSE '1' || @GrainIdExtensionString::text END
   AND version = @GrainStateVersion::integer
RETURNING orleans_storage_next_version(version) AS newgrainstateversion;
$sql$)

ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
