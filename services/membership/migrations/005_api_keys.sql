-- Partner systems' API keys. Only the secret's keyed hash is kept (common/auth/api_key.h);
-- the gateway looks a key up by it on every call it has not cached.
CREATE TABLE api_keys (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id UUID NOT NULL REFERENCES organisations (id),
  name            TEXT NOT NULL,
  key_hash        TEXT NOT NULL UNIQUE,
  secret_prefix   TEXT NOT NULL,
  network_ids     UUID[] NOT NULL,
  access          SMALLINT NOT NULL,
  expires_at      TIMESTAMPTZ NOT NULL,
  created_by      TEXT NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  revoked_at      TIMESTAMPTZ
);
CREATE INDEX api_keys_organisation ON api_keys (organisation_id, created_at DESC);
