-- Police referrals: data-sharing protocols, column mappings, imports (with their staged rows),
-- dossiers and contacts, and the identity vault that holds what names a person.
--
-- Identifying data lives only in the *_identities tables and in import_rows.identity, each value
-- sealed with AES-256-GCM by the application (a key id inside every sealed value). Everything else
-- is pseudonymous: reports count dossiers and contacts, and survive the purge of the vault.

CREATE TABLE protocols (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  programme_id uuid NOT NULL REFERENCES programmes (id),
  sender_organisation_id uuid NOT NULL REFERENCES organisations (id),
  receiver_organisation_id uuid NOT NULL REFERENCES organisations (id),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  purpose text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 4000),
  legal_basis text NOT NULL CHECK (legal_basis IN ('gdpr_6_1_e', 'gdpr_6_1_c', 'gdpr_9_2_g', 'penal_code_458ter', 'other')),
  legal_basis_text text NOT NULL DEFAULT '' CHECK (length(legal_basis_text) <= 4000),
  categories text[] NOT NULL CHECK ('incident' = ANY (categories)),
  valid_from date NOT NULL,
  valid_to date,
  retention_days integer NOT NULL CHECK (retention_days BETWEEN 0 AND 3650),
  document_name text,
  document_sha256 text,
  document_size integer,
  document bytea,
  revoked_at timestamptz,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX protocols_programme ON protocols (programme_id, sender_organisation_id);

-- How the columns of one sender's exports map to Haven's fields; saved and reused.
CREATE TABLE column_mappings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  sender_organisation_id uuid NOT NULL REFERENCES organisations (id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  columns jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (sender_organisation_id, name)
);

CREATE TABLE imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  programme_id uuid NOT NULL REFERENCES programmes (id),
  sender_organisation_id uuid NOT NULL REFERENCES organisations (id),
  protocol_id uuid REFERENCES protocols (id),
  uploaded_by uuid REFERENCES users (id),
  file_name text NOT NULL,
  file_size bigint,
  file_sha256 text,
  format text CHECK (format IN ('csv', 'xlsx')),
  encoding text,
  delimiter text,
  mapping_name text,
  columns jsonb NOT NULL,
  dropped_fields text[] NOT NULL DEFAULT '{}',
  status text NOT NULL CHECK (status IN ('awaiting_file', 'parsing', 'previewed', 'committed', 'refused', 'failed', 'discarded')),
  rows_read integer NOT NULL DEFAULT 0,
  counts jsonb,
  problem jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  previewed_at timestamptz,
  committed_at timestamptz,
  committed_by uuid REFERENCES users (id)
);
CREATE INDEX imports_programme ON imports (programme_id, created_at DESC);

-- One row per data row of an import: its outcome for the preview and the report, and until commit
-- its normalised values (facts in clear, identity sealed).
CREATE TABLE import_rows (
  import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  row_no integer NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('accepted', 'warning', 'set_aside')),
  reason text,
  warnings jsonb NOT NULL DEFAULT '[]',
  pv_hash text,
  person_hash text,
  facts jsonb,
  identity text,
  pv_number text,
  PRIMARY KEY (import_id, row_no)
);
CREATE INDEX import_rows_person ON import_rows (import_id, person_hash);

CREATE TABLE dossiers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  programme_id uuid NOT NULL REFERENCES programmes (id),
  protocol_id uuid REFERENCES protocols (id),
  import_id uuid REFERENCES imports (id),
  source text NOT NULL CHECK (source IN ('import', 'manual')),
  pv_hash text NOT NULL,
  colour text NOT NULL CHECK (colour IN ('green', 'orange', 'red')),
  police_zone text,
  municipality text,
  nis_code text,
  postcode text,
  relation text,
  minors_present boolean,
  facts_on date,
  registered_on date,
  received_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  UNIQUE (programme_id, pv_hash)
);
CREATE INDEX dossiers_programme ON dossiers (programme_id, colour, received_at);

CREATE TABLE dossier_identities (
  dossier_id uuid PRIMARY KEY REFERENCES dossiers (id) ON DELETE CASCADE,
  pv_number text NOT NULL
);

CREATE TABLE contacts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  dossier_id uuid NOT NULL REFERENCES dossiers (id),
  programme_id uuid NOT NULL REFERENCES programmes (id),
  person_hash text NOT NULL,
  role text,
  gender text,
  language text,
  birth_year integer,
  has_phone boolean NOT NULL,
  phone_hash text,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  outcome text,
  received_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  retention_until timestamptz,
  purged_at timestamptz,
  UNIQUE (programme_id, person_hash)
);
CREATE INDEX contacts_dossier ON contacts (dossier_id);
CREATE INDEX contacts_programme ON contacts (programme_id, status, received_at);
CREATE INDEX contacts_phone ON contacts (programme_id, phone_hash) WHERE phone_hash IS NOT NULL;
CREATE INDEX contacts_retention ON contacts (retention_until) WHERE purged_at IS NULL AND retention_until IS NOT NULL;

-- The vault entry of a contact: one sealed JSON document (names, phones, e-mail, address, birth
-- date, remarks), bound to the contact's person hash. Deleted when retention ends.
CREATE TABLE contact_identities (
  contact_id uuid PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
  person_hash text NOT NULL,
  data text NOT NULL
);
