-- Grain state of the platform's own grains (units, catalogue types, clients, holders, idempotency keys, the CA):
-- one row per grain and state, keyed verbatim by "{grain type}/{state name}" and the grain key, with an integer
-- etag. A read is one indexed lookup and a write one prepared statement (no stored procedure), committed
-- durably. Rows written by the Orleans ADO.NET provider before this table existed (orleansstorage) are still read
-- when a grain has no row here yet; the grain's next write moves it here. A cleared state stays as a row whose
-- state is NULL, so that an old orleansstorage row can never come back.
CREATE TABLE IF NOT EXISTS grain_states (
    state_name text NOT NULL,
    grain_key text NOT NULL,
    etag bigint NOT NULL,
    state jsonb,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (state_name, grain_key)
);

REVOKE ALL ON grain_states FROM PUBLIC;

-- What the ADO.NET provider stored so far moves here (its rows are JSON; our wrapper stored them under
-- "{grain type}/{state name}" and "~" + key). orleansstorage keeps its rows; a silo reads them only if some are
-- still not here when it starts (state written by an older silo during a rolling upgrade).
INSERT INTO grain_states (state_name, grain_key, etag, state, updated_at)
SELECT o.graintypestring, substr(o.grainidextensionstring, 2), o.version, convert_from(o.payloadbinary, 'UTF8')::jsonb, o.modifiedon
FROM orleansstorage o
WHERE o.grainidextensionstring LIKE '~%' AND o.payloadbinary IS NOT NULL
ON CONFLICT DO NOTHING;
