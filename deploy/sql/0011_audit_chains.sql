-- Audit chains per writer (issue "Hot paths"): the audit trail stays one tamper-evident history, but no single row
-- serializes the cluster. Chain 'main' is what existed before (the API hosts extend it through audit_chain_head);
-- every silo process appends the records it commits itself (a verification's audit record, in the same transaction
-- as its use record) to a chain of its own, registered in audit_chains with its own head. A silo chain's record 1
-- links to the chain's genesis hash SM3("OLCHAIN1" || chain id) (AuditChain.GenesisOf), so records cannot move
-- between chains. The checkpointer anchors every silo chain's head in the main chain (an 'anchor' record naming
-- chain, seq and hash), and the main chain is checkpointed with a keyed signature as before: a silo chain deleted,
-- truncated or rewritten before its last anchor is detected by the verifier.
ALTER TABLE audit_records ADD COLUMN IF NOT EXISTS chain_id text NOT NULL DEFAULT 'main';

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'audit_records_pkey'
               AND pg_get_constraintdef(oid) = 'PRIMARY KEY (seq)') THEN
        ALTER TABLE audit_records DROP CONSTRAINT audit_records_pkey;
        ALTER TABLE audit_records ADD CONSTRAINT audit_records_pkey PRIMARY KEY (chain_id, seq);
    END IF;
END $$;

CREATE TABLE IF NOT EXISTS audit_chains (
    chain_id    text         PRIMARY KEY CHECK (chain_id <> 'main'),
    writer      text         NOT NULL,   -- the silo that owns the chain (address and start time)
    genesis     bytea        NOT NULL CHECK (length(genesis) = 32),
    seq         bigint       NOT NULL CHECK (seq >= 0),
    hash        bytea        NOT NULL CHECK (length(hash) = 32),
    created_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at  timestamptz  NOT NULL DEFAULT now()
);

-- A record extends its own chain: seq follows the chain's previous record, prev_hash is that record's hash (or the
-- chain's genesis hash for record 1).
CREATE OR REPLACE FUNCTION audit_check_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    expected bytea;
BEGIN
    IF NEW.seq = 1 THEN
        IF NEW.chain_id = 'main' THEN
            expected := decode(repeat('00', 32), 'hex');
        ELSE
            SELECT genesis INTO expected FROM audit_chains WHERE chain_id = NEW.chain_id;
        END IF;
    ELSE
        SELECT hash INTO expected FROM audit_records WHERE chain_id = NEW.chain_id AND seq = NEW.seq - 1;
    END IF;
    IF expected IS NULL OR expected <> NEW.prev_hash THEN
        RAISE EXCEPTION 'audit record %/% does not extend the chain', NEW.chain_id, NEW.seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;

-- The main chain's head names the main chain's last record.
CREATE OR REPLACE FUNCTION audit_check_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq < OLD.seq THEN
        RAISE EXCEPTION 'the audit chain head cannot move back (% -> %)', OLD.seq, NEW.seq
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.seq > 0 AND NOT EXISTS (SELECT 1 FROM audit_records WHERE chain_id = 'main' AND seq = NEW.seq AND hash = NEW.hash) THEN
        RAISE EXCEPTION 'the audit chain head must name record % and its hash', NEW.seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM audit_records WHERE chain_id = 'main' AND seq = NEW.seq + 1) THEN
        RAISE EXCEPTION 'the audit chain head must name the last record'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;

-- A silo chain's head moves forward only, to its chain's last record; its genesis and owner never change.
CREATE OR REPLACE FUNCTION audit_check_chain_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq < OLD.seq OR NEW.genesis <> OLD.genesis OR NEW.chain_id <> OLD.chain_id OR NEW.writer <> OLD.writer THEN
        RAISE EXCEPTION 'audit chain % cannot move back or change its identity', OLD.chain_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.seq > 0 AND NOT EXISTS (SELECT 1 FROM audit_records WHERE chain_id = NEW.chain_id AND seq = NEW.seq AND hash = NEW.hash) THEN
        RAISE EXCEPTION 'the head of audit chain % must name record % and its hash', NEW.chain_id, NEW.seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM audit_records WHERE chain_id = NEW.chain_id AND seq = NEW.seq + 1) THEN
        RAISE EXCEPTION 'the head of audit chain % must name its last record', NEW.chain_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS audit_chains_forward ON audit_chains;
CREATE TRIGGER audit_chains_forward BEFORE UPDATE ON audit_chains
    FOR EACH ROW EXECUTE FUNCTION audit_check_chain_head();
DROP TRIGGER IF EXISTS audit_chains_no_delete ON audit_chains;
CREATE TRIGGER audit_chains_no_delete BEFORE DELETE ON audit_chains
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
DROP TRIGGER IF EXISTS audit_chains_no_truncate ON audit_chains;
CREATE TRIGGER audit_chains_no_truncate BEFORE TRUNCATE ON audit_chains
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

REVOKE ALL ON audit_chains FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ol_audit_writer') THEN
        GRANT SELECT ON audit_chains TO ol_audit_writer;
    END IF;
END $$;
