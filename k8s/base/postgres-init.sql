-- Run once, when the PostgreSQL volume is first initialised (docker-entrypoint-initdb.d):
-- one database per service besides POSTGRES_DB (membership), as each service keeps its own
-- migrations and outbox. A volume initialised before a service existed needs its database
-- created by hand: psql -U maillage -d membership -c 'CREATE DATABASE reporting'.
CREATE DATABASE assessment;
CREATE DATABASE matching;
CREATE DATABASE reporting;
