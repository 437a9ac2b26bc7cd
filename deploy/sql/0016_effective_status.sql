-- license_effective_status: the status of a licence that counts on a given day, for the read model
-- (search by status, statistics). It is the SQL form of LicenseLifecycle.EffectiveStatus (src/Grains/Licenses),
-- the one rule the grains apply; EffectiveStatusTests compares the two over every stored status and every
-- position of the validity end and the suspension end relative to the day.
--   terminal or expired  -> as stored
--   valid_until < today  -> 'expired'   (validity and suspension ends are inclusive)
--   suspended, suspended_until < today -> 'valid'
--   otherwise            -> as stored
-- IMMUTABLE and a single SELECT, so the planner inlines it like the CASE expression it replaces.
CREATE OR REPLACE FUNCTION license_effective_status(status text, valid_until date, suspended_until date, today date)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN status IN ('valid', 'suspended') AND valid_until < today THEN 'expired'
        WHEN status = 'suspended' AND suspended_until < today THEN 'valid'
        ELSE status
    END
$$;
