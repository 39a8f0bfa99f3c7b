-- Staff accounts, their roles per programme, sessions held in the database, MFA and throttling.
CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations (id),
  email text NOT NULL UNIQUE CHECK (email = lower(email)),
  display_name text NOT NULL,
  password_hash text NOT NULL,
  locale text CHECK (locale IN ('nl', 'fr', 'en', 'de')),
  totp_secret text,
  totp_enabled_at timestamptz,
  totp_last_step bigint,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deactivated_at timestamptz
);
CREATE INDEX users_organisation ON users (organisation_id);
CREATE INDEX users_display_name ON users (lower(display_name), id);

CREATE TABLE role_assignments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('administrator', 'coordinator', 'caller', 'facilitator', 'police_liaison', 'trainer', 'analyst', 'dpo')),
  programme_id uuid REFERENCES programmes (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- administrator and DPO hold everywhere; every other role is held in one programme.
  CHECK ((role IN ('administrator', 'dpo')) = (programme_id IS NULL)),
  UNIQUE NULLS NOT DISTINCT (user_id, role, programme_id)
);
CREATE INDEX role_assignments_user ON role_assignments (user_id);
CREATE INDEX role_assignments_programme ON role_assignments (programme_id);

CREATE TABLE recovery_codes (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash text NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE sessions (
  id text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  state text NOT NULL CHECK (state IN ('active', 'mfa_challenge', 'mfa_enrolment')),
  csrf_token text NOT NULL,
  pending_totp_secret text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  reauth_at timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
  key text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);

CREATE TABLE setup_tokens (
  token_hash text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
