-- 0002_orleans_clustering.sql
-- Cluster membership for Microsoft.Orleans.Clustering.AdoNet 10.4.2 (invariant "Npgsql").
--
-- Contract (read from the 10.4.2 provider, not from a script):
--   * Required keys: GatewaysQueryKey, MembershipReadRowKey, MembershipReadAllKey, InsertMembershipVersionKey,
--     UpdateIAmAlivetimeKey, InsertMembershipKey, UpdateMembershipKey, DeleteMembershipTableEntriesKey,
--     CleanupDefunctSiloEntriesKey. A missing one fails silo start ("Not all required queries found").
--   * Optional key: CleanupDefunctSiloEntryKey. When present, 10.4.2 cleans up by reading all rows and deleting,
--     one by one, Dead rows whose start, heartbeat and suspicion times are all older than the cut-off, each
--     delete guarded by the values it read. When absent it runs CleanupDefunctSiloEntriesKey instead.
--   * Parameters are bound by name with explicit DbTypes: strings as text, Address as text, Port, Generation,
--     Status, ProxyPort and Version as integer, StartTime and IAmAliveTime as DateTime (Kind=Utc), which
--     Npgsql sends as timestamptz. The 10.4.2 provider binds no MetadataJson parameter, and it binds no
--     SuspectTimes on insert, so no query here may name them there.
--   * Result columns are read by name: Address, Port, Generation, SiloName, HostName, Status, ProxyPort,
--     SuspectTimes, StartTime, IAmAliveTime, Version (ProxyPort must never be NULL). Single-value queries
--     (insert version row, insert row, update row) must return exactly one column whose value is > 0 on success.
--   * The table version (etag) is the integer in orleansmembershipversiontable.version; every insert or
--     update of a silo row must bump it atomically and only if it still equals the version the caller read.
--   * SiloStatus values: 3 = Active, 6 = Dead.
--
-- Safe to re-run: CREATE ... IF NOT EXISTS, CREATE OR REPLACE FUNCTION, and upserts into orleansquery.

-- One row per cluster (ClusterId is bound as DeploymentId): the membership table version.
CREATE TABLE IF NOT EXISTS orleansmembershipversiontable
(
    deploymentid varchar(150)   NOT NULL,
    timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    version      integer        NOT NULL DEFAULT 0,

    CONSTRAINT pk_orleansmembershipversiontable PRIMARY KEY (deploymentid)
);

-- One row per silo incarnation (address, port and generation identify it).
CREATE TABLE IF NOT EXISTS orleansmembershiptable
(
    deploymentid varchar(150)   NOT NULL,
    address      varchar(45)    NOT NULL,
    port         integer        NOT NULL,
    generation   integer        NOT NULL,
    siloname     varchar(150)   NOT NULL,
    hostname     varchar(150)   NOT NULL,
    status       integer        NOT NULL,
    proxyport    integer        NOT NULL DEFAULT 0,
    suspecttimes text           NULL,
    starttime    timestamptz(3) NOT NULL,
    iamalivetime timestamptz(3) NOT NULL,

    CONSTRAINT pk_orleansmembershiptable PRIMARY KEY (deploymentid, address, port, generation),
    CONSTRAINT fk_orleansmembershiptable_version FOREIGN KEY (deploymentid)
        REFERENCES orleansmembershipversiontable (deploymentid)
);

-- Insert a silo row, conditional on the table version.
-- The version row is updated first: its row lock serialises concurrent writers, and under READ COMMITTED a
-- writer that waited re-checks "version = p_version" against the committed row, so only one of two writers
-- holding the same version can succeed. If the silo row already exists the unique_violation aborts the inner
-- block, which also undoes the version bump. Returns 1 on success, 0 otherwise.
CREATE OR REPLACE FUNCTION orleans_membership_insert(
    p_deploymentid text,
    p_address      text,
    p_port         integer,
    p_generation   integer,
    p_siloname     text,
    p_hostname     text,
    p_status       integer,
    p_proxyport    integer,
    p_starttime    timestamptz,
    p_iamalivetime timestamptz,
    p_version      integer)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
BEGIN
    BEGIN
        UPDATE orleansmembershipversiontable
           SET version = version + 1,
               timestamp = now()
         WHERE deploymentid = p_deploymentid
           AND version = p_version;

        IF NOT FOUND THEN
            RETURN 0;
        END IF;

        INSERT INTO orleansmembershiptable
            (deploymentid, address, port, generation, siloname, hostname, status, proxyport,
             suspecttimes, starttime, iamalivetime)
        VALUES
            (p_deploymentid, p_address, p_port, p_generation, p_siloname, p_hostname, p_status,
             COALESCE(p_proxyport, 0), NULL, p_starttime, p_iamalivetime);

        RETURN 1;
    EXCEPTION
        WHEN unique_violation THEN
            RETURN 0;
    END;
END
$fn$;

-- Update a silo row, conditional on the table version. Same ordering as the insert; a missing silo row raises
-- no_data_found inside the block, which undoes the version bump. The heartbeat never moves backwards.
-- Returns 1 on success, 0 otherwise.
CREATE OR REPLACE FUNCTION orleans_membership_update(
    p_deploymentid text,
    p_address      text,
    p_port         integer,
    p_generation   integer,
    p_status       integer,
    p_suspecttimes text,
    p_iamalivetime timestamptz,
    p_version      integer)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
