/**
 * The coordinator's side of the outreach as the web app reads it: the shapes of the funnel,
 * escalation list, services form, scenario list, assignment APIs, where their routes are, their
 * queries, and the labels of their codes. What the callers' screens read too (escalations,
 * services, scenarios, municipalities, settings…) is defined once in outreach.ts and passed on
 * from here. Browser-safe: the server's modules are imported for their types and constants only
 * (schema.ts holds no runtime code).
 */
import { useQueries, useQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { type Permission, scopeOf } from '../../kernel/authz/permissions.ts';
import type { FunnelLine, Funnel as ServerFunnel } from '../../modules/outreach/funnel.ts';
import type { QuestionType, MARKED_REASONS as ServerMarkedReasons } from '../../modules/outreach/scenarios.ts';
import { VOICEMAIL_RULES } from '../../modules/outreach/schema.ts';
import { get, queryString } from '../app/api.ts';
import { useSession } from '../app/session.tsx';
import type { Paged } from '../app/types.ts';
import { useReferralProgrammes } from '../referrals/ProgrammePicker.tsx';
import {
  type Escalation,
  type Municipality,
  programmePath,
  type Scenario,
  type ScenarioVersion,
  type ServiceKind,
  scenariosKey,
  scenariosPath,
  type WorklistItem,
} from './outreach.ts';

export type { FunnelLine, QuestionType };
export { VOICEMAIL_RULES };

/** The namespace of these screens' words. */
export const NS = 'outreachAdmin';

// What both sides read is defined once, in the callers' outreach.ts.
export {
  type Escalation,
  type Municipality,
  type OutreachSettings,
  partLabel,
  refOf,
  type Scenario,
  type ScenarioDefinition,
  type ScenarioVersion,
  SERVICE_KINDS,
  type Service,
  type ServiceFilter,
  type ServiceKind,
  scenariosKey,
  scenariosPath,
  serviceKindLabel,
  servicesPath,
  settingsPath,
  type Urgency,
  useChangeParams,
  useMunicipalities,
  useOutreachSettings,
  useScenario,
  useServices,
  type VoicemailRule,
  WORK_STATES,
  type WorklistItem,
} from './outreach.ts';

/** True when the user holds `permission` in that programme (or everywhere). */
export function useAllows(permission: Permission, programmeId: string | null): boolean {
  const { session } = useSession();
  if (!programmeId || !session) return false;
  const scope = scopeOf(session.grants, permission);
  return scope.kind === 'all' || (scope.kind === 'programmes' && scope.ids.includes(programmeId));
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
export type Funnel = ServerFunnel & { municipalities: Municipality[] };

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
    queryFn: () => get<Funnel>(`${programmePath(programmeId as string)}/funnel${queryString(funnelQuery(f as FunnelFilter))}`),
    enabled: !!programmeId && !!f,
    placeholderData: (prev) => prev,
  });
}

/** The address of the funnel as a file (same filters; labels in `lang`). */
export const funnelFileUrl = (programmeId: string, f: FunnelFilter, ext: 'csv' | 'xlsx', lang: string) =>
  `${programmePath(programmeId)}/funnel.${ext}${queryString({ ...funnelQuery(f), lang })}`;

export function useFunnelContacts(programmeId: string, f: FunnelFilter, drill: Drill | null, page: number, pageSize: number) {
  const q = { ...funnelQuery(f), ...(drill ?? {}), page, pageSize };
  return useQuery({
    queryKey: ['funnel', programmeId, 'contacts', q],
    queryFn: () => get<Paged<FunnelContact>>(`${programmePath(programmeId)}/funnel/contacts${queryString(q)}`),
    enabled: !!drill,
    placeholderData: (prev) => prev,
  });
}

/** The label of a funnel line (the reports catalogue, as in the CSV and the XLSX). */
export function lineLabel(t: TFunction, line: FunnelLine, maxAttempts: number, kind?: ServiceKind | null): string {
  return t(`reports:funnel.line.${line}`, { n: maxAttempts, kind: kind ? t(`reports:serviceKind.${kind}`) : '' });
}

// ---- Escalations ------------------------------------------------------------------------------

export type EscalationState = 'open' | 'acknowledged' | 'all';

export const escalationsPath = (programmeId: string) => `${programmePath(programmeId)}/escalations`;

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

export function useScenarios(programmeId: string | null) {
  return useQuery({
    queryKey: scenariosKey(programmeId),
    queryFn: () => get<{ current: Scenario; versions?: ScenarioVersion[] }>(scenariosPath(programmeId as string)),
    enabled: !!programmeId,
  });
}

// ---- Assignment and settings ------------------------------------------------------------------

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

export interface AssignFilter {
  holder: string;
  nisCode: string;
  status: string;
}

export const worklistPath = (programmeId: string) => `${programmePath(programmeId)}/worklist`;

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
    queryFn: () => get<{ items: Member[] }>(`${programmePath(programmeId as string)}/members`),
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
