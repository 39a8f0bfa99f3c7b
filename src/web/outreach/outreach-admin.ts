/**
 * The coordinator's side of the outreach as the web app reads it: the shapes of the funnel,
 * escalations, services, scenarios, assignment and settings APIs, where their routes are, their
 * queries, and the labels of their codes. Browser-safe: the server's modules are imported for
 * their types and constants only (schema.ts holds no runtime code).
 */
import { useQueries, useQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useCallback } from 'react';
import { useSearchParams } from 'react-router';
import { type Permission, scopeOf } from '../../kernel/authz/permissions.ts';
import type { FunnelLine, Funnel as ServerFunnel } from '../../modules/outreach/funnel.ts';
import type { QuestionType, ScenarioDefinition, ScenarioStatus, MARKED_REASONS as ServerMarkedReasons } from '../../modules/outreach/scenarios.ts';
import {
  ESCALATION_REASONS,
  ESCALATION_RECIPIENTS,
  ESCALATION_URGENCIES,
  PARTS_OF_DAY,
  type PartOfDay,
  SERVICE_KINDS,
  type ServiceKind,
  VOICEMAIL_RULES,
  type VoicemailRule,
} from '../../modules/outreach/schema.ts';
import type { WorkState } from '../../modules/outreach/worklist.ts';
import { get, queryString } from '../app/api.ts';
import { useSession } from '../app/session.tsx';
import type { Paged } from '../app/types.ts';
import type { Colour } from '../referrals/intake.ts';
import { useReferralProgrammes } from '../referrals/ProgrammePicker.tsx';
import type { WorklistItem } from './outreach.ts';

export type { FunnelLine, PartOfDay, QuestionType, ScenarioDefinition, ScenarioStatus, ServiceKind, VoicemailRule, WorkState };
export { ESCALATION_REASONS, ESCALATION_RECIPIENTS, ESCALATION_URGENCIES, PARTS_OF_DAY, SERVICE_KINDS, VOICEMAIL_RULES };

/** The namespace of these screens' words. */
export const NS = 'outreachAdmin';

// The worklist's shapes and references are the callers' (outreach.ts): one definition each.
export { type Person, refOf, type WorklistItem } from './outreach.ts';

/** True when the user holds `permission` in that programme (or everywhere). */
export function useAllows(permission: Permission, programmeId: string | null): boolean {
  const { session } = useSession();
  if (!programmeId || !session) return false;
  const scope = scopeOf(session.grants, permission);
  return scope.kind === 'all' || (scope.kind === 'programmes' && scope.ids.includes(programmeId));
}

const base = (programmeId: string) => `/api/programmes/${programmeId}`;

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

// ---- The funnel -------------------------------------------------------------------------------

export interface FunnelFilter {
  from: string;
  to: string;
  nisCode: string;
}

// The funnel's shapes are the server's (funnel.ts, types only); the route adds the municipalities
// the filter offers.
export type { FunnelLineCount, ReachRate } from '../../modules/outreach/funnel.ts';
export type Funnel = ServerFunnel & { municipalities: { nisCode: string; name: string }[] };

/** A line of the funnel whose contacts can be listed (or a figure of the reach rate by attempt). */
export interface Drill {
  line: FunnelLine | 'phone_attempt' | 'phone_attempt_reached';
  kind?: ServiceKind;
  attemptNo?: number;
}

export interface FunnelContact {
  id: string;
  ref: string;
  dossierId: string;
  dossierRef: string;
  nisCode: string | null;
  municipality: string | null;
  status: 'open' | 'closed';
  outcome: string | null;
  attemptCount: number;
  receivedAt: string;
  reachedAt: string | null;
  closedAt: string | null;
}

const funnelQuery = (f: FunnelFilter) => ({ from: f.from, to: f.to, nisCode: f.nisCode || undefined });

export function useFunnel(programmeId: string | null, f: FunnelFilter | null) {
  return useQuery({
    queryKey: ['funnel', programmeId, f],
    queryFn: () => get<Funnel>(`${base(programmeId as string)}/funnel${queryString(funnelQuery(f as FunnelFilter))}`),
    enabled: !!programmeId && !!f,
    placeholderData: (prev) => prev,
  });
}

/** The address of the funnel as a file (same filters; labels in `lang`). */
export const funnelFileUrl = (programmeId: string, f: FunnelFilter, ext: 'csv' | 'xlsx', lang: string) =>
  `${base(programmeId)}/funnel.${ext}${queryString({ ...funnelQuery(f), lang })}`;

export function useFunnelContacts(programmeId: string, f: FunnelFilter, drill: Drill | null, page: number, pageSize: number) {
  const q = { ...funnelQuery(f), ...(drill ?? {}), page, pageSize };
  return useQuery({
    queryKey: ['funnel', programmeId, 'contacts', q],
    queryFn: () => get<Paged<FunnelContact>>(`${base(programmeId)}/funnel/contacts${queryString(q)}`),
    enabled: !!drill,
    placeholderData: (prev) => prev,
  });
}

