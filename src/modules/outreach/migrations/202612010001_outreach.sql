-- Proactive outreach (domain.md, pillar 1, steps 3–8): the callers' worklist with leases, attempts,
-- safe-contact information, versioned scenarios and conversations, escalations, a directory of
-- services and referrals to them, follow-up calls.
--
-- As in referrals: what names or describes a person in words (free text, whom to ask for, safe
-- hours) is sealed by the application (AES-256-GCM, key id inside every value) in *_sealed columns
-- or *_notes tables; everything counted is pseudonymous and survives the retention purge.

-- The rule of a programme. Defaults follow the seeds' practice: three attempts, each on a
-- different day and a different part of the day; a claim is a lease of 30 minutes.
CREATE TABLE outreach_settings (
  programme_id uuid PRIMARY KEY REFERENCES programmes (id),
  max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 10),
  distinct_days boolean NOT NULL DEFAULT true,
  distinct_parts boolean NOT NULL DEFAULT true,
  lease_minutes integer NOT NULL DEFAULT 30 CHECK (lease_minutes BETWEEN 5 AND 480),
  -- The default voicemail rule of a contact: never leave one ('never'), or only one that does not
  -- name the service ('neutral').
  voicemail text NOT NULL DEFAULT 'never' CHECK (voicemail IN ('never', 'neutral')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users (id)
);

-- Who works a contact, and where it stands in the outreach. `assigned_to` is the caller the
-- coordinator gave it to; `lease_holder` / `lease_until` is a claim, which expires if left.
-- `next_due_at`: when the next attempt or the follow-up call is due (null: now, for a new contact).
ALTER TABLE contacts
  ADD COLUMN assigned_to uuid REFERENCES users (id),
  ADD COLUMN lease_holder uuid REFERENCES users (id),
  ADD COLUMN lease_until timestamptz,
  ADD COLUMN attempt_count integer NOT NULL DEFAULT 0,
  ADD COLUMN last_attempt_at timestamptz,
  ADD COLUMN next_due_at timestamptz,
  ADD COLUMN follow_up_at timestamptz,
  ADD COLUMN reached_at timestamptz,
  ADD COLUMN escalated_at timestamptz,
  ADD COLUMN closed_by uuid REFERENCES users (id);
CREATE INDEX contacts_worklist ON contacts (programme_id, next_due_at, received_at) WHERE status = 'open';
CREATE INDEX contacts_assigned ON contacts (assigned_to) WHERE status = 'open' AND assigned_to IS NOT NULL;
CREATE INDEX contacts_lease ON contacts (lease_holder) WHERE lease_holder IS NOT NULL;
CREATE INDEX contacts_closed ON contacts (programme_id, closed_at) WHERE status = 'closed';

-- What keeps the person safe, recorded by callers at any time. `other_party_same_address`: null
-- unknown. `ask_for`, `safe_hours` and `notes` are sealed (bound to the contact's person hash).
CREATE TABLE contact_safety (
  contact_id uuid PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
  voicemail text CHECK (voicemail IN ('never', 'neutral')),
  other_party_same_address boolean,
  safe_parts text[] NOT NULL DEFAULT '{}' CHECK (safe_parts <@ ARRAY['morning', 'afternoon', 'evening']),
  someone_else_answered boolean NOT NULL DEFAULT false,
  sealed text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users (id)
);

-- One attempt to reach a contact. `part_of_day` and `local_day` are computed in Europe/Brussels
-- when recorded (the attempt rule compares them). `note` is sealed.
CREATE TABLE attempts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  contact_id uuid NOT NULL REFERENCES contacts (id),
  programme_id uuid NOT NULL REFERENCES programmes (id),
  attempt_no integer NOT NULL CHECK (attempt_no >= 1),
  caller_id uuid REFERENCES users (id),
  at timestamptz NOT NULL,
  local_day date NOT NULL,
  part_of_day text NOT NULL CHECK (part_of_day IN ('morning', 'afternoon', 'evening')),
  channel text NOT NULL CHECK (channel IN ('phone', 'sms', 'letter')),
  outcome text NOT NULL CHECK (outcome IN ('no_answer', 'voicemail_not_left', 'voicemail_neutral', 'busy', 'not_in_service', 'wrong_person', 'someone_else', 'reached', 'sent')),
  note text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (contact_id, attempt_no)
);
CREATE INDEX attempts_programme ON attempts (programme_id, at);

