-- Working groups of a network and their members; animation events that are a group's
-- meetings; SIRENs, which sign-in sheets name members by.
ALTER TABLE organisation_names ADD COLUMN siren text NOT NULL DEFAULT '';

CREATE TABLE working_groups (
  group_id uuid PRIMARY KEY,
  network_id uuid NOT NULL,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  theme text NOT NULL DEFAULT '',
  created_by text NOT NULL DEFAULT '',
  create_time timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX working_groups_by_name ON working_groups (network_id, lower(name));

CREATE TABLE working_group_members (
  group_id uuid NOT NULL REFERENCES working_groups (group_id),
  organisation_id uuid NOT NULL,
  join_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, organisation_id)
);
CREATE INDEX working_group_members_by_organisation ON working_group_members (organisation_id);

ALTER TABLE animation_events ADD COLUMN working_group_id uuid REFERENCES working_groups (group_id);
CREATE INDEX animation_events_by_group ON animation_events (working_group_id, start_time)
  WHERE working_group_id IS NOT NULL;
