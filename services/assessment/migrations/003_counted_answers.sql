-- The answers the analysis counts, as typed columns instead of one serialised message a row:
-- the analysis of 2,000 members x 25 functions then reads them without decoding 50,000
-- messages (bench/analysis_bench.cc), and they can be queried in SQL. Only what the analysis
-- uses is kept here; the full answers (comments included) stay in submissions.
--
-- current_answers (002) is dropped: it existed only in development builds of 29 Nov 2026,
-- whose submissions are counted again once resubmitted (or start from an empty run folder).
DROP TABLE current_answers;

CREATE TABLE counted_answers (
  campaign_id        uuid     NOT NULL,
  organisation_id    uuid     NOT NULL,
  function_code      text     NOT NULL,
  efficiency         smallint NOT NULL,
  importance         smallint NOT NULL,
  disposition        smallint NOT NULL,
  yearly_cost_eur    bigint   NOT NULL DEFAULT 0,
  staff_days         integer  NOT NULL DEFAULT 0,
  willing_to_pool    boolean  NOT NULL DEFAULT false,
  agrees_to_be_named boolean  NOT NULL DEFAULT false,
  PRIMARY KEY (campaign_id, organisation_id, function_code),
  FOREIGN KEY (campaign_id, organisation_id) REFERENCES assessments (campaign_id, organisation_id)
);