-- A conversation guide. A published version never changes: editing makes a new version. A
-- programme uses its own scenario or, without one, the default shipped with Haven
-- (programme_id NULL). `definition`: sections and questions with their labels in nl/fr/en,
-- answer types, whether an answer is counted in reports, and which answers escalate.
CREATE TABLE scenarios (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  programme_id uuid REFERENCES programmes (id),
  key text NOT NULL CHECK (key ~ '^[a-z0-9-]{1,60}$'),
  version integer NOT NULL CHECK (version >= 1),
  status text NOT NULL CHECK (status IN ('draft', 'published', 'retired')),
  definition jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  published_at timestamptz
);
CREATE UNIQUE INDEX scenarios_version ON scenarios (coalesce(programme_id, '00000000-0000-0000-0000-000000000000'::uuid), key, version);

-- A conversation with a reached contact, under the scenario version it used. `answers` holds the
-- structured answers (yes/no, scale, choice) by question id; free-text answers are sealed in
-- `free_text` (a JSON object by question id). `refused`: the person declined the conversation.
CREATE TABLE conversations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  contact_id uuid NOT NULL REFERENCES contacts (id),
  programme_id uuid NOT NULL REFERENCES programmes (id),
  attempt_id uuid REFERENCES attempts (id),
  scenario_id uuid NOT NULL REFERENCES scenarios (id),
  caller_id uuid REFERENCES users (id),
  status text NOT NULL CHECK (status IN ('in_progress', 'held', 'refused')),
  answers jsonb NOT NULL DEFAULT '{}',
  free_text text,
  started_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz
);
CREATE INDEX conversations_contact ON conversations (contact_id);
CREATE INDEX conversations_programme ON conversations (programme_id, started_at);

-- A sign of serious risk, raised from marked answers or the caller's judgment. The contact leaves
-- the green flow; its dossier becomes orange or red. `note` is sealed.
CREATE TABLE escalations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  contact_id uuid NOT NULL REFERENCES contacts (id),
  programme_id uuid NOT NULL REFERENCES programmes (id),
  conversation_id uuid REFERENCES conversations (id),
  raised_by uuid REFERENCES users (id),
  raised_at timestamptz NOT NULL DEFAULT now(),
  recipient text NOT NULL CHECK (recipient IN ('veilig_huis', 'case_consultation', 'police')),
  urgency text NOT NULL CHECK (urgency IN ('immediate', 'today', 'this_week')),
  colour text NOT NULL CHECK (colour IN ('orange', 'red')),
  reasons text[] NOT NULL CHECK (cardinality(reasons) >= 1 AND reasons <@ ARRAY['threats', 'strangulation', 'weapons', 'fear_for_life', 'children_in_danger', 'caller_judgment']),
  note text,
  acknowledged_at timestamptz,
  acknowledged_by uuid REFERENCES users (id)
);
CREATE INDEX escalations_programme ON escalations (programme_id, raised_at) ;
CREATE INDEX escalations_open ON escalations (programme_id) WHERE acknowledged_at IS NULL;

-- The directory of services people are referred to, per project (a service is public information,
-- not personal data).
CREATE TABLE services (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id uuid NOT NULL REFERENCES projects (id),
  organisation_id uuid REFERENCES organisations (id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind text NOT NULL CHECK (kind IN ('caw', 'peer_group', 'veilig_huis', 'gp', 'jac', 'ocmw_cpas', 'lawyer', 'police', 'perpetrator_training', 'mental_health', 'other')),
  nis_codes text[] NOT NULL DEFAULT '{}',
  languages text[] NOT NULL DEFAULT '{}',
  phone text,
  email text,
  website text,
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX services_project ON services (project_id, kind) WHERE active;

-- A referral of a contact to a service: proposed → accepted → taken up, or declined. `service_kind`
-- is copied at proposal so counts by kind stay when the directory changes.
CREATE TABLE service_referrals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  contact_id uuid NOT NULL REFERENCES contacts (id),
  programme_id uuid NOT NULL REFERENCES programmes (id),
  conversation_id uuid REFERENCES conversations (id),
  service_id uuid NOT NULL REFERENCES services (id),
  service_kind text NOT NULL,
  status text NOT NULL CHECK (status IN ('proposed', 'accepted', 'taken_up', 'declined')),
  proposed_at timestamptz NOT NULL DEFAULT now(),
  accepted_at timestamptz,
  taken_up_at timestamptz,
  declined_at timestamptz,
  created_by uuid REFERENCES users (id),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_referrals_contact ON service_referrals (contact_id);
CREATE INDEX service_referrals_programme ON service_referrals (programme_id, proposed_at);
