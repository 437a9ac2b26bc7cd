-- Correction requests (核查申请, measures art. 15; issue 12). A correction grain commits its new state
-- (correction_state, optimistic on the revision it read), its read-model row (corrections) and the notifications
-- of the step (notifications) in one transaction, through CorrectionStore (src/Grains/Corrections/CorrectionStore.cs).
--
-- correction_state  the grain's state as JSON (the shape of CorrectionState).
-- corrections       read model for lists and statistics: one row per request. due_at is the current stage's deadline
--                   (null once resolved); "overdue" is evaluated at query time against the caller's clock.
-- notifications     one row per recipient and step: recipient is holder:<idType:idNumber>, unit:<credit code> or
--                   operator. read_at is set through the recipient's inbox grain. An escalation is recorded at most
--                   once per request, stage and recipient (unique index), whatever happens to activations.
CREATE TABLE IF NOT EXISTS correction_state (
    correction_id   text         PRIMARY KEY,
    revision        integer      NOT NULL CHECK (revision > 0),
    state           json         NOT NULL,
    updated_at      timestamptz  NOT NULL
);

CREATE TABLE IF NOT EXISTS corrections (
    correction_id   text         PRIMARY KEY,
    license_number  text         NOT NULL,
    license_id      text         NOT NULL,
    issuer_code     varchar(18)  NOT NULL,
    requester       text         NOT NULL,   -- holder:<idType:idNumber> or unit:<credit code>
    requester_role  text         NOT NULL,
    cause           text         NOT NULL,
    status          text         NOT NULL,   -- open | resolved
    stage           text         NOT NULL,   -- issuer | operator | closing | done
    forwarded       boolean      NOT NULL,
    outcome         text,
    due_at          timestamptz,
    escalations     integer      NOT NULL,   -- stages escalated so far
    stage_escalated boolean      NOT NULL,   -- whether the current stage has been escalated (the start-up sweep skips it)
    created_at      timestamptz  NOT NULL,
    resolved_at     timestamptz,
    revision        integer      NOT NULL
);
CREATE INDEX IF NOT EXISTS corrections_issuer ON corrections (issuer_code, created_at DESC);
CREATE INDEX IF NOT EXISTS corrections_requester ON corrections (requester, created_at DESC);
CREATE INDEX IF NOT EXISTS corrections_open_due ON corrections (due_at) WHERE status = 'open';

CREATE TABLE IF NOT EXISTS notifications (
    id              uuid         PRIMARY KEY,
    recipient       text         NOT NULL,
    correction_id   text         NOT NULL,
    kind            text         NOT NULL,   -- filed | resolved | forwarded | closed | escalated
    stage           text         NOT NULL,   -- the stage the step happened at
    message         text         NOT NULL,
    created_at      timestamptz  NOT NULL,
    read_at         timestamptz
);
CREATE INDEX IF NOT EXISTS notifications_recipient ON notifications (recipient, created_at DESC);
CREATE UNIQUE INDEX IF NOT EXISTS notifications_one_escalation
    ON notifications (correction_id, stage, recipient) WHERE kind = 'escalated';

-- The silos own these tables; the API host reads them (pg_read_all_data, 0010) and writes nothing here.
REVOKE ALL ON correction_state, corrections, notifications FROM PUBLIC;
