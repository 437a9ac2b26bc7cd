-- The API host reads only what it serves (replaces the pg_read_all_data of 0010). Grain state (orleansstorage,
-- grain_states, license_state, correction_state), the change feed and reminders are the silos' alone: a leaked or
-- misused API-host login reads no client secret hashes, signing-key material or idempotency records.
-- A table added later is invisible to the API host until a migration grants it.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ol_api_host') THEN
        REVOKE pg_read_all_data FROM ol_api_host;
        -- The Orleans client: cluster membership and the ADO.NET provider's query table.
        GRANT SELECT ON orleansquery, orleansmembershiptable, orleansmembershipversiontable TO ol_api_host;
        -- Read model, catalogue, certificates, use archive, corrections, notifications, webhooks.
        GRANT SELECT ON licenses, catalog_types, units, published_certificates, license_uses, corrections, correction_evidence,
                        notifications, unit_webhooks, webhook_deliveries TO ol_api_host;
        -- The audit trail: read for queries and verification (appends go through ol_audit_writer).
        GRANT SELECT ON audit_records, audit_chains, audit_chain_head, audit_checkpoints TO ol_api_host;
    END IF;
END $$;
