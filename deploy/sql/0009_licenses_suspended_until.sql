-- A suspension with an end date ends by itself on read; the read model needs that date to list and count such a
-- licence as valid again without waiting for its next event.
ALTER TABLE licenses ADD COLUMN IF NOT EXISTS suspended_until date;
