-- Audit trail (issue 6): append-only, hash-chained with SM3, periodically checkpointed with a keyed signature.
--
-- audit_records      one row per write attempt and its outcome, per read of personal data, per denied attempt.
--                    hash = SM3(prev_hash || canonical bytes of the row); the canonical encoding is documented in
--                    src/ApiHost/Audit/AuditChain.cs. seq is gap-free: 1, 2, 3, ...
-- audit_chain_head   one row: the last record's seq and hash. API hosts lock it (SELECT ... FOR UPDATE) to append
--                    a batch, so every host extends one chain.
-- audit_checkpoints  signed heads (HMAC-SM3 with Audit:CheckpointKey); they let the verifier detect a truncated
--                    tail and a chain rewritten before the checkpoint.
--
-- Privileges: the group role ol_audit_writer (created here when the migrating role may create roles) gets INSERT
-- and SELECT on records and checkpoints and SELECT/UPDATE on the head: never UPDATE, DELETE or TRUNCATE of audit
-- rows. Grant it to the API host's login role (GRANT ol_audit_writer TO <api login>). Triggers refuse UPDATE,
-- DELETE and TRUNCATE of audit rows for everybody, table owner included, and refuse a record that does not extend
-- the chain or a head that does not name the last record.

CREATE TABLE IF NOT EXISTS audit_records (
    seq             bigint       PRIMARY KEY CHECK (seq > 0),
    recorded_at     timestamptz  NOT NULL,
    request_id      text         NOT NULL,
    actor           text         NOT NULL,   -- client id, or holder idType:idNumber with natural persons' ids masked
    actor_ref       text,                    -- keyed SM3 of the unmasked subject, for lookups; never the id itself
    role            text,
    unit_code       text,
    client_address  text,
    kind            text         NOT NULL,   -- write | read | access | authentication
    action          text         NOT NULL,   -- endpoint name (IssueLicense, GetLicense, ...)
    resource        text         NOT NULL,   -- path and query, natural persons' ids masked
    outcome         text         NOT NULL,   -- attempted | succeeded | denied | not_found | rejected | failed
    status          integer,                 -- HTTP status of the answer (absent on attempt records)
    purpose         text,
    attempt_seq     bigint,                  -- on an outcome record: the seq of its attempt record
    prev_hash       bytea        NOT NULL CHECK (length(prev_hash) = 32),
    hash            bytea        NOT NULL CHECK (length(hash) = 32)
);
CREATE INDEX IF NOT EXISTS audit_records_time ON audit_records (recorded_at);
CREATE INDEX IF NOT EXISTS audit_records_actor ON audit_records (actor_ref, seq);
CREATE INDEX IF NOT EXISTS audit_records_action ON audit_records (action, seq);

CREATE TABLE IF NOT EXISTS audit_chain_head (
    id          boolean      PRIMARY KEY DEFAULT true CHECK (id),
    seq         bigint       NOT NULL CHECK (seq >= 0),
    hash        bytea        NOT NULL CHECK (length(hash) = 32),
    updated_at  timestamptz  NOT NULL DEFAULT now()
);
INSERT INTO audit_chain_head (id, seq, hash) VALUES (true, 0, decode(repeat('00', 32), 'hex'))
ON CONFLICT (id) DO NOTHING;

CREATE TABLE IF NOT EXISTS audit_checkpoints (
    seq         bigint       PRIMARY KEY CHECK (seq > 0),
    hash        bytea        NOT NULL CHECK (length(hash) = 32),
    created_at  timestamptz  NOT NULL,
    key_id      text         NOT NULL,
    mac         bytea        NOT NULL
);

-- UPDATE, DELETE and TRUNCATE of audit rows are refused whatever the privileges.
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % is refused: the audit trail is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

-- A record must extend the chain: seq follows the previous record and prev_hash is that record's hash.
-- (A row-level BEFORE trigger sees the rows inserted earlier by the same statement or transaction.)
CREATE OR REPLACE FUNCTION audit_check_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    expected bytea;
BEGIN
    IF NEW.seq = 1 THEN
        expected := decode(repeat('00', 32), 'hex');
    ELSE
        SELECT hash INTO expected FROM audit_records WHERE seq = NEW.seq - 1;
    END IF;
    IF expected IS NULL OR expected <> NEW.prev_hash THEN
        RAISE EXCEPTION 'audit record % does not extend the chain', NEW.seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;

-- The head only moves forward and always names the last record.
CREATE OR REPLACE FUNCTION audit_check_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq < OLD.seq THEN
        RAISE EXCEPTION 'the audit chain head cannot move back (% -> %)', OLD.seq, NEW.seq
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.seq > 0 AND NOT EXISTS (SELECT 1 FROM audit_records WHERE seq = NEW.seq AND hash = NEW.hash) THEN
        RAISE EXCEPTION 'the audit chain head must name record % and its hash', NEW.seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM audit_records WHERE seq = NEW.seq + 1) THEN
        RAISE EXCEPTION 'the audit chain head must name the last record'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS audit_records_no_change ON audit_records;
CREATE TRIGGER audit_records_no_change BEFORE UPDATE OR DELETE ON audit_records
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
DROP TRIGGER IF EXISTS audit_records_no_truncate ON audit_records;
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
DROP TRIGGER IF EXISTS audit_records_link ON audit_records;
CREATE TRIGGER audit_records_link BEFORE INSERT ON audit_records
    FOR EACH ROW EXECUTE FUNCTION audit_check_link();

DROP TRIGGER IF EXISTS audit_checkpoints_no_change ON audit_checkpoints;
CREATE TRIGGER audit_checkpoints_no_change BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
DROP TRIGGER IF EXISTS audit_checkpoints_no_truncate ON audit_checkpoints;
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

DROP TRIGGER IF EXISTS audit_chain_head_forward ON audit_chain_head;
CREATE TRIGGER audit_chain_head_forward BEFORE UPDATE ON audit_chain_head
    FOR EACH ROW EXECUTE FUNCTION audit_check_head();
DROP TRIGGER IF EXISTS audit_chain_head_no_delete ON audit_chain_head;
CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
DROP TRIGGER IF EXISTS audit_chain_head_no_truncate ON audit_chain_head;
CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

REVOKE ALL ON audit_records, audit_chain_head, audit_checkpoints FROM PUBLIC;

-- The writer role. Roles are cluster-wide: another database's migration may create it at the same moment, and a
-- migrating role without CREATEROLE leaves it to the operator (the grants below then wait for the role to exist:
-- create it and run the GRANT statements of this file by hand).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ol_audit_writer') THEN
        BEGIN
            CREATE ROLE ol_audit_writer NOLOGIN;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'role ol_audit_writer not created (no CREATEROLE); create it and grant the audit privileges by hand';
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ol_audit_writer') THEN
        GRANT SELECT, INSERT ON audit_records, audit_checkpoints TO ol_audit_writer;
        GRANT SELECT, UPDATE ON audit_chain_head TO ol_audit_writer;
        REVOKE UPDATE, DELETE, TRUNCATE ON audit_records, audit_checkpoints FROM ol_audit_writer;
        REVOKE INSERT, DELETE, TRUNCATE ON audit_chain_head FROM ol_audit_writer;
    END IF;
END
$$;
