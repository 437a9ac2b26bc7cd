-- Least privilege for the API host. Silos own the schema (they migrate it and write grain state and the read
-- model); the API host only reads, appends use records and appends audit records. Its login should be a member of
-- the group role ol_api_host (e.g. CREATE ROLE ol_api LOGIN IN ROLE ol_api_host), never the schema owner.
-- The role is created here when the migrating role may create roles; otherwise create it and run the grants by hand.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ol_api_host') THEN
        BEGIN
            CREATE ROLE ol_api_host NOLOGIN;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'role ol_api_host not created (no CREATEROLE); create it and grant its privileges by hand';
        WHEN duplicate_object OR unique_violation THEN
            NULL; -- another database's migration created it at the same moment (roles are cluster-wide)
        END;
    END IF;

    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ol_api_host') THEN
        -- Reads: read model, catalogue, certificates, membership (the Orleans client), use archive, audit.
        GRANT pg_read_all_data TO ol_api_host;
        -- Appends: use records, and audit records through the audit writer's own narrow privileges.
        GRANT INSERT ON license_uses TO ol_api_host;
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ol_audit_writer') THEN
            GRANT ol_audit_writer TO ol_api_host;
        END IF;
    END IF;
END $$;
