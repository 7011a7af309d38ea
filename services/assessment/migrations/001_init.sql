-- The assessment service's own tables (the outbox comes from common/events).

-- A network's own functions, and its retirements of default ones (a row with the default's
-- code and retired = true; its labels copy the default's).
CREATE TABLE network_functions (
  network_id  uuid        NOT NULL,
  code        text        NOT NULL CHECK (length(code) BETWEEN 1 AND 65),
  parent_code text        NOT NULL DEFAULT '',
  nature      smallint    NOT NULL,
  label_fr    text        NOT NULL,
  label_en    text        NOT NULL,
  is_default  boolean     NOT NULL DEFAULT false,
  retired     boolean     NOT NULL DEFAULT false,
  added_by    text        NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (network_id, code)
);

-- Every version of a network's decision matrix (a serialised maillage.assessment.v1.Matrix);
-- none for a network that keeps the default.
CREATE TABLE matrices (
  network_id  uuid        NOT NULL,
  version     integer     NOT NULL CHECK (version >= 1),
  matrix      bytea       NOT NULL,
  created_by  text        NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (network_id, version)
);
