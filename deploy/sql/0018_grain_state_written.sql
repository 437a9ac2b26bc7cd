-- A grain state write and the read-model rows it implies commit in one transaction (PlatformGrainStorage with
-- IReadModelProjector). The write's etag check must then fail the whole batch, not only return no row: this
-- function raises OL409 when the INSERT or UPDATE wrote nothing, which rolls back every statement of the batch.
CREATE OR REPLACE FUNCTION grain_state_written(written bigint, state_name text, grain_key text) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
    IF written IS NULL THEN
        RAISE EXCEPTION 'state % of % was written by another activation', state_name, grain_key USING ERRCODE = 'OL409';
    END IF;
    RETURN written;
END;
$$;
