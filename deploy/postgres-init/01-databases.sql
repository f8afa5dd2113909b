-- Runs once, when the PostgreSQL volume is first initialised (docker-entrypoint-initdb.d).
-- The application's databases; Temporal's own (temporal, temporal_visibility) are created and
-- migrated by the temporal-schema job with temporal-sql-tool.
CREATE DATABASE kelahiran;
CREATE DATABASE dukcapil;
CREATE DATABASE bpjs;
CREATE DATABASE sms;
