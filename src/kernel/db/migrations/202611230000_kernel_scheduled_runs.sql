-- Jobs that must run once a day whichever Haven process gets there first.
CREATE TABLE scheduled_runs (
  job text NOT NULL,
  run_on date NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  result jsonb,
  PRIMARY KEY (job, run_on)
);