/** The label of a funnel line (the reports catalogue, as in the CSV and the XLSX). */
export function lineLabel(t: TFunction, line: FunnelLine, maxAttempts: number, kind?: ServiceKind | null): string {
  return t(`reports:funnel.line.${line}`, { n: maxAttempts, kind: kind ? t(`reports:serviceKind.${kind}`) : '' });
}

export const serviceKindLabel = (t: TFunction, kind: string) => t(`reports:serviceKind.${kind}`, { defaultValue: kind });
export const partOfDayLabel = (t: TFunction, p: string) => t(`reports:partOfDay.${p}`, { defaultValue: p });

// ---- Escalations ------------------------------------------------------------------------------

export type Recipient = (typeof ESCALATION_RECIPIENTS)[number];
export type Urgency = (typeof ESCALATION_URGENCIES)[number];
export type Reason = (typeof ESCALATION_REASONS)[number];

export interface Escalation {
  id: string;
  contactId: string;
  dossierId: string;
  conversationId: string | null;
  raisedBy: string | null;
  raisedAt: string;
  recipient: Recipient;
  urgency: Urgency;
  colour: Exclude<Colour, 'green'>;
  reasons: Reason[];
  hasNote: boolean;
  municipality: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

export type EscalationState = 'open' | 'acknowledged' | 'all';

export const escalationsPath = (programmeId: string) => `${base(programmeId)}/escalations`;

export function useEscalations(programmeId: string | null, state: EscalationState, page: number, pageSize: number) {
  const q = { state, page, pageSize };
  return useQuery({
    queryKey: ['escalations', programmeId, 'list', q],
    queryFn: () => get<Paged<Escalation> & { open: number }>(`${escalationsPath(programmeId as string)}${queryString(q)}`),
    enabled: !!programmeId,
    placeholderData: (prev) => prev,
    refetchInterval: ESCALATION_POLL_MS,
  });
}

/** How often the coordinator's screens ask for new escalations. */
export const ESCALATION_POLL_MS = 60_000;

/**
 * The open escalations of every outreach programme where the user reads them, asked again every
 * minute: the count beside "Escalations" in the navigation.
 */
export function useOpenEscalationCount(): number | null {
  const { can } = useSession();
  const { items } = useReferralProgrammes('escalations.read');
  const enabled = can('escalations.read');
  const counts = useQueries({
    queries: (enabled ? items : []).map((p) => ({
      queryKey: ['escalations', p.id, 'open-count'],
      queryFn: () => get<{ open: number }>(`${escalationsPath(p.id)}${queryString({ state: 'open', pageSize: 1 })}`),
      refetchInterval: ESCALATION_POLL_MS,
    })),
  });
  if (!enabled || counts.length === 0 || counts.every((c) => c.data === undefined)) return null;
  return counts.reduce((n, c) => n + (c.data?.open ?? 0), 0);
}

// ---- Services ---------------------------------------------------------------------------------

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
  referrals: number;
  createdAt: string;
  updatedAt: string;
}

export interface ServiceInput {
  organisationId: string | null;
  name: string;
  kind: ServiceKind | '';
  nisCodes: string[];
  languages: string[];
  phone: string;
  email: string;
  website: string;
  description: string;
  active: boolean;
}

export interface ServiceFilter {
  kind: string;
  nisCode: string;
  language: string;
  active: string;
}

export const servicesPath = (programmeId: string) => `${base(programmeId)}/services`;

export function useServices(programmeId: string | null, f: ServiceFilter, page: number, pageSize: number) {
  const q = { kind: f.kind, nisCode: f.nisCode, language: f.language, active: f.active, page, pageSize };
  return useQuery({
    queryKey: ['services', programmeId, q],
    queryFn: () => get<Paged<Service>>(`${servicesPath(programmeId as string)}${queryString(q)}`),
    enabled: !!programmeId,
    placeholderData: (prev) => prev,
  });
}

// ---- Scenarios --------------------------------------------------------------------------------

/** The answer types (scenarios.ts's QUESTION_TYPES, which is server code). */
export const QUESTION_TYPES = ['yes_no', 'scale', 'choice', 'text'] as const satisfies readonly QuestionType[];
/** The reasons a marked answer gives (scenarios.ts's MARKED_REASONS). */
export const MARKED_REASONS = ['threats', 'strangulation', 'weapons', 'fear_for_life', 'children_in_danger'] as const satisfies typeof ServerMarkedReasons;
export type MarkedReason = (typeof MARKED_REASONS)[number];
export const SCALE = [1, 2, 3, 4, 5] as const;
/** The languages a scenario is worded in; German is optional. */
export const WORDING_LOCALES = ['nl', 'fr', 'en', 'de'] as const;
export type WordingLocale = (typeof WORDING_LOCALES)[number];

