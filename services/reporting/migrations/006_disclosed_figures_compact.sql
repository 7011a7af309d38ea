-- The populations of the figures given to funders, compact and by size: each member as its
-- 16 bytes (the UUID, sorted), and the count, so that a report reads back only the earlier
-- populations a few members away from its own (no other can be a difference attack), however
-- many reports were given.
ALTER TABLE disclosed_figures ADD COLUMN size int, ADD COLUMN members bytea;
UPDATE disclosed_figures SET
  size = cardinality(string_to_array(nullif(population, ''), ',')),
  members = coalesce((SELECT string_agg(decode(replace(x, '-', ''), 'hex'), ''::bytea ORDER BY x)
                      FROM unnest(string_to_array(nullif(population, ''), ',')) AS x), ''::bytea);
UPDATE disclosed_figures SET size = 0 WHERE size IS NULL;
ALTER TABLE disclosed_figures ALTER COLUMN size SET NOT NULL,
  ALTER COLUMN members SET NOT NULL, DROP COLUMN population;
CREATE INDEX disclosed_figures_by_size ON disclosed_figures (network_id, figure_key, size);