BEGIN
    BEGIN
        UPDATE orleansmembershipversiontable
           SET version = version + 1,
               timestamp = now()
         WHERE deploymentid = p_deploymentid
           AND version = p_version;

        IF NOT FOUND THEN
            RETURN 0;
        END IF;

        UPDATE orleansmembershiptable
           SET status = p_status,
               suspecttimes = p_suspecttimes,
               iamalivetime = GREATEST(iamalivetime, p_iamalivetime)
         WHERE deploymentid = p_deploymentid
           AND address = p_address
           AND port = p_port
           AND generation = p_generation;

        IF NOT FOUND THEN
            RAISE SQLSTATE 'P0002' USING MESSAGE = 'orleans_membership_update: no such silo row';
        END IF;

        RETURN 1;
    EXCEPTION
        WHEN no_data_found THEN
            RETURN 0;
    END;
END
$fn$;

INSERT INTO orleansquery (querykey, querytext) VALUES

-- Creates the version row for this cluster if missing. 1 when created, 0 when it already existed.
('InsertMembershipVersionKey', $sql$
WITH created AS (
    INSERT INTO orleansmembershipversiontable (deploymentid)
    VALUES (@DeploymentId)
    ON CONFLICT (deploymentid) DO NOTHING
    RETURNING 1
)
SELECT count(*)::integer AS created FROM created;
$sql$),

('InsertMembershipKey', $sql$
SELECT orleans_membership_insert(
    @DeploymentId::text,
    @Address::text,
    @Port::integer,
    @Generation::integer,
    @SiloName::text,
    @HostName::text,
    @Status::integer,
    @ProxyPort::integer,
    @StartTime::timestamptz,
    @IAmAliveTime::timestamptz,
    @Version::integer) AS succeeded;
$sql$),

('UpdateMembershipKey', $sql$
SELECT orleans_membership_update(
    @DeploymentId::text,
    @Address::text,
    @Port::integer,
    @Generation::integer,
    @Status::integer,
    @SuspectTimes::text,
    @IAmAliveTime::timestamptz,
    @Version::integer) AS succeeded;
$sql$),

-- Heartbeat: touches only this silo row, never the table version; never moves backwards.
('UpdateIAmAlivetimeKey', $sql$
UPDATE orleansmembershiptable
   SET iamalivetime = GREATEST(iamalivetime, @IAmAliveTime::timestamptz)
 WHERE deploymentid = @DeploymentId::text
   AND address = @Address::text
   AND port = @Port::integer
   AND generation = @Generation::integer;
$sql$),

-- The version row is always returned (LEFT JOIN), with NULL silo columns when the silo row does not exist.
('MembershipReadRowKey', $sql$
SELECT v.deploymentid,
       m.address,
       m.port,
       m.generation,
       m.siloname,
       m.hostname,
       m.status,
       m.proxyport,
       m.suspecttimes,
       m.starttime,
       m.iamalivetime,
       v.version
  FROM orleansmembershipversiontable v
  LEFT JOIN orleansmembershiptable m
         ON m.deploymentid = v.deploymentid
        AND m.address = @Address::text
        AND m.port = @Port::integer
        AND m.generation = @Generation::integer
 WHERE v.deploymentid = @DeploymentId::text;
$sql$),

('MembershipReadAllKey', $sql$
SELECT v.deploymentid,
       m.address,
       m.port,
       m.generation,
       m.siloname,
       m.hostname,
       m.status,
       m.proxyport,
       m.suspecttimes,
       m.starttime,
       m.iamalivetime,
       v.version
  FROM orleansmembershipversiontable v
  LEFT JOIN orleansmembershiptable m
         ON m.deploymentid = v.deploymentid
 WHERE v.deploymentid = @DeploymentId::text;
$sql$),

-- Gateways for clients: Active silos (Status is bound as 3) that expose a gateway port.
('GatewaysQueryKey', $sql$
SELECT address,
       proxyport,
       generation
  FROM orleansmembershiptable
 WHERE deploymentid = @DeploymentId::text
   AND status = @Status::integer
   AND proxyport > 0;
$sql$),

('DeleteMembershipTableEntriesKey', $sql$
DELETE FROM orleansmembershiptable WHERE deploymentid = @DeploymentId::text;
DELETE FROM orleansmembershipversiontable WHERE deploymentid = @DeploymentId::text;
$sql$),

-- Bulk cleanup, used by 10.4.2 only when CleanupDefunctSiloEntryKey is absent. Removes Dead rows only, and
-- only those that nobody suspected, whose start and last heartbeat are both older than the cut-off
-- (bound as IAmAliveTime). The table version is not changed: no live silo depends on a Dead row.
('CleanupDefunctSiloEntriesKey', $sql$
DELETE FROM orleansmembershiptable
 WHERE deploymentid = @DeploymentId::text
   AND status = 6
   AND iamalivetime < @IAmAliveTime::timestamptz
   AND starttime < @IAmAliveTime::timestamptz
   AND COALESCE(suspecttimes, '') = '';
$sql$),

-- Per-row cleanup (optional key). The provider has already checked the row is Dead and old enough; the delete
-- only goes through if the row still holds exactly the values it read, so a row that changed in between stays.
('CleanupDefunctSiloEntryKey', $sql$
DELETE FROM orleansmembershiptable
 WHERE deploymentid = @DeploymentId::text
   AND address = @Address::text
   AND port = @Port::integer
   AND generation = @Generation::integer
   AND status = 6
   AND starttime = @StartTime::timestamptz
   AND iamalivetime = @IAmAliveTime::timestamptz
   AND COALESCE(suspecttimes, '') = COALESCE(@SuspectTimes::text, '');
$sql$)

ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
