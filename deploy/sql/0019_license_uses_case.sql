-- The case number (办件编号) and the officer (经办人) a hall's system gives with a verification, kept in the use
-- archive: the verifying unit reads them back and prints them on the archive copy; the holder sees the case number
-- and the officer's name masked (GET /api/me/usage).
ALTER TABLE license_uses ADD COLUMN IF NOT EXISTS case_number text;
ALTER TABLE license_uses ADD COLUMN IF NOT EXISTS operator_name text;
