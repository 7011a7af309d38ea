-- What the matrix decided for each function of each member's latest submission (assessment's
-- events): the pooling heatmap.
CREATE TABLE assessment_dispositions (
  campaign_id uuid NOT NULL,
  network_id uuid NOT NULL,
  organisation_id uuid NOT NULL,
  function_code text NOT NULL,
  disposition int NOT NULL,
  willing_to_pool boolean NOT NULL,
  revision int NOT NULL,
  PRIMARY KEY (campaign_id, organisation_id, function_code)
);
CREATE INDEX assessment_dispositions_by_network ON assessment_dispositions (network_id, campaign_id);
