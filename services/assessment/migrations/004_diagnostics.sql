-- The 360° diagnostic: the networks' own questionnaires (every version kept), diagnostic
-- campaigns (each with the questionnaire version it froze) and each company's diagnostic.

CREATE TABLE diagnostic_templates (
  network_id  uuid        NOT NULL,
  template_id uuid        NOT NULL,
  version     integer     NOT NULL CHECK (version >= 1),
  -- A serialised maillage.assessment.v1.DiagnosticTemplate.
  template    bytea       NOT NULL,
  created_by  text        NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (network_id, template_id, version)
);

CREATE TABLE diagnostic_campaigns (
  campaign_id uuid        PRIMARY KEY,
  network_id  uuid        NOT NULL,
  -- A serialised DiagnosticCampaign, and the DiagnosticTemplate version it uses.
  campaign    bytea       NOT NULL,
  template    bytea       NOT NULL,
  end_time    timestamptz NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX diagnostic_campaigns_network
  ON diagnostic_campaigns (network_id, create_time DESC, campaign_id DESC);

-- A company's diagnostic: a serialised CompanyDiagnostic (answers, obstacles, scores, plan).
CREATE TABLE diagnostics (
  campaign_id     uuid        NOT NULL REFERENCES diagnostic_campaigns (campaign_id),
  organisation_id uuid        NOT NULL,
  diagnostic      bytea       NOT NULL,
  submitted       boolean     NOT NULL DEFAULT false,
  version         bigint      NOT NULL,
  updated_by      text        NOT NULL,
  update_time     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (campaign_id, organisation_id)
);
