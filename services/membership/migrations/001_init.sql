-- The membership service's schema. Profiles (the rich, rarely filtered part of an
-- organisation or network) are stored as serialised protobuf next to the columns that
-- queries filter, sort and join on; memberships are fully relational.

CREATE TABLE organisations (
  id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  legal_name       TEXT NOT NULL,
  name_key         TEXT NOT NULL,            -- lower(legal_name), the sort and prefix key
  siren            TEXT UNIQUE,              -- NULL for organisations without one
  naf_code         TEXT NOT NULL DEFAULT '',
  nace_section     TEXT NOT NULL DEFAULT '',
  departement_code TEXT NOT NULL DEFAULT '',
  commune_code     TEXT NOT NULL DEFAULT '',
  visibility       SMALLINT NOT NULL,
  profile          BYTEA NOT NULL,           -- maillage.membership.v1.Organisation
  version          BIGINT NOT NULL DEFAULT 1,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX organisations_name_key ON organisations (name_key text_pattern_ops, id);
CREATE INDEX organisations_siren ON organisations (siren text_pattern_ops);
CREATE INDEX organisations_naf ON organisations (naf_code text_pattern_ops);
CREATE INDEX organisations_departement ON organisations (departement_code);

CREATE TABLE people (
  id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  given_name  TEXT NOT NULL,
  family_name TEXT NOT NULL,
  email       TEXT NOT NULL,
  phone       TEXT NOT NULL DEFAULT '',
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX people_email ON people (lower(email));

CREATE TABLE representations (
  person_id       UUID NOT NULL REFERENCES people (id),
  organisation_id UUID NOT NULL REFERENCES organisations (id),
  role_title      TEXT NOT NULL DEFAULT '',
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (organisation_id, person_id)
);
CREATE INDEX representations_person ON representations (person_id);

CREATE TABLE networks (
  id                UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name              TEXT NOT NULL,
  name_key          TEXT NOT NULL,
  kind              SMALLINT NOT NULL,
  admission_policy  SMALLINT NOT NULL,
  required_sponsors INT NOT NULL DEFAULT 0,
  departement_codes TEXT[] NOT NULL DEFAULT '{}',
  charter_version   INT NOT NULL DEFAULT 1,
  charter_text      TEXT NOT NULL,
  charter_published_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  profile           BYTEA NOT NULL,          -- maillage.membership.v1.Network, charter excluded
  version           BIGINT NOT NULL DEFAULT 1,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX networks_name_key ON networks (name_key text_pattern_ops, id);

CREATE TABLE charter_versions (
  network_id   UUID NOT NULL REFERENCES networks (id),
  version      INT NOT NULL,
  text         TEXT NOT NULL,
  published_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (network_id, version)
);

CREATE TABLE memberships (
  id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id  UUID NOT NULL REFERENCES organisations (id),
  network_id       UUID NOT NULL REFERENCES networks (id),
  role             SMALLINT NOT NULL,
  state            SMALLINT NOT NULL,
  state_reason     TEXT NOT NULL DEFAULT '',
  motivation       TEXT NOT NULL DEFAULT '',
  signed_charter_version INT NOT NULL DEFAULT 0,
  signed_by        UUID REFERENCES people (id),
  signed_at        TIMESTAMPTZ,
  version          BIGINT NOT NULL DEFAULT 1,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (organisation_id, network_id)
);
CREATE INDEX memberships_network ON memberships (network_id, state, id);

CREATE TABLE sponsorships (
  membership_id           UUID NOT NULL REFERENCES memberships (id),
  sponsor_organisation_id UUID NOT NULL REFERENCES organisations (id),
  sponsor_person_id       TEXT NOT NULL DEFAULT '',
  created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (membership_id, sponsor_organisation_id)
);

-- Create calls with an idempotency key: the first result is returned to every retry.
CREATE TABLE idempotency_keys (
  scope       TEXT NOT NULL,                 -- method and caller
  key         TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
