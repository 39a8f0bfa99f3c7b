/**
 * The callers' side of the outreach as the web app reads it: the shapes of the worklist, contact
 * card, attempts, conversations, escalations, directory and referral APIs, their paths and queries,
 * the labels of their codes, and moments in Europe/Brussels (the attempt rule's parts of the day).
 * What the coordinator's screens read too (escalations, services, scenarios, municipalities, the
 * attempt rule's settings, the address's parameters) is defined here once; outreach-admin.ts
 * passes it on. Browser-safe: the server's modules are imported for their constants, types and
 * pure functions only (schema.ts and rules.ts hold no server code; the rest is `import type`).
 */
import { type QueryClient, useQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useCallback } from 'react';
import { useSearchParams } from 'react-router';
import { addDays, brusselsTime, CALL_WINDOWS, localDay, partOfDay } from '../../modules/outreach/rules.ts';
import type { ScenarioDefinition, ScenarioQuestion, ScenarioStatus } from '../../modules/outreach/scenarios.ts';
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
import type { Service } from '../../modules/outreach/services.ts';
import type { WorkState as ServerWorkState } from '../../modules/outreach/worklist.ts';
import { get, queryString } from '../app/api.ts';
import type { Paged } from '../app/types.ts';

export type {
  AttemptChannel,
  AttemptOutcome,
  PartOfDay,
  ReferralStatus,
  ScenarioDefinition,
  ScenarioQuestion,
  ScenarioStatus,
  Service,
  ServiceKind,
  VoicemailRule,
};
export { ATTEMPT_CHANNELS, ESCALATION_REASONS, ESCALATION_RECIPIENTS, ESCALATION_URGENCIES, PARTS_OF_DAY, SERVICE_KINDS };

/** The namespace of these screens' words. */
export const NS = 'outreach';

/** The states of the order of work (worklist.ts WORK_STATES, which is server code), in that order. */
export const WORK_STATES = ['follow_up', 'in_progress', 'new', 'not_due'] as const satisfies readonly ServerWorkState[];
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

/** The programme's attempt rule and claim length (GET/PUT …/outreach/settings). */
export interface OutreachSettings {
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

export interface ScenarioVersion {
  id: string;
  key: string;
  version: number;
  status: ScenarioStatus;
  /** The scenario shipped with Haven (shared by every programme, read-only). */
  isDefault: boolean;
  createdAt: string;
  publishedAt: string | null;
}

export interface Scenario extends ScenarioVersion {
  definition: ScenarioDefinition;
}

// A service of the directory is the server's shape (services.ts, types only): with how many
// referrals point at it, and when it was created and last changed.

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
export const settingsPath = (programmeId: string) => `${programmePath(programmeId)}/outreach/settings`;
export const servicesPath = (programmeId: string) => `${programmePath(programmeId)}/services`;
export const scenariosPath = (programmeId: string) => `${programmePath(programmeId)}/scenarios`;
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

/**
 * The project's municipalities by name (outreach.work: callers and coordinators), for the filters;
 * none while they load.
 */
export function useMunicipalities(programmeId: string | null): Municipality[] {
  const query = useQuery({
    queryKey: ['worklist', programmeId, 'municipalities'],
    queryFn: () => get<{ items: Municipality[] }>(`${programmePath(programmeId as string)}/worklist/municipalities`),
    enabled: !!programmeId,
    staleTime: 5 * 60_000,
  });
  return query.data?.items ?? [];
}

export function useOutreachSettings(programmeId: string | null) {
  return useQuery({
    queryKey: ['outreach-settings', programmeId],
    queryFn: () => get<OutreachSettings>(settingsPath(programmeId as string)),
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

export const scenariosKey = (programmeId: string | null) => ['scenarios', programmeId] as const;

/**
 * One version of a scenario. `once`: read it once and keep it (a conversation's version, which is
 * published: its wording never changes); else as any other read (a draft being edited, a version
 * another coordinator may have retired).
 */
export function useScenario(programmeId: string | null, scenarioId: string | null, { once = false } = {}) {
  return useQuery({
    queryKey: [...scenariosKey(programmeId), scenarioId],
    queryFn: () => get<Scenario>(`${scenariosPath(programmeId as string)}/${scenarioId}`),
    enabled: !!programmeId && !!scenarioId,
    ...(once ? { staleTime: Number.POSITIVE_INFINITY } : {}),
  });
}

/** The directory's filters; '' is any. `active`: 'true', 'false' or ''. */
export interface ServiceFilter {
  kind: string;
  nisCode: string;
  language: string;
  active: string;
}

export function useServices(programmeId: string | null, f: ServiceFilter, page: number, pageSize: number) {
  const q = { kind: f.kind, nisCode: f.nisCode, language: f.language, active: f.active, page, pageSize };
  return useQuery({
    queryKey: ['services', programmeId, q],
    queryFn: () => get<Paged<Service>>(`${servicesPath(programmeId as string)}${queryString(q)}`),
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
 * Changes some parameters of the address (empty: removed), starting from the address as it is
 * now: react-router's functional update sees the parameters of the last render, so two changes
 * made before a render (two fields filled one after the other) would lose the first. Filters
 * replace the entry of the history; a new page of a list adds one (`replace: false`).
 */
export function useChangeParams() {
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
// The words of parts of the day and kinds of service are the reports' (as in the CSV and XLSX).
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
