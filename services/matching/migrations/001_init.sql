-- The matching service's own data. Organisations and who is in which network come from
-- membership's events (consumer group "matching"); declarations, blocks, introductions and
-- settings are written by the service's calls. The in-memory partner index of each replica
-- is rebuilt from these tables at start and kept current by the stream
-- maillage.matching.events (profile_changed).

-- What membership last said of an organisation (only what the score reads).
CREATE TABLE organisations (
  organisation_id uuid PRIMARY KEY,
  legal_name text NOT NULL DEFAULT '',
  naf_code text NOT NULL DEFAULT '',
  nace_section text NOT NULL DEFAULT '',
  latitude double precision,
  longitude double precision,
  version bigint NOT NULL DEFAULT 0,
  update_time timestamptz NOT NULL DEFAULT now()
);

-- Who is in which network; state is membership's MembershipState number.
CREATE TABLE network_members (
  network_id uuid NOT NULL,
  organisation_id uuid NOT NULL,
  state int NOT NULL,
  charter_signed boolean NOT NULL DEFAULT false,
  version bigint NOT NULL DEFAULT 0,
  update_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (network_id, organisation_id)
);
CREATE INDEX network_members_by_organisation ON network_members (organisation_id);

CREATE TABLE declarations (
  declaration_id uuid PRIMARY KEY,
  organisation_id uuid NOT NULL,
  side smallint NOT NULL,            -- Side
  type smallint NOT NULL,            -- DeclarationType
  tags text[] NOT NULL,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  reach_km double precision NOT NULL DEFAULT 0,
  confidential boolean NOT NULL DEFAULT false,
  expire_time timestamptz NOT NULL,
  withdrawn boolean NOT NULL DEFAULT false,
  source text NOT NULL DEFAULT '',
  version bigint NOT NULL DEFAULT 1,
  create_time timestamptz NOT NULL DEFAULT now(),
  update_time timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX declarations_by_organisation ON declarations (organisation_id, create_time, declaration_id);
CREATE INDEX declarations_by_expiry ON declarations (expire_time) WHERE NOT withdrawn;
-- A pooling decision of the assessment service makes at most one declaration per member.
CREATE UNIQUE INDEX declarations_by_source ON declarations (organisation_id, source) WHERE source <> '';

CREATE TABLE blocks (
  organisation_id uuid NOT NULL,
  blocked_organisation_id uuid NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organisation_id, blocked_organisation_id)
);
CREATE INDEX blocks_by_blocked ON blocks (blocked_organisation_id);

CREATE TABLE introductions (
  introduction_id uuid PRIMARY KEY,
  network_id uuid NOT NULL,
  requester_organisation_id uuid NOT NULL,
  recipient_organisation_id uuid NOT NULL,
  message text NOT NULL DEFAULT '',
  from_suggestion boolean NOT NULL DEFAULT false,
  suggestion_score double precision NOT NULL DEFAULT 0,
  state smallint NOT NULL,           -- IntroductionState
  response_note text NOT NULL DEFAULT '',
  outcome smallint NOT NULL DEFAULT 0,  -- IntroductionOutcome
  request_time timestamptz NOT NULL,
  respond_time timestamptz,
  outcome_time timestamptz,
  version bigint NOT NULL DEFAULT 1
);
CREATE INDEX introductions_by_network ON introductions (network_id, request_time DESC, introduction_id DESC);
CREATE INDEX introductions_by_requester ON introductions (requester_organisation_id, request_time DESC, introduction_id DESC);
CREATE INDEX introductions_by_recipient ON introductions (recipient_organisation_id, request_time DESC, introduction_id DESC);
-- One open request per pair and network: asking again returns it.
CREATE UNIQUE INDEX introductions_open_pair ON introductions
  (network_id, requester_organisation_id, recipient_organisation_id) WHERE state = 1;

CREATE TABLE network_settings (
  network_id uuid PRIMARY KEY,
  distance_scale_km double precision NOT NULL DEFAULT 0,
  distance_floor double precision NOT NULL DEFAULT 0,
  competitor_radius_km double precision NOT NULL DEFAULT 0,
  decline_cooling_days int NOT NULL DEFAULT 0,
  version bigint NOT NULL DEFAULT 0
);
