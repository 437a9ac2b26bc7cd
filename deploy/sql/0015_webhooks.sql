-- Webhook delivery of notifications per unit, and evidence files of correction requests (issue 12).
--
-- unit_webhooks        one outside endpoint per unit: its URL and its shared secret, encrypted at rest (AES-256-GCM
--                      under Signing:KeyEncryptionKey, label webhook-secret:<unit code>; see WebhookSecrets). Written by
--                      the unit's IUnitWebhookGrain.
-- webhook_deliveries   the outbox: one row per notification of a unit that had a webhook when the notification was
--                      committed, inserted in the notification's own transaction (CorrectionStore), so a step is never
--                      committed without its delivery and a silo restart loses none. body is the exact JSON posted.
--                      The silos' WebhookDispatcher claims due rows (FOR UPDATE SKIP LOCKED plus a lease in
--                      locked_until, so two silos never post the same row at once), posts them and records the result:
--                      delivered, pending again with next_attempt_at moved by the backoff, or failed after the last
--                      attempt. Removing a unit's webhook cancels what is still pending for it.
-- correction_evidence  the optional evidence file of a correction request, committed with the request's filing.
CREATE TABLE IF NOT EXISTS unit_webhooks (
    unit_code       varchar(18)  PRIMARY KEY,
    url             text         NOT NULL,
    secret          bytea        NOT NULL,
    updated_at      timestamptz  NOT NULL
);

CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id              uuid         PRIMARY KEY,   -- the notification's id (also sent as X-OL-Delivery)
    unit_code       varchar(18)  NOT NULL,
    correction_id   text         NOT NULL,
    kind            text         NOT NULL,
    body            text         NOT NULL,
    status          text         NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
    attempts        integer      NOT NULL DEFAULT 0,
    next_attempt_at timestamptz  NOT NULL,
    locked_until    timestamptz,
    last_status     integer,                    -- the receiver's last HTTP status, null when it did not answer
    last_error      text,
    created_at      timestamptz  NOT NULL,
    completed_at    timestamptz
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS webhook_deliveries_unit ON webhook_deliveries (unit_code, created_at DESC);

CREATE TABLE IF NOT EXISTS correction_evidence (
    correction_id   text         PRIMARY KEY,
    file_name       text         NOT NULL,
    content_type    text         NOT NULL,
    content         bytea        NOT NULL,
    sha256          text         NOT NULL,
    created_at      timestamptz  NOT NULL
);

-- The silos own these tables; the API host reads them (pg_read_all_data, 0010) and writes nothing here.
REVOKE ALL ON unit_webhooks, webhook_deliveries, correction_evidence FROM PUBLIC;
