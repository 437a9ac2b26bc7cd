-- Presentation tokens are single-use by default and bound to the first unit that used them (issue 13): an accepted
-- verification on a token records the token's random id with its use, so a new activation of the licence can learn
-- the uses it did not see. Refused reuses are archived without it.
ALTER TABLE license_uses ADD COLUMN IF NOT EXISTS presentation_id text;
CREATE INDEX IF NOT EXISTS license_uses_presentation ON license_uses (presentation_id) WHERE presentation_id IS NOT NULL;
