-- The silos run as a login that owns nothing (issue 13): the schema owner applies the migrations
-- (ConnectionStrings:Migrations), and at run time a silo connects as a member of the group role ol_silo
-- (e.g. CREATE ROLE ol_silo_app LOGIN IN ROLE ol_silo). Owning a table is what lets a login switch its triggers
-- off, alter or drop it; a member of ol_silo can only read and write rows. On the audit tables it may append and
-- read — never update or delete — and the append-only triggers hold whatever it tries.
-- The role is created here when the migrating role may create roles; otherwise create it and run the grants by hand.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ol_silo') THEN
        BEGIN
            CREATE ROLE ol_silo NOLOGIN;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'role ol_silo not created (no CREATEROLE); create it and grant its privileges by hand';
        WHEN duplicate_object OR unique_violation THEN
            NULL; -- another database's migration created it at the same moment (roles are cluster-wide)
        END;
    END IF;

    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ol_silo') THEN
        GRANT USAGE ON SCHEMA public TO ol_silo;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ol_silo;
        GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ol_silo;
        -- Tables of later migrations (created by the same owner) come with the same row privileges.
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ol_silo;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ol_silo;
        -- The audit trail and the denial counts: append and read only. The migrations' own record: read only.
        REVOKE UPDATE, DELETE ON audit_records, audit_checkpoints, access_denials FROM ol_silo;
        REVOKE INSERT, UPDATE, DELETE ON audit_chain_head, audit_checkpoints FROM ol_silo; -- the API hosts extend and sign the main chain
        REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM ol_silo;
    END IF;
END $$;
