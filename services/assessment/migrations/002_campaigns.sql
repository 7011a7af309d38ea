-- Campaigns, each company's assessment, the network's settings and decisions, and the copy of
-- membership this service keeps from membership's events.

-- Who belongs to which network, as membership's events said last (a membership's version
-- orders its events; an older one is ignored). Participants of a campaign are the rows
-- with state ACTIVE (3).
CREATE TABLE network_members (
  network_id        uuid        NOT NULL,
  organisation_id   uuid        NOT NULL,
  organisation_name text        NOT NULL DEFAULT '',
  state             smallint    NOT NULL,
  version           bigint      NOT NULL,
  update_time       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (network_id, organisation_id)
);
CREATE INDEX network_members_organisation ON network_members (organisation_id);

CREATE TABLE campaigns (
  campaign_id    uuid        PRIMARY KEY,
  network_id     uuid        NOT NULL,
  -- A serialised maillage.assessment.v1.Campaign (its state and close_time as below).
  campaign       bytea       NOT NULL,
  start_time     timestamptz NOT NULL,
  end_time       timestamptz NOT NULL,
  closed_time    timestamptz,
  create_time    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX campaigns_network ON campaigns (network_id, create_time DESC, campaign_id DESC);

-- One company's assessment in a campaign: the draft as last saved (a serialised
-- maillage.assessment.v1.Assessment holding its answers) and the number of submissions.
CREATE TABLE assessments (
  campaign_id     uuid        NOT NULL REFERENCES campaigns (campaign_id),
  organisation_id uuid        NOT NULL,
  draft           bytea       NOT NULL,
  revision        integer     NOT NULL DEFAULT 0,
  has_draft       boolean     NOT NULL DEFAULT true,
  version         bigint      NOT NULL,
  updated_by      text        NOT NULL,
  update_time     timestamptz NOT NULL DEFAULT now(),
  submit_time     timestamptz,
  PRIMARY KEY (campaign_id, organisation_id)
);

-- Every submission, kept (a serialised Assessment, as submitted).
CREATE TABLE submissions (
  campaign_id     uuid        NOT NULL,
  organisation_id uuid        NOT NULL,
  revision        integer     NOT NULL,
  answers         bytea       NOT NULL,
  submitted_by    text        NOT NULL,
  submit_time     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (campaign_id, organisation_id, revision),
  FOREIGN KEY (campaign_id, organisation_id) REFERENCES assessments (campaign_id, organisation_id)
);

-- The last submission of each company, one row per function: what the analysis reads.
CREATE TABLE current_answers (
  campaign_id     uuid     NOT NULL,
  organisation_id uuid     NOT NULL,
  function_code   text     NOT NULL,
  answer          bytea    NOT NULL,
  PRIMARY KEY (campaign_id, organisation_id, function_code),
  FOREIGN KEY (campaign_id, organisation_id) REFERENCES assessments (campaign_id, organisation_id)
);

CREATE TABLE pooling_settings (
  network_id  uuid        PRIMARY KEY,
  thresholds  bytea       NOT NULL,
  updated_by  text        NOT NULL,
  update_time timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE decisions (
  campaign_id   uuid        NOT NULL REFERENCES campaigns (campaign_id),
  function_code text        NOT NULL,
  decision      bytea       NOT NULL,
  decide_time   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (campaign_id, function_code)
);
