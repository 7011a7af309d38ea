-- Co-optations: which active member sponsored which applicant, when (membership's events).
CREATE TABLE sponsorships (
  network_id uuid NOT NULL,
  organisation_id uuid NOT NULL,
  sponsor_organisation_id uuid NOT NULL,
  sponsor_time timestamptz NOT NULL,
  PRIMARY KEY (network_id, organisation_id, sponsor_organisation_id)
);
CREATE INDEX sponsorships_by_sponsor ON sponsorships (network_id, sponsor_organisation_id);
