-- The identities people sign in with at the agency's identity provider (OIDC issuer and
-- subject), each linked to one person. ResolvePrincipal reads it on every sign-in the
-- gateway has not cached; a person may have several (two providers, a renewed account).
CREATE TABLE external_identities (
  issuer     TEXT NOT NULL,
  subject    TEXT NOT NULL,
  person_id  UUID NOT NULL REFERENCES people (id),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (issuer, subject)
);
CREATE INDEX external_identities_person ON external_identities (person_id);
