-- The reporting service's read models, fed by the other services' events (consumer group
-- "reporting" on each stream). Each row keeps the version of what it copies, so that a
-- redelivered or late event changes nothing.

-- Who is in which network (membership's memberships) and their names.
CREATE TABLE members (
  network_id uuid NOT NULL,
  organisation_id uuid NOT NULL,
  state int NOT NULL,
  version bigint NOT NULL,
  PRIMARY KEY (network_id, organisation_id)
);
CREATE INDEX members_by_organisation ON members (organisation_id);

CREATE TABLE organisation_names (
  organisation_id uuid PRIMARY KEY,
  name text NOT NULL,
  version bigint NOT NULL DEFAULT 0
);

-- Matching's introductions, as their latest event said.
CREATE TABLE introductions (
  introduction_id uuid PRIMARY KEY,
  network_id uuid NOT NULL,
  requester_organisation_id uuid NOT NULL,
  recipient_organisation_id uuid NOT NULL,
  state smallint NOT NULL,
  outcome smallint NOT NULL DEFAULT 0,
  request_time timestamptz NOT NULL,
  respond_time timestamptz,
  outcome_time timestamptz,
  version bigint NOT NULL
);
CREATE INDEX introductions_by_network ON introductions (network_id, request_time);

-- Assessment's submissions (who answered a campaign, when).
CREATE TABLE assessment_submissions (
  campaign_id uuid NOT NULL,
  network_id uuid NOT NULL,
  organisation_id uuid NOT NULL,
  revision int NOT NULL,
  submit_time timestamptz NOT NULL,
  PRIMARY KEY (campaign_id, organisation_id, revision)
);
CREATE INDEX assessment_submissions_by_network ON assessment_submissions (network_id, submit_time);
