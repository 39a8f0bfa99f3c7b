/**
 * The callers' side of the outreach as the web app reads it: the shapes of the worklist, contact
 * card, attempts, conversations, escalations, directory and referral APIs, their paths and queries,
 * the labels of their codes, and moments in Europe/Brussels (the attempt rule's parts of the day).
 * Browser-safe: the server's modules are imported for their constants, types and pure functions
 * only (schema.ts and rules.ts hold no server code).
 */
import { type QueryClient, useQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useCallback } from 'react';
import { useSearchParams } from 'react-router';
import { addDays, brusselsTime, CALL_WINDOWS, localDay, partOfDay } from '../../modules/outreach/rules.ts';
import type { ScenarioDefinition, ScenarioQuestion } from '../../modules/outreach/scenarios.ts';
import {
  ATTEMPT_CHANNELS,
  type AttemptChannel,
  type AttemptOutcome,
  ESCALATION_REASONS,
  ESCALATION_RECIPIENTS,
  ESCALATION_URGENCIES,
  PARTS_OF_DAY,
  type PartOfDay,
  type ReferralStatus,
  SERVICE_KINDS,
  type ServiceKind,
  type VoicemailRule,
} from '../../modules/outreach/schema.ts';
import { get, queryString } from '../app/api.ts';
import type { Paged } from '../app/types.ts';

export type { AttemptChannel, AttemptOutcome, PartOfDay, ReferralStatus, ScenarioDefinition, ScenarioQuestion, ServiceKind, VoicemailRule };
export { ATTEMPT_CHANNELS, ESCALATION_REASONS, ESCALATION_RECIPIENTS, ESCALATION_URGENCIES, PARTS_OF_DAY, SERVICE_KINDS };

/** The namespace of these screens' words. */
export const NS = 'outreach';

/** The states of the order of work (worklist.ts WORK_STATES), in that order. */
export const WORK_STATES = ['follow_up', 'in_progress', 'new', 'not_due'] as const;
export type WorkState = (typeof WORK_STATES)[number];

/**
 * The outcomes of a phone call, in the order of their keyboard shortcuts 1–8. A text message or a
 * letter has one outcome: `sent`.
 */
export const PHONE_OUTCOMES = [
  'no_answer',
  'voicemail_not_left',
  'voicemail_neutral',
  'busy',
  'not_in_service',
  'wrong_person',
  'someone_else',
  'reached',
] as const satisfies readonly AttemptOutcome[];

/** How a caller may close a contact (worklist.ts CALLER_OUTCOMES); the card says which fit now. */
export const CLOSE_OUTCOMES = ['conversation', 'refused', 'unreachable', 'not_informed', 'letter_sent'] as const;
export type CloseOutcome = (typeof CLOSE_OUTCOMES)[number];

export type Recipient = (typeof ESCALATION_RECIPIENTS)[number];
export type Urgency = (typeof ESCALATION_URGENCIES)[number];
export type Reason = (typeof ESCALATION_REASONS)[number];

export interface Person {
  id: string;
  displayName: string;
}

export interface WorklistItem {
  id: string;
  ref: string;
  dossierId: string;
  dossierRef: string;
  municipality: string | null;
  nisCode: string | null;
  factsOn: string | null;
  language: string | null;
  hasPhone: boolean;
  attemptCount: number;
  nextDueAt: string | null;
  followUpAt: string | null;
  reached: boolean;
  receivedAt: string;
  state: WorkState;
  assignedTo: Person | null;
  leasedBy: Person | null;
  leaseUntil: string | null;
}

export interface Municipality {
  nisCode: string;
  name: string;
}

export interface Settings {
  maxAttempts: number;
  distinctDays: boolean;
  distinctParts: boolean;
  leaseMinutes: number;
  voicemail: VoicemailRule;
  updatedAt: string | null;
}

export type RuleRefusal = 'same_day' | 'same_part_of_day' | 'max_attempts';

export interface RuleState {
  maxAttempts: number;
  distinctDays: boolean;
  distinctParts: boolean;
  /** false once the contact was reached: later calls are follow-ups */
  applies: boolean;
  phoneAttempts: number;
  attemptsLeft: number;
  callNow: { ok: boolean; reason: RuleRefusal | null };
  nextDueAt: string | null;
  proposal: { at: string; partOfDay: PartOfDay } | null;
}

