-- Search indexes: every filter of GET /api/licenses with the page order (updated_at DESC), so a page of a large
-- result is read in index order and stops after the page instead of sorting every match.
CREATE INDEX IF NOT EXISTS licenses_holder_recent ON licenses (holder_id_number, updated_at DESC);
CREATE INDEX IF NOT EXISTS licenses_type_recent ON licenses (type_code, updated_at DESC);
CREATE INDEX IF NOT EXISTS licenses_issuer_recent ON licenses (issuer_code, updated_at DESC);
CREATE INDEX IF NOT EXISTS licenses_recent ON licenses (updated_at DESC);
DROP INDEX IF EXISTS licenses_holder;
DROP INDEX IF EXISTS licenses_type;

-- The licence store sends a change as one pipelined batch (one round trip, one implicit transaction). Its state
-- row statement calls this with whether the revision-checked write happened; raising rolls the whole change back.
CREATE OR REPLACE FUNCTION license_state_written(written boolean, license text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF NOT written THEN
        RAISE EXCEPTION 'licence % was written by another activation', license USING ERRCODE = 'OL409';
    END IF;
    RETURN true;
END
$$;
