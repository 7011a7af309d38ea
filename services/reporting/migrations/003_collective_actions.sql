-- What the funder report breaks down by: each member's role (funders are not counted as
-- members) and each organisation's kind, sector and size (membership's events).
ALTER TABLE members ADD COLUMN role int NOT NULL DEFAULT 1;
ALTER TABLE organisation_names
  ADD COLUMN kind int NOT NULL DEFAULT 0,
  ADD COLUMN nace_section text NOT NULL DEFAULT '',
  ADD COLUMN headcount_band int NOT NULL DEFAULT 0;

-- Assessment's pooling decisions, which collective actions carry out.
CREATE TABLE pooling_decisions (
  decision_id uuid PRIMARY KEY,
  network_id uuid NOT NULL,
  function_code text NOT NULL,
  modality int NOT NULL,
  decide_time timestamptz NOT NULL
);

-- Collective actions of a network, with their participants, budget and funding.
CREATE TABLE collective_actions (
  action_id uuid PRIMARY KEY,
  network_id uuid NOT NULL,
  kind smallint NOT NULL,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  status smallint NOT NULL,
  year int NOT NULL,
  function_code text NOT NULL DEFAULT '',
  version bigint NOT NULL DEFAULT 1,
  created_by text NOT NULL DEFAULT '',
  create_time timestamptz NOT NULL DEFAULT now(),
  update_time timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX collective_actions_by_network ON collective_actions (network_id, year DESC, action_id);

CREATE TABLE action_participants (
  action_id uuid NOT NULL REFERENCES collective_actions (action_id) ON DELETE CASCADE,
  organisation_id uuid NOT NULL,
  PRIMARY KEY (action_id, organisation_id)
);

CREATE TABLE action_budget_lines (
  action_id uuid NOT NULL REFERENCES collective_actions (action_id) ON DELETE CASCADE,
  position int NOT NULL,
  label text NOT NULL,
  amount_cents bigint NOT NULL,
  PRIMARY KEY (action_id, position)
);

CREATE TABLE action_funding_sources (
  action_id uuid NOT NULL REFERENCES collective_actions (action_id) ON DELETE CASCADE,
  position int NOT NULL,
  kind int NOT NULL,
  funder_name text NOT NULL DEFAULT '',
  amount_cents bigint NOT NULL,
  PRIMARY KEY (action_id, position)
);

CREATE TABLE action_decisions (
  action_id uuid NOT NULL REFERENCES collective_actions (action_id) ON DELETE CASCADE,
  decision_id uuid NOT NULL,
  PRIMARY KEY (action_id, decision_id)
);

-- Per network: the minimum group size of funder figures and the public share ceiling.
CREATE TABLE reporting_settings (
  network_id uuid PRIMARY KEY,
  min_group_size int NOT NULL,
  public_share_ceiling double precision NOT NULL,
  version bigint NOT NULL
);

-- Every member figure given in a funder report: its population (sorted organisation ids,
-- comma-separated), so that a later report never gives one a few members apart.
CREATE TABLE disclosed_figures (
  network_id uuid NOT NULL,
  figure_key text NOT NULL,
  digest text NOT NULL,
  population text NOT NULL,
  disclose_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (network_id, figure_key, digest)
);