export interface ContactState {
  id: string;
  ref: string;
  status: 'open' | 'closed';
  outcome: string | null;
  attemptCount: number;
  reachedAt: string | null;
  nextDueAt: string | null;
  followUpAt: string | null;
  leaseUntil: string | null;
  leasedByMe: boolean;
  closeOptions: CloseOutcome[];
  rule: RuleState;
}

export interface Safety {
  voicemail: VoicemailRule;
  voicemailSource: 'contact' | 'programme';
  otherPartySameAddress: boolean | null;
  safeParts: PartOfDay[];
  someoneElseAnswered: boolean;
  instruction: 'end_call_without_reason' | null;
  askFor: string | null;
  safeHours: string | null;
  notes: string | null;
  updatedAt: string | null;
}

export interface Attempt {
  id: string;
  attemptNo: number;
  at: string;
  localDay: string;
  partOfDay: PartOfDay;
  channel: AttemptChannel;
  outcome: AttemptOutcome;
  note: string | null;
  caller: Person | null;
}

/** The safe-contact card: reading it opens the identity, recorded in the audit trail. */
export interface Card {
  contact: ContactState & { language: string | null; role: string | null; hasPhone: boolean };
  identity: { firstName: string | null; lastName: string | null; phones: { kind: 'mobile' | 'phone'; number: string }[] } | null;
  dossier: {
    id: string;
    ref: string;
    municipality: string | null;
    nisCode: string | null;
    relation: string | null;
    minorsPresent: boolean | null;
    factsOn: string | null;
  };
  safety: Safety;
  attempts: Attempt[];
}

export type Answer = boolean | number | string;

