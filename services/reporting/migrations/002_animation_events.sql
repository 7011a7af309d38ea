-- Animation events of a network (forums, world cafés, workshops, visits, trainings,
-- meetings), the companies registered, and those who came.
CREATE TABLE animation_events (
  event_id uuid PRIMARY KEY,
  network_id uuid NOT NULL,
  kind smallint NOT NULL,
  title text NOT NULL,
  theme text NOT NULL DEFAULT '',
  start_time timestamptz NOT NULL,
  end_time timestamptz NOT NULL,
  place text NOT NULL DEFAULT '',
  link text NOT NULL DEFAULT '',
  organiser_organisation_id uuid,
  capacity int NOT NULL DEFAULT 0,
  outcomes text NOT NULL DEFAULT '',
  cancelled boolean NOT NULL DEFAULT false,
  created_by text NOT NULL DEFAULT '',
  create_time timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX animation_events_by_network ON animation_events (network_id, start_time, event_id);

CREATE TABLE event_registrations (
  event_id uuid NOT NULL REFERENCES animation_events (event_id),
  organisation_id uuid NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, organisation_id)
);

CREATE TABLE event_attendance (
  event_id uuid NOT NULL REFERENCES animation_events (event_id),
  organisation_id uuid NOT NULL,
  PRIMARY KEY (event_id, organisation_id)
);
CREATE INDEX event_attendance_by_organisation ON event_attendance (organisation_id);
