-- 0004_orleans_reminders.sql
-- Reminders for Microsoft.Orleans.Reminders.AdoNet 10.4.2 (invariant "Npgsql").
--
-- Contract (read from the 10.4.2 provider, not from a script):
--   * Required keys: ReadReminderRowsKey, ReadRangeRows1Key, ReadRangeRows2Key, ReadReminderRowKey,
--     UpsertReminderRowKey, DeleteReminderRowKey, DeleteReminderRowsKey.
--   * Parameters: ServiceId (text), GrainId (text, GrainId.ToString(), "type/key"), ReminderName (text),
--     StartTime (DateTime, Kind=Utc, sent as timestamptz), Period (milliseconds: integer when it fits in int32,
--     bigint otherwise), GrainHash, BeginHash, EndHash (the uint uniform hash cast to a signed integer),
--     Version (integer, parsed from the etag). 10.4.2 binds no cron, priority, action or due-time parameters.
--   * Result columns read by name: GrainId, ReminderName, StartTime, Period (integer or bigint), Version.
--     Upsert returns one row with column Version (the new etag); delete returns one value > 0 on success.
--   * Range queries: the provider picks ReadRangeRows1Key when (int)begin < (int)end, so range 1 is
--     begin < hash <= end, and range 2 (wrapped ring) is hash > begin OR hash <= end, both in signed order.
--
-- Safe to re-run: CREATE ... IF NOT EXISTS and upserts into orleansquery.

CREATE TABLE IF NOT EXISTS orleansreminderstable
(
    serviceid    varchar(150)   NOT NULL,
    grainid      varchar(512)   NOT NULL,
    remindername varchar(150)   NOT NULL,
    starttime    timestamptz(3) NOT NULL,
    period       bigint         NOT NULL,
    grainhash    integer        NOT NULL,
    version      integer        NOT NULL,

    CONSTRAINT pk_orleansreminderstable PRIMARY KEY (serviceid, grainid, remindername)
);

-- Range reads by the reminder service (each silo loads the reminders of its hash ring range).
CREATE INDEX IF NOT EXISTS ix_orleansreminderstable_grainhash
    ON orleansreminderstable (serviceid, grainhash);

INSERT INTO orleansquery (querykey, querytext) VALUES

-- Insert with version 0, or replace schedule and bump the version (wrapping instead of overflowing).
('UpsertReminderRowKey', $sql$
INSERT INTO orleansreminderstable AS r
    (serviceid, grainid, remindername, starttime, period, grainhash, version)
VALUES
    (@ServiceId::text, @GrainId::text, @ReminderName::text, @StartTime::timestamptz, @Period::bigint,
     @GrainHash::integer, 0)
ON CONFLICT (serviceid, grainid, remindername) DO UPDATE
   SET starttime = EXCLUDED.starttime,
       period = EXCLUDED.period,
       grainhash = EXCLUDED.grainhash,
       version = CASE WHEN r.version >= 2147483647 THEN 0 ELSE r.version + 1 END
RETURNING r.version AS version;
$sql$),

('ReadReminderRowsKey', $sql$
SELECT grainid,
       remindername,
       starttime,
       period,
       version
  FROM orleansreminderstable
 WHERE serviceid = @ServiceId::text
   AND grainid = @GrainId::text;
$sql$),

('ReadReminderRowKey', $sql$
SELECT grainid,
       remindername,
       starttime,
       period,
       version
  FROM orleansreminderstable
 WHERE serviceid = @ServiceId::text
   AND grainid = @GrainId::text
   AND remindername = @ReminderName::text;
$sql$),

('ReadRangeRows1Key', $sql$
SELECT grainid,
       remindername,
       starttime,
       period,
       version
  FROM orleansreminderstable
 WHERE serviceid = @ServiceId::text
   AND grainhash > @BeginHash::integer
   AND grainhash <= @EndHash::integer;
$sql$),

('ReadRangeRows2Key', $sql$
SELECT grainid,
       remindername,
       starttime,
       period,
       version
  FROM orleansreminderstable
 WHERE serviceid = @ServiceId::text
   AND (grainhash > @BeginHash::integer OR grainhash <= @EndHash::integer);
$sql$),

-- Deletes only if the etag still matches. 1 when deleted, 0 otherwise.
('DeleteReminderRowKey', $sql$
WITH deleted AS (
    DELETE FROM orleansreminderstable
     WHERE serviceid = @ServiceId::text
       AND grainid = @GrainId::text
       AND remindername = @ReminderName::text
       AND version = @Version::integer
    RETURNING 1
)
SELECT count(*)::integer AS deleted FROM deleted;
$sql$),

('DeleteReminderRowsKey', $sql$
DELETE FROM orleansreminderstable
 WHERE serviceid = @ServiceId::text;
$sql$)

ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
