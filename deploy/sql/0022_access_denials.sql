-- Denied requests, aggregated (issue 13). A 401 or 403 from an authorization policy, or a 429 from the edge's
-- per-network and global limits (before authentication), is not an audit record of its own: an unauthenticated
-- flood must not fill the audit chain or its writer's queue. Each API host counts them in memory per
-- (minute, client network, status, actor, action) and appends one row per key every few seconds
-- (src/ApiHost/Audit/DenialFlusher.cs), so a minute's denials of one key may span a few rows (several hosts, or a
-- flush within the minute): sum count over the key.
--
-- client   IPv4 address, IPv6 /64 ('2001:db8:1:2::/64'), 'unknown' (no IP address), 'other' (a host's key limit was
--          reached: that minute's denials of the status from other networks), 'dropped' (past the overflow room too:
--          status 0, counted only)
-- actor    'anonymous', or the masked subject of an authenticated caller that was forbidden ('*' on other/dropped)
-- action   the endpoint's name, else its methods and route pattern, else 'unmatched' ('*' on other/dropped)
CREATE TABLE IF NOT EXISTS access_denials (
    minute      timestamptz  NOT NULL,
    client      text         NOT NULL,
    status      integer      NOT NULL,
    actor       text         NOT NULL,
    action      text         NOT NULL,
    count       bigint       NOT NULL CHECK (count > 0),
    flushed_at  timestamptz  NOT NULL
);
CREATE INDEX IF NOT EXISTS access_denials_minute ON access_denials (minute);
CREATE INDEX IF NOT EXISTS access_denials_client ON access_denials (client, minute);

REVOKE ALL ON access_denials FROM PUBLIC;

-- The API host appends (and reads, for queries); it never changes or removes a row. Pruning old minutes is the
-- operator's (the schema owner's) decision. The audit writer role gets the same, for logins that hold only it.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ol_api_host') THEN
        GRANT SELECT, INSERT ON access_denials TO ol_api_host;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ol_audit_writer') THEN
        GRANT SELECT, INSERT ON access_denials TO ol_audit_writer;
    END IF;
END $$;
