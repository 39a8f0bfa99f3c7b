-- Partners, the projects they run together, and the programmes inside a project.
CREATE TABLE organisations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('city', 'police_zone', 'caw', 'safety_house', 'veilig_huis', 'groep_intro', 'primary_care_zone', 'funder', 'other')),
  nis_code text CHECK (nis_code ~ '^[0-9]{5}$'),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organisations_name ON organisations (lower(name));

CREATE TABLE projects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  name text NOT NULL,
  coordinating_organisation_id uuid NOT NULL REFERENCES organisations (id),
  starts_on date,
  ends_on date,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on)
);

-- Municipalities taking part, by their NIS code (Statbel).
CREATE TABLE project_municipalities (
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  nis_code text NOT NULL CHECK (nis_code ~ '^[0-9]{5}$'),
  name text NOT NULL,
  PRIMARY KEY (project_id, nis_code)
);

CREATE TABLE project_partners (
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  organisation_id uuid NOT NULL REFERENCES organisations (id),
  PRIMARY KEY (project_id, organisation_id)
);

CREATE TABLE programmes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id uuid NOT NULL REFERENCES projects (id),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('outreach', 'peer_groups', 'perpetrator_training', 'education')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX programmes_project ON programmes (project_id);
