-- The networks' names, for the printable reports' titles (membership's events).
CREATE TABLE networks (
  network_id uuid PRIMARY KEY,
  name text NOT NULL,
  version bigint NOT NULL
);
