-- What a use handed over: 'verification' (a verification answer with the minimum necessary fields) or 'document'
-- (the whole signed document, to a verifier the holder authorized: GET /api/licenses/{id}/document). The holder sees
-- it in GET /api/me/usage; the verifying unit in its use record.
ALTER TABLE license_uses ADD COLUMN IF NOT EXISTS use_kind text NOT NULL DEFAULT 'verification'
    CHECK (use_kind IN ('verification', 'document'));
