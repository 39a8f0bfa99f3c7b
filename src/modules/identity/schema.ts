import type { Generated } from 'kysely';
import type { Role } from '../../kernel/authz/permissions.ts';
import type { Timestamp } from '../../kernel/db/schema.ts';
import type { Locale } from '../../kernel/i18n/locales.ts';

export interface UsersTable {
  id: Generated<string>;
  organisation_id: string;
  email: string;
  display_name: string;
  password_hash: string;
  locale: Locale | null;
  /** sealed by the key ring */
  totp_secret: string | null;
  totp_enabled_at: Timestamp | null;
  totp_last_step: number | null;
  password_changed_at: Generated<Timestamp>;
  active: Generated<boolean>;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
  deactivated_at: Timestamp | null;
}

export interface RoleAssignmentsTable {
  id: Generated<string>;
  user_id: string;
  role: Role;
  programme_id: string | null;
  created_at: Generated<Timestamp>;
}

export interface RecoveryCodesTable {
  user_id: string;
  code_hash: string;
  used_at: Timestamp | null;
}

export type SessionState = 'active' | 'mfa_challenge' | 'mfa_enrolment';

export interface SessionsTable {
  id: string;
  user_id: string;
  state: SessionState;
  csrf_token: string;
  pending_totp_secret: string | null;
  created_at: Generated<Timestamp>;
  last_seen_at: Generated<Timestamp>;
  expires_at: Timestamp;
  reauth_at: Timestamp | null;
}

export interface LoginFailuresTable {
  key: string;
  at: Generated<Timestamp>;
}

export interface SetupTokensTable {
  token_hash: string;
  expires_at: Timestamp;
}

declare module '../../kernel/db/schema.ts' {
  interface Database {
    users: UsersTable;
    role_assignments: RoleAssignmentsTable;
    recovery_codes: RecoveryCodesTable;
    sessions: SessionsTable;
    login_failures: LoginFailuresTable;
    setup_tokens: SetupTokensTable;
  }
}
