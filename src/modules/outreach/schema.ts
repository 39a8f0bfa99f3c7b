import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { Timestamp } from '../../kernel/db/schema.ts';

export const PARTS_OF_DAY = ['morning', 'afternoon', 'evening'] as const;
export type PartOfDay = (typeof PARTS_OF_DAY)[number];

export const VOICEMAIL_RULES = ['never', 'neutral'] as const;
export type VoicemailRule = (typeof VOICEMAIL_RULES)[number];

export const ATTEMPT_CHANNELS = ['phone', 'sms', 'letter'] as const;
export type AttemptChannel = (typeof ATTEMPT_CHANNELS)[number];

/** Outcomes of one attempt. `sent`: a text message or letter (neither names the service). */
export const ATTEMPT_OUTCOMES = [
  'no_answer',
  'voicemail_not_left',
  'voicemail_neutral',
  'busy',
  'not_in_service',
  'wrong_person',
  'someone_else',
  'reached',
  'sent',
] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/**
 * How a contact closes (contacts.outcome). The intake's own (`not_informed`, `letter_sent`) are in
 * referrals/dossiers.ts; outreach adds the others. "Conversation held" is with or without a referral:
 * whether there was one is read from service_referrals.
 */
export const CONTACT_OUTCOMES = ['not_informed', 'letter_sent', 'unreachable', 'refused', 'conversation', 'escalated'] as const;
export type ContactOutcome = (typeof CONTACT_OUTCOMES)[number];

export const ESCALATION_RECIPIENTS = ['veilig_huis', 'case_consultation', 'police'] as const;
export const ESCALATION_URGENCIES = ['immediate', 'today', 'this_week'] as const;
export const ESCALATION_REASONS = ['threats', 'strangulation', 'weapons', 'fear_for_life', 'children_in_danger', 'caller_judgment'] as const;
export type EscalationReason = (typeof ESCALATION_REASONS)[number];

export const SERVICE_KINDS = [
  'caw',
  'peer_group',
  'veilig_huis',
  'gp',
  'jac',
  'ocmw_cpas',
  'lawyer',
  'police',
  'perpetrator_training',
  'mental_health',
  'other',
] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

export const REFERRAL_STATUSES = ['proposed', 'accepted', 'taken_up', 'declined'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export interface OutreachSettingsTable {
  programme_id: string;
  max_attempts: Generated<number>;
  distinct_days: Generated<boolean>;
  distinct_parts: Generated<boolean>;
  lease_minutes: Generated<number>;
  voicemail: Generated<VoicemailRule>;
  updated_at: Generated<Timestamp>;
  updated_by: string | null;
}

export interface ContactSafetyTable {
  contact_id: string;
  voicemail: VoicemailRule | null;
  other_party_same_address: boolean | null;
  safe_parts: Generated<PartOfDay[]>;
  someone_else_answered: Generated<boolean>;
  /** Sealed JSON: { askFor?, safeHours?, notes? } (contextOf('contact_safety.sealed', person hash)). */
  sealed: string | null;
  updated_at: Generated<Timestamp>;
  updated_by: string | null;
}

export interface AttemptsTable {
  id: Generated<string>;
  contact_id: string;
  programme_id: string;
  attempt_no: number;
  caller_id: string | null;
  at: Timestamp;
  /** yyyy-mm-dd in Europe/Brussels */
  local_day: string;
  part_of_day: PartOfDay;
  channel: AttemptChannel;
  outcome: AttemptOutcome;
  /** Sealed text (contextOf('attempts.note', person hash)). */
  note: string | null;
  created_at: Generated<Timestamp>;
  /** Its contact's received_at, set by a trigger (migration 202612020001) for the funnel's reach rates. */
  contact_received_at: Generated<Timestamp>;
}

export interface ScenariosTable {
  id: Generated<string>;
  programme_id: string | null;
  key: string;
  version: number;
  status: 'draft' | 'published' | 'retired';
  definition: JSONColumnType<Record<string, unknown>>;
  created_at: Generated<Timestamp>;
  created_by: string | null;
  published_at: Timestamp | null;
}

export interface ConversationsTable {
  id: Generated<string>;
  contact_id: string;
  programme_id: string;
  attempt_id: string | null;
  scenario_id: string;
  caller_id: string | null;
  status: 'in_progress' | 'held' | 'refused';
  /** Structured answers by question id: boolean, 1–5, or a choice key. */
  answers: ColumnType<Record<string, boolean | number | string>, string | undefined, string>;
  /** Sealed JSON object of free-text answers by question id (contextOf('conversations.free_text', person hash)). */
  free_text: string | null;
  started_at: Generated<Timestamp>;
  ended_at: Timestamp | null;
}

export interface EscalationsTable {
  id: Generated<string>;
  contact_id: string;
  programme_id: string;
  conversation_id: string | null;
  raised_by: string | null;
  raised_at: Generated<Timestamp>;
  recipient: (typeof ESCALATION_RECIPIENTS)[number];
  urgency: (typeof ESCALATION_URGENCIES)[number];
  colour: 'orange' | 'red';
  reasons: EscalationReason[];
  /** Sealed text (contextOf('escalations.note', person hash)). */
  note: string | null;
  acknowledged_at: Timestamp | null;
  acknowledged_by: string | null;
}

export interface ServicesTable {
  id: Generated<string>;
  project_id: string;
  organisation_id: string | null;
  name: string;
  kind: ServiceKind;
  nis_codes: Generated<string[]>;
  languages: Generated<string[]>;
  phone: string | null;
  email: string | null;
  website: string | null;
  description: Generated<string>;
  active: Generated<boolean>;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface ServiceReferralsTable {
  id: Generated<string>;
  contact_id: string;
  programme_id: string;
  conversation_id: string | null;
  service_id: string;
  service_kind: ServiceKind;
  status: ReferralStatus;
  proposed_at: Generated<Timestamp>;
  accepted_at: Timestamp | null;
  taken_up_at: Timestamp | null;
  declined_at: Timestamp | null;
  created_by: string | null;
  updated_at: Generated<Timestamp>;
}

/** The outreach columns migration 202612010001 adds to referrals' contacts table. */
export interface ContactOutreachColumns {
  assigned_to: string | null;
  lease_holder: string | null;
  lease_until: Timestamp | null;
  attempt_count: Generated<number>;
  last_attempt_at: Timestamp | null;
  next_due_at: Timestamp | null;
  follow_up_at: Timestamp | null;
  reached_at: Timestamp | null;
  escalated_at: Timestamp | null;
  closed_by: string | null;
  /** The dossier's date of the facts, copied by a trigger (migration 202612010002) for the order of work. */
  facts_on: Generated<string | null>;
  /** Where its conversations stand (migration 202612020001, kept by triggers): held, else refused, else null. */
  talk: Generated<'held' | 'refused' | null>;
  /** The service kinds of its referrals not declined (kept by triggers); null without one. */
  referred_kinds: Generated<ServiceKind[] | null>;
  /** One of its referrals was taken up (kept by triggers). */
  taken_up: Generated<boolean>;
}

declare module '../../kernel/db/schema.ts' {
  interface Database {
    outreach_settings: OutreachSettingsTable;
    contact_safety: ContactSafetyTable;
    attempts: AttemptsTable;
    scenarios: ScenariosTable;
    conversations: ConversationsTable;
    escalations: EscalationsTable;
    services: ServicesTable;
    service_referrals: ServiceReferralsTable;
  }
}