export interface Escalation {
  id: string;
  contactId: string;
  dossierId: string;
  conversationId: string | null;
  raisedBy: string | null;
  raisedAt: string;
  recipient: Recipient;
  urgency: Urgency;
  colour: 'orange' | 'red';
  reasons: Reason[];
  hasNote: boolean;
  municipality: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

/** What raising answers: the dossier's colour now, and whether the contact was closed by it. */
export interface Raised extends Escalation {
  dossierColour: 'orange' | 'red';
  contactClosed: boolean;
}

export interface Conversation {
  id: string;
  contactId: string;
  attemptId: string | null;
  callerId: string | null;
  status: 'in_progress' | 'held' | 'refused';
  scenario: { id: string; key: string; version: number; isDefault: boolean };
  answers: Record<string, Answer>;
  freeTextAnswered: string[];
  startedAt: string;
  endedAt: string | null;
  contact: { status: 'open' | 'closed'; outcome: string | null };
  escalations: Escalation[];
}

/** A conversation as read back, with its free text opened (an audited read). */
export interface ConversationRead extends Conversation {
  freeText: Record<string, string>;
}

export interface Scenario {
  id: string;
  key: string;
  version: number;
  status: 'draft' | 'published' | 'retired';
  isDefault: boolean;
  createdAt: string;
  publishedAt: string | null;
  definition: ScenarioDefinition;
}

export interface Service {
  id: string;
  projectId: string;
  organisationId: string | null;
  organisationName: string | null;
  name: string;
  kind: ServiceKind;
  nisCodes: string[];
  languages: string[];
  phone: string | null;
  email: string | null;
  website: string | null;
  description: string;
  active: boolean;
}

export interface Referral {
  id: string;
  contactId: string;
  conversationId: string | null;
  serviceId: string;
  serviceName: string;
  serviceActive: boolean;
  serviceKind: ServiceKind;
  status: ReferralStatus;
  proposedAt: string;
  acceptedAt: string | null;
  takenUpAt: string | null;
  declinedAt: string | null;
  createdBy: string | null;
  updatedAt: string;
}

export interface FollowUp {
  contactId: string;
  followUpAt: string | null;
  nextDueAt: string | null;
}

/** C-1A2B3C: the reference the API writes (referrals' refOf, which is server code). */
export const refOf = (prefix: 'C' | 'D', id: string) => `${prefix}-${id.replace(/-/g, '').slice(0, 6).toUpperCase()}`;

// ---- Paths and queries ----------------------------------------------------------------------

export const programmePath = (programmeId: string) => `/api/programmes/${programmeId}`;
export const contactPath = (programmeId: string, contactId: string) => `${programmePath(programmeId)}/contacts/${contactId}`;
export const conversationPath = (programmeId: string, conversationId: string) => `${programmePath(programmeId)}/conversations/${conversationId}`;

/** The pages of a contact, keeping the programme in the address. */
export const cardUrl = (contactId: string, search: string) => `/outreach/contacts/${contactId}${search}`;
export const conversationUrl = (contactId: string, search: string) => `/outreach/contacts/${contactId}/conversation${search}`;
export const referralUrl = (contactId: string, search: string, conversationId?: string | null) =>
  `/outreach/contacts/${contactId}/referral${search}${conversationId ? `${search ? '&' : '?'}conversation=${conversationId}` : ''}`;
/** The worklist as the caller left it (its filters and page), in the same programme. */
export function worklistUrl(search: string): string {
  let last: string | null = null;
  try {
    last = sessionStorage.getItem(WORKLIST_KEY);
  } catch {
    // no storage: the programme alone
  }
  const programme = new URLSearchParams(search).get('programme');
  if (last && programme && new URLSearchParams(last).get('programme') === programme) return `/outreach${last}`;
  return `/outreach${search}`;
}
const WORKLIST_KEY = 'haven.outreach.worklist';
/** Remembers the worklist's address (filters, page) for the way back from a contact. */
export function rememberWorklist(search: string): void {
  try {
    sessionStorage.setItem(WORKLIST_KEY, search);
  } catch {
    // no storage: the way back shows the whole list
  }
}

export interface WorklistFilter {
  nisCode: string;
  language: string;
  status: string;
  page: number;
  pageSize: number;
}

export function useWorklist(programmeId: string | null, f: WorklistFilter) {
  const q = { holder: 'me', nisCode: f.nisCode, language: f.language, status: f.status, page: f.page, pageSize: f.pageSize };
  return useQuery({
    queryKey: ['worklist', programmeId, 'mine', q],
    queryFn: () => get<Paged<WorklistItem>>(`${programmePath(programmeId as string)}/worklist${queryString(q)}`),
    enabled: !!programmeId,
    placeholderData: (prev) => prev,
    // Leases end and attempts fall due while the list is on screen.
    staleTime: 0,
    refetchInterval: 60_000,
  });
}

export function useMunicipalities(programmeId: string | null) {
  return useQuery({
    queryKey: ['worklist', programmeId, 'municipalities'],
    queryFn: () => get<{ items: Municipality[] }>(`${programmePath(programmeId as string)}/worklist/municipalities`),
    enabled: !!programmeId,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useSettings(programmeId: string | null) {
  return useQuery({
    queryKey: ['outreach-settings', programmeId],
    queryFn: () => get<Settings>(`${programmePath(programmeId as string)}/outreach/settings`),
    enabled: !!programmeId,
  });
}

/**
 * The card's key. Every read of the card opens the person's identity and is recorded, so it is
 * read once per visit (never again on its own) and the answers of later changes are merged into it;
 * the worklist drops it from memory (forgetCards).
 */
export const cardKey = (programmeId: string | null, contactId: string) => ['outreach-card', programmeId, contactId] as const;

export function useCard(programmeId: string | null, contactId: string) {
  return useQuery({
    queryKey: cardKey(programmeId, contactId),
    queryFn: () => get<Card>(`${contactPath(programmeId as string, contactId)}/card`),
    enabled: !!programmeId,
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnMount: false,
    refetchOnReconnect: false,
  });
}

/** Identities leave memory when the caller goes back to the list. */
export function forgetCards(qc: QueryClient): void {
  qc.removeQueries({ queryKey: ['outreach-card'] });
  qc.removeQueries({ queryKey: ['outreach-conversations'] });
}

/** Merges a new state of the contact into the card held in memory. */
export function mergeContact(qc: QueryClient, programmeId: string, contactId: string, contact: Partial<ContactState>, extra: Partial<Card> = {}): void {
  qc.setQueryData<Card>(cardKey(programmeId, contactId), (old) => (old ? { ...old, ...extra, contact: { ...old.contact, ...contact } } : old));
}

/** The conversations of a contact, with their free text (each read is recorded). */
export function useConversations(programmeId: string | null, contactId: string, enabled = true) {
  return useQuery({
    queryKey: ['outreach-conversations', programmeId, contactId],
    queryFn: () => get<{ items: ConversationRead[] }>(`${contactPath(programmeId as string, contactId)}/conversations`),
    enabled: !!programmeId && enabled,
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnMount: false,
  });
}

export function useScenario(programmeId: string | null, scenarioId: string | null) {
  return useQuery({
    queryKey: ['scenarios', programmeId, scenarioId],
    queryFn: () => get<Scenario>(`${programmePath(programmeId as string)}/scenarios/${scenarioId}`),
    enabled: !!programmeId && !!scenarioId,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export interface ServiceFilter {
  kind: string;
  nisCode: string;
  language: string;
}

export function useServices(programmeId: string | null, f: ServiceFilter) {
  const q = { kind: f.kind, nisCode: f.nisCode, language: f.language, active: 'true', page: 1, pageSize: 100 };
  return useQuery({
    queryKey: ['services', programmeId, 'directory', q],
    queryFn: () => get<Paged<Service>>(`${programmePath(programmeId as string)}/services${queryString(q)}`),
    enabled: !!programmeId,
    placeholderData: (prev) => prev,
  });
}

export function useReferrals(programmeId: string | null, contactId: string) {
  return useQuery({
    queryKey: ['outreach-referrals', programmeId, contactId],
    queryFn: () => get<{ items: Referral[] }>(`${contactPath(programmeId as string, contactId)}/referrals`),
    enabled: !!programmeId,
  });
}

/**
 * Changes some parameters of the address (empty: removed), from the address as it is now (two
 * changes before a render must not lose the first). Filters replace the history entry.
 */
export function useSetParams() {
  const [, setParams] = useSearchParams();
  return useCallback(
    (changes: Record<string, string | number | undefined>, opts: { replace: boolean } = { replace: true }) => {
      const n = new URLSearchParams(window.location.search);
      for (const [k, v] of Object.entries(changes)) {
        if (v === undefined || v === '') n.delete(k);
        else n.set(k, String(v));
      }
      setParams(n, opts);
    },
    [setParams],
  );
}

// ---- Labels ---------------------------------------------------------------------------------

export const outcomeLabel = (t: TFunction, o: string) => t(`outreach:attemptOutcome.${o}`, { defaultValue: o });
export const channelLabel = (t: TFunction, c: string) => t(`outreach:channel.${c}`, { defaultValue: c });
export const closeOutcomeLabel = (t: TFunction, o: string) => t(`outreach:closeOutcome.${o}`, { defaultValue: o });
export const stateLabel = (t: TFunction, s: string) => t(`outreach:state.${s}`, { defaultValue: s });
export const partLabel = (t: TFunction, p: string) => t(`reports:partOfDay.${p}`, { defaultValue: p });
export const serviceKindLabel = (t: TFunction, k: string) => t(`reports:serviceKind.${k}`, { defaultValue: k });
export const referralStatusLabel = (t: TFunction, s: string) => t(`outreach:referralStatus.${s}`, { defaultValue: s });
export const recipientLabel = (t: TFunction, r: string) => t(`outreach:recipient.${r}`, { defaultValue: r });
export const urgencyLabel = (t: TFunction, u: string) => t(`outreach:urgency.${u}`, { defaultValue: u });
export const reasonLabel = (t: TFunction, r: string) => t(`outreach:reason.${r}`, { defaultValue: r });

/** The wording of a scenario in a language it has, else English (German is optional). */
export function wording(text: { nl: string; fr: string; en: string; de?: string | undefined }, lang: string): string {
  return (text as Record<string, string | undefined>)[lang] ?? text.en;
}

// ---- Moments in Europe/Brussels ------------------------------------------------------------

const hm = new Intl.DateTimeFormat('nl-BE', { timeZone: 'Europe/Brussels', hour: '2-digit', minute: '2-digit', hour12: false });

/** 14:05, in Brussels. */
export function formatTime(d: Date | string): string {
  return hm.format(typeof d === 'string' ? new Date(d) : d);
}

/** Today in Brussels, yyyy-mm-dd. */
export const today = (now = new Date()) => localDay(now);
export const tomorrow = (now = new Date()) => addDays(localDay(now), 1);
export { partOfDay };

/** "14:05" typed for an attempt earlier today → the instant; '' → undefined (now); else null. */
export function attemptTime(text: string, now = new Date()): Date | undefined | null {
  const v = text.trim();
  if (!v) return undefined;
  const m = /^(\d{1,2})[:.h](\d{2})$/.exec(v);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) return null;
  return new Date(brusselsTime(localDay(now), h).getTime() + min * 60_000);
}

/** The start of a part of the day's calling hours on a Brussels day: when a follow-up call is due. */
export function followUpMoment(day: string, part: PartOfDay): Date {
  return brusselsTime(day, CALL_WINDOWS[part][0]);
}

/** The calling hours of a part of the day, e.g. "12:00–18:00". */
export function callWindow(part: PartOfDay): string {
  const [from, to] = CALL_WINDOWS[part];
  return `${String(from).padStart(2, '0')}:00–${String(to).padStart(2, '0')}:00`;
}
