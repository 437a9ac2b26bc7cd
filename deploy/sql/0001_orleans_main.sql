-- 0001_orleans_main.sql
-- Orleans ADO.NET query catalogue for PostgreSQL (Npgsql), contract of Microsoft.Orleans.*.AdoNet 10.4.2.
--
-- Every Orleans ADO.NET provider (clustering, persistence, reminders) starts by running
--     SELECT QueryKey, QueryText FROM OrleansQuery
-- and afterwards only ever executes the QueryText stored under the keys it knows. The unquoted names
-- fold to lower case in PostgreSQL, so this table and its columns are lower case; Npgsql resolves the
-- mixed-case column lookups of the provider (GetOrdinal("QueryKey")) case-insensitively.
--
-- Safe to re-run: nothing here drops or rewrites data.

CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64) NOT NULL,
    querytext text        NOT NULL,

    CONSTRAINT pk_orleansquery PRIMARY KEY (querykey)
);