export interface ScenarioVersion {
  id: string;
  key: string;
  version: number;
  status: ScenarioStatus;
  isDefault: boolean;
  createdAt: string;
  publishedAt: string | null;
}

export interface Scenario extends ScenarioVersion {
  definition: ScenarioDefinition;
}

export const scenariosPath = (programmeId: string) => `${base(programmeId)}/scenarios`;
export const scenariosKey = (programmeId: string | null) => ['scenarios', programmeId] as const;

export function useScenarios(programmeId: string | null) {
  return useQuery({
    queryKey: scenariosKey(programmeId),
    queryFn: () => get<{ current: Scenario; versions?: ScenarioVersion[] }>(scenariosPath(programmeId as string)),
    enabled: !!programmeId,
  });
}

export function useScenario(programmeId: string | null, scenarioId: string) {
  return useQuery({
    queryKey: [...scenariosKey(programmeId), scenarioId],
    queryFn: () => get<Scenario>(`${scenariosPath(programmeId as string)}/${scenarioId}`),
    enabled: !!programmeId,
  });
}

// ---- Assignment and settings ------------------------------------------------------------------

export const WORK_STATES = ['follow_up', 'in_progress', 'new', 'not_due'] as const satisfies readonly WorkState[];

export interface Holders {
  holders: { userId: string; displayName: string; roles: string[]; assigned: number; assignedDue: number; leased: number }[];
  open: number;
  unassigned: number;
  unassignedDue: number;
}

export interface Member {
  userId: string;
  displayName: string;
  organisationName: string;
  role: string;
  active: boolean;
}

export interface OutreachSettings {
  maxAttempts: number;
  distinctDays: boolean;
  distinctParts: boolean;
  leaseMinutes: number;
  voicemail: VoicemailRule;
  updatedAt: string | null;
}

export interface AssignFilter {
  holder: string;
  nisCode: string;
  status: string;
}

export const worklistPath = (programmeId: string) => `${base(programmeId)}/worklist`;
export const settingsPath = (programmeId: string) => `${base(programmeId)}/outreach/settings`;

export function useAssignList(programmeId: string | null, f: AssignFilter, page: number, pageSize: number) {
  const q = { holder: f.holder || 'all', nisCode: f.nisCode, status: f.status, page, pageSize };
  return useQuery({
    queryKey: ['worklist', programmeId, 'assign', q],
    queryFn: () => get<Paged<WorklistItem>>(`${worklistPath(programmeId as string)}${queryString(q)}`),
    enabled: !!programmeId,
    placeholderData: (prev) => prev,
  });
}

export function useHolders(programmeId: string | null) {
  return useQuery({
    queryKey: ['worklist', programmeId, 'holders'],
    queryFn: () => get<Holders>(`${worklistPath(programmeId as string)}/holders`),
    enabled: !!programmeId,
  });
}

/** Who can be given contacts: active callers and coordinators of the programme, once each. */
export function useWorkers(programmeId: string | null) {
  const members = useQuery({
    queryKey: ['programmes', programmeId, 'members'],
    queryFn: () => get<{ items: Member[] }>(`${base(programmeId as string)}/members`),
    enabled: !!programmeId,
  });
  const seen = new Map<string, Member & { roles: string[] }>();
  for (const m of members.data?.items ?? []) {
    if (!m.active || (m.role !== 'caller' && m.role !== 'coordinator')) continue;
    const known = seen.get(m.userId);
    if (known) known.roles.push(m.role);
    else seen.set(m.userId, { ...m, roles: [m.role] });
  }
  const workers = [...seen.values()].sort((a, b) => a.displayName.localeCompare(b.displayName));
  return { workers, isPending: members.isPending && !!programmeId, error: members.error };
}

/** The project's municipalities by name (outreach.work: callers and coordinators), for the filters. */
export function useMunicipalities(programmeId: string | null) {
  const query = useQuery({
    queryKey: ['worklist', programmeId, 'municipalities'],
    queryFn: () => get<{ items: { nisCode: string; name: string }[] }>(`${worklistPath(programmeId as string)}/municipalities`),
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

// ---- Small helpers ----------------------------------------------------------------------------

/** 0.4567 → "45.7%" in the user's language. */
export function formatPercent(rate: number | null, locale: string): string {
  if (rate === null) return '—';
  return new Intl.NumberFormat(`${locale}-BE`, { style: 'percent', maximumFractionDigits: 1 }).format(rate);
}

/** 1 January … 31 December of the current year in Brussels, as yyyy-mm-dd. */
export function thisYear(now = new Date()): { from: string; to: string } {
  const year = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Brussels', year: 'numeric' }).format(now);
  return { from: `${year}-01-01`, to: `${year}-12-31` };
}
