/**
 * The live funnel of a programme's outreach (domain.md, "The outreach funnel"; issue 4, part 8).
 *
 * A cohort: the contacts received in a period (contacts.received_at, whole days in
 * Europe/Brussels, both ends included), optionally of one municipality (dossiers.nis_code), and
 * where each of them stands today. Counted from the pseudonymous facts only (contacts, attempts,
 * conversations, service_referrals, escalations), never the vault, so a retention purge changes no
 * figure. Where a contact's conversations, referrals and escalations stand is kept on the contact
 * by triggers (migration 202612020001), recomputed from those rows at every change.
 *
 * Every contact falls in exactly one stage (the order decides):
 *   reached        reached_at is set, whatever the outcome;
 *   not_informed   outcome not_informed (never reached);
 *   unreachable    outcome unreachable (after the programme's maximum of attempts);
 *   open           still open, not reached;
 *   closed_other   closed otherwise (letter sent, escalated without being reached…).
 * Within reached, exactly one of: conversation_held (a held conversation, or outcome
 * conversation), refused (a refused conversation or outcome refused, and none held),
 * reached_other (no conversation yet, or still in progress). Within conversation_held: referred
 * (at least one referral not declined) or not_referred; referred_kind counts the referred contacts
 * per service kind (one contact can count in several kinds); taken_up those with a referral taken
 * up. escalated cuts across: contacts with at least one escalation, at any stage.
 *
 * The same SQL predicate defines a line's count and its drill-down (`funnelContacts`), so every
 * number can be traced to the contacts behind it.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../kernel/db/database.ts';
import type { Tx } from '../../kernel/http/context.ts';
import { problems } from '../../kernel/http/problem.ts';
import { formatDateTime, type Locale, TIME_ZONE, translate } from '../../kernel/i18n/i18n.ts';
import { DEFAULT_RULE } from './rules.ts';
import { PARTS_OF_DAY, type PartOfDay, SERVICE_KINDS, type ServiceKind } from './schema.ts';

/** The lines of the funnel, in the order a report shows them. */
export const FUNNEL_LINES = [
  'received',
  'not_informed',
  'unreachable',
  'reached',
  'closed_other',
  'open',
  'refused',
  'conversation_held',
  'reached_other',
  'referred',
  'not_referred',
  'referred_kind',
  'taken_up',
  'escalated',
] as const;
export type FunnelLine = (typeof FUNNEL_LINES)[number];

/** Lines of the drill-down only: the contacts behind a figure of the reach rate by attempt number. */
export const ATTEMPT_LINES = ['phone_attempt', 'phone_attempt_reached'] as const;
export const DRILL_DOWN_LINES = [...FUNNEL_LINES, ...ATTEMPT_LINES] as const;
export type DrillDownLine = (typeof DRILL_DOWN_LINES)[number];

/** Lines of one group partition their parent line: assert it, never assume it. */
export type FunnelGroup = 'stage' | 'talk' | 'referral';
export type FunnelNote = 'several_kinds' | 'cross_cutting';

const SHAPE: Record<FunnelLine, { parent: FunnelLine | null; group: FunnelGroup | null; note: FunnelNote | null }> = {
  received: { parent: null, group: null, note: null },
  not_informed: { parent: 'received', group: 'stage', note: null },
  unreachable: { parent: 'received', group: 'stage', note: null },
  reached: { parent: 'received', group: 'stage', note: null },
  closed_other: { parent: 'received', group: 'stage', note: null },
  open: { parent: 'received', group: 'stage', note: null },
  refused: { parent: 'reached', group: 'talk', note: null },
  conversation_held: { parent: 'reached', group: 'talk', note: null },
  reached_other: { parent: 'reached', group: 'talk', note: null },
  referred: { parent: 'conversation_held', group: 'referral', note: null },
  not_referred: { parent: 'conversation_held', group: 'referral', note: null },
  referred_kind: { parent: 'referred', group: null, note: 'several_kinds' },
  taken_up: { parent: 'referred', group: null, note: null },
  escalated: { parent: null, group: null, note: 'cross_cutting' },
};
const GROUP_PARENT: Record<FunnelGroup, FunnelLine> = { stage: 'received', talk: 'reached', referral: 'conversation_held' };

/** What a funnel is asked for. Dates are yyyy-mm-dd in Europe/Brussels, `to` included. */
export interface FunnelQuery {
  programmeId: string;
  from: string;
  to: string;
  nisCode?: string | null;
}

export interface FunnelLineCount {
  line: FunnelLine;
  /** The service kind, on `referred_kind` lines only. */
  kind: ServiceKind | null;
  /** The line this one is a part of (null: the contacts received, and escalated, which cuts across). */
  parent: FunnelLine | null;
  /** The lines of a group add up to their parent: stage → received, talk → reached, referral → conversation_held. */
  group: FunnelGroup | null;
  count: number;
  note: FunnelNote | null;
}

export interface ReachRate {
  /** Phone attempts. */
  attempts: number;
  /** Of which the person was reached. */
  reached: number;
  /** reached / attempts, null without attempts. */
  rate: number | null;
}

export interface Funnel {
  programme: { id: string; slug: string; name: string };
  period: { from: string; to: string; timeZone: string };
  municipality: { nisCode: string; name: string } | null;
  /** The programme's maximum of attempts (the "N" of "unreachable after N attempts"). */
  maxAttempts: number;
  lines: FunnelLineCount[];
  /** Attempt k: phone attempts numbered k of the cohort's contacts, and how many reached the person. */
  reachByAttempt: (ReachRate & { attemptNo: number })[];
  /** Phone attempts by part of the day (Europe/Brussels: morning < 12:00, afternoon to 17:59, evening). */
  reachByPartOfDay: (ReachRate & { partOfDay: PartOfDay })[];
}

export interface ResolvedQuery extends FunnelQuery {
  programme: Funnel['programme'];
  municipality: Funnel['municipality'];
  maxAttempts: number;
}

/**
 * Checks what a schema cannot: the period runs forward, the municipality is one of the project's.
 * `fields` names the fields in errors (query parameters on the API, options on the command line).
 */
export async function resolveFunnelQuery(
  db: Db,
  q: FunnelQuery,
  fields: { to: string; nisCode: string } = { to: 'to', nisCode: 'nisCode' },
): Promise<ResolvedQuery> {
  if (q.to < q.from) throw problems.invalidField(fields.to, 'ends_before_start');
  const programme = await db
    .selectFrom('programmes as p')
    .leftJoin('outreach_settings as o', 'o.programme_id', 'p.id')
    .select(['p.id', 'p.slug', 'p.name', 'p.project_id', 'o.max_attempts'])
    .where('p.id', '=', q.programmeId)
    .executeTakeFirst();
  if (!programme) throw problems.notFound();
  let municipality: Funnel['municipality'] = null;
  if (q.nisCode) {
    const m = await db
      .selectFrom('project_municipalities')
      .select(['nis_code', 'name'])
      .where('project_id', '=', programme.project_id)
      .where('nis_code', '=', q.nisCode)
      .executeTakeFirst();
    if (!m) throw problems.invalidField(fields.nisCode, 'municipality_unknown');
    municipality = { nisCode: m.nis_code, name: m.name };
  }
  return {
    ...q,
    nisCode: q.nisCode ?? null,
    programme: { id: programme.id, slug: programme.slug, name: programme.name },
    municipality,
    maxAttempts: programme.max_attempts ?? DEFAULT_RULE.maxAttempts,
  };
}

// ---- The cohort and its classification --------------------------------------------------------

const ZONE = sql.lit(TIME_ZONE);
/** The first instant of day `d` in Brussels, and the first instant after day `d`. */
const startOf = (d: string) => sql`(${d}::date::timestamp AT TIME ZONE ${ZONE})`;
const endOf = (d: string) => sql`((${d}::date + 1)::timestamp AT TIME ZONE ${ZONE})`;

/** Contacts `c` of the cohort (joined to their dossier `d` when a municipality is asked for). */
function inCohort(q: FunnelQuery): RawBuilder<boolean> {
  return sql<boolean>`(c.programme_id = ${q.programmeId}
    AND c.received_at >= ${startOf(q.from)} AND c.received_at < ${endOf(q.to)}
    ${q.nisCode ? sql`AND d.nis_code = ${q.nisCode}` : sql``})`;
}

/** The column of a classified row that says whether the contact has a counted referral of that kind. */
const kindColumn = (kind: ServiceKind) => sql.ref(`kind_${kind}`);

/**
 * One row per contact of the cohort, with its stage, its conversation outcome and its flags, all
 * read from the contact row itself: where its conversations, referrals and escalations stand is
 * kept on it by triggers (migration 202612020001), so the funnel is one pass over the cohort.
 * `withDossier` joins the dossier for its municipality (always when the cohort is one
 * municipality's).
 */
function classified(q: FunnelQuery, opts: { withDossier?: boolean } = {}) {
  const dossier = opts.withDossier || q.nisCode;
  return sql`
    SELECT c.id, c.dossier_id, c.status, c.outcome, c.received_at, c.reached_at, c.closed_at, c.attempt_count,
      ${dossier ? sql`d.nis_code, d.municipality` : sql`NULL::text AS nis_code, NULL::text AS municipality`},
      CASE WHEN c.reached_at IS NOT NULL THEN 'reached'
           WHEN c.outcome = 'not_informed' THEN 'not_informed'
           WHEN c.outcome = 'unreachable' THEN 'unreachable'
           WHEN c.status = 'open' THEN 'open'
           ELSE 'closed_other' END AS stage,
      CASE WHEN c.reached_at IS NULL THEN NULL
           WHEN c.outcome = 'conversation' OR c.talk = 'held' THEN 'conversation_held'
           WHEN c.outcome = 'refused' OR c.talk = 'refused' THEN 'refused'
           ELSE 'reached_other' END AS talk,
      (c.referred_kinds IS NOT NULL) AS referred,
      c.taken_up,
      ${sql.join(SERVICE_KINDS.map((k) => sql`coalesce(${k} = ANY (c.referred_kinds), false) AS ${kindColumn(k)}`))},
      (c.escalated_at IS NOT NULL) AS escalated
    FROM contacts c
    ${dossier ? sql`JOIN dossiers d ON d.id = c.dossier_id` : sql``}
    WHERE ${inCohort(q)}`;
}

/** Every line as a predicate on a classified row `k`; a kind's line by `kindPredicate`. */
type CountedLine = Exclude<FunnelLine, 'referred_kind'>;
const PREDICATE: Record<CountedLine, RawBuilder<boolean>> = {
  received: sql`true`,
  not_informed: sql`k.stage = 'not_informed'`,
  unreachable: sql`k.stage = 'unreachable'`,
  reached: sql`k.stage = 'reached'`,
  closed_other: sql`k.stage = 'closed_other'`,
  open: sql`k.stage = 'open'`,
  refused: sql`k.talk = 'refused'`,
  conversation_held: sql`k.talk = 'conversation_held'`,
  reached_other: sql`k.talk = 'reached_other'`,
  referred: sql`(k.talk = 'conversation_held' AND k.referred)`,
  not_referred: sql`(k.talk = 'conversation_held' AND NOT k.referred)`,
  taken_up: sql`(k.talk = 'conversation_held' AND k.taken_up)`,
  escalated: sql`k.escalated`,
};
const COUNTED = FUNNEL_LINES.filter((l): l is CountedLine => l !== 'referred_kind');
const kindPredicate = (kind: ServiceKind) => sql<boolean>`(k.talk = 'conversation_held' AND ${sql.ref(`k.kind_${kind}`)})`;

export interface DrillDown {
  line: DrillDownLine;
  /** With `referred_kind`. */
  kind?: ServiceKind;
  /** With `phone_attempt` and `phone_attempt_reached`. */
  attemptNo?: number;
}

function drillPredicate(q: FunnelQuery, d: DrillDown): RawBuilder<boolean> {
  if (d.line === 'referred_kind') {
    if (!d.kind) throw problems.invalidField('query.kind', 'required');
    return kindPredicate(d.kind);
  }
  if (d.line === 'phone_attempt' || d.line === 'phone_attempt_reached') {
    if (!d.attemptNo) throw problems.invalidField('query.attemptNo', 'required');
    return sql`EXISTS (SELECT 1 FROM attempts a WHERE a.contact_id = k.id AND a.programme_id = ${q.programmeId} AND a.channel = 'phone'
      AND a.attempt_no = ${d.attemptNo} ${d.line === 'phone_attempt_reached' ? sql`AND a.outcome = 'reached'` : sql``})`;
  }
  return PREDICATE[d.line];
}

const rateOf = (attempts: number, reached: number): number | null => (attempts ? Math.round((reached / attempts) * 10_000) / 10_000 : null);

/** Throws when the lines of a group do not add up to their parent: a bug, never a figure to show. */
function assertAddsUp(lines: FunnelLineCount[]): void {
  const count = (l: FunnelLine) => lines.find((x) => x.line === l)?.count ?? 0;
  for (const [group, parent] of Object.entries(GROUP_PARENT) as [FunnelGroup, FunnelLine][]) {
    const parts = lines.filter((l) => l.group === group);
    const sum = parts.reduce((a, l) => a + l.count, 0);
    if (sum !== count(parent)) throw new Error(`funnel: the ${group} lines add up to ${sum}, not to ${parent} (${count(parent)})`);
  }
  for (const l of lines.filter((x) => x.line === 'referred_kind' || x.line === 'taken_up')) {
    if (l.count > count('referred')) throw new Error(`funnel: ${l.line} ${l.kind ?? ''} exceeds the referred contacts`);
  }
}

/** Runs `run` in a transaction of its own without JIT (see computeFunnel). */
const withoutJit = <T>(db: Db, run: (tx: Tx) => Promise<T>) =>
  db.transaction().execute(async (tx) => {
    await sql`SET LOCAL jit = off`.execute(tx);
    return run(tx);
  });

/** The funnel of a resolved query (see `resolveFunnelQuery`). */
export async function computeFunnel(db: Db, q: ResolvedQuery): Promise<Funnel> {
  // Two independent aggregates: on PostgreSQL they run at once, on two connections of the pool.
  // Both without JIT: over a year of a big programme their estimated cost passes
  // jit_above_cost, and compiling took 190 ms of a 440 ms statement over 500,000 contacts while
  // saving less (bench/outreach.ts, docs/benchmarks.md). SET LOCAL: only this transaction.
  const [totals, attempts] = await Promise.all([
    withoutJit(db, (tx) =>
      sql<Record<string, number>>`
        SELECT ${sql.join([
          ...COUNTED.map((l) => sql`count(*) FILTER (WHERE ${PREDICATE[l]})::int AS ${sql.ref(l)}`),
          ...SERVICE_KINDS.map((k) => sql`count(*) FILTER (WHERE ${kindPredicate(k)})::int AS ${kindColumn(k)}`),
        ])}
        FROM (${classified(q)}) k`.execute(tx),
    ),
    // The cohort's phone attempts by when their contact came in (attempts.contact_received_at, kept
    // by a trigger), from the index attempts_cohort alone; the dossier only for one municipality.
    withoutJit(db, (tx) =>
      sql<{ attempt_no: number; part_of_day: PartOfDay; attempts: number; reached: number }>`
        SELECT a.attempt_no, a.part_of_day, count(*)::int AS attempts, count(*) FILTER (WHERE a.outcome = 'reached')::int AS reached
        FROM attempts a
        ${q.nisCode ? sql`JOIN contacts c ON c.id = a.contact_id JOIN dossiers d ON d.id = c.dossier_id AND d.nis_code = ${q.nisCode}` : sql``}
        WHERE a.programme_id = ${q.programmeId} AND a.channel = 'phone'
          AND a.contact_received_at >= ${startOf(q.from)} AND a.contact_received_at < ${endOf(q.to)}
        GROUP BY a.attempt_no, a.part_of_day`.execute(tx),
    ),
  ]);

  const row = totals.rows[0] as Record<string, number>;
  const lines: FunnelLineCount[] = [];
  for (const line of FUNNEL_LINES) {
    const shape = SHAPE[line];
    if (line === 'referred_kind') {
      for (const kind of SERVICE_KINDS) lines.push({ line, kind, ...shape, count: Number(row[`kind_${kind}`]) });
    } else {
      lines.push({ line, kind: null, ...shape, count: Number(row[line]) });
    }
  }
  assertAddsUp(lines);

  const perAttempt = new Map<number, { attempts: number; reached: number }>();
  const perPart = new Map<PartOfDay, { attempts: number; reached: number }>();
  for (const r of attempts.rows) {
    for (const [map, key] of [
      [perAttempt, Number(r.attempt_no)],
      [perPart, r.part_of_day],
    ] as const) {
      const m = map as Map<typeof key, { attempts: number; reached: number }>;
      const acc = m.get(key) ?? { attempts: 0, reached: 0 };
      acc.attempts += Number(r.attempts);
      acc.reached += Number(r.reached);
      m.set(key, acc);
    }
  }
  const highest = Math.max(q.maxAttempts, ...perAttempt.keys());
  const reachByAttempt = Array.from({ length: highest }, (_, i) => {
    const v = perAttempt.get(i + 1) ?? { attempts: 0, reached: 0 };
    return { attemptNo: i + 1, ...v, rate: rateOf(v.attempts, v.reached) };
  });
  const reachByPartOfDay = PARTS_OF_DAY.map((partOfDay) => {
    const v = perPart.get(partOfDay) ?? { attempts: 0, reached: 0 };
    return { partOfDay, ...v, rate: rateOf(v.attempts, v.reached) };
  });
  return {
    programme: q.programme,
    period: { from: q.from, to: q.to, timeZone: TIME_ZONE },
    municipality: q.municipality,
    maxAttempts: q.maxAttempts,
    lines,
    reachByAttempt,
    reachByPartOfDay,
  };
}

export interface FunnelContact {
  id: string;
  dossierId: string;
  nisCode: string | null;
  municipality: string | null;
  status: string;
  outcome: string | null;
  attemptCount: number;
  receivedAt: string;
  reachedAt: string | null;
  closedAt: string | null;
}

/** The contacts behind one line (or one figure of the reach rate by attempt), oldest received first. */
export async function funnelContacts(
  db: Db,
  q: ResolvedQuery,
  d: DrillDown,
  page: { page: number; pageSize: number },
): Promise<{ items: FunnelContact[]; total: number }> {
  const where = drillPredicate(q, d);
  const cohort = classified(q, { withDossier: true });
  const [rows, total] = await Promise.all([
    sql<{
      id: string;
      dossier_id: string;
      nis_code: string | null;
      municipality: string | null;
      status: string;
      outcome: string | null;
      attempt_count: number;
      received_at: Date;
      reached_at: Date | null;
      closed_at: Date | null;
    }>`
      SELECT k.id, k.dossier_id, k.nis_code, k.municipality, k.status, k.outcome, k.attempt_count, k.received_at, k.reached_at, k.closed_at
      FROM (${cohort}) k WHERE ${where}
      ORDER BY k.received_at, k.id
      LIMIT ${page.pageSize} OFFSET ${(page.page - 1) * page.pageSize}`.execute(db),
    withoutJit(db, (tx) => sql<{ n: number }>`SELECT count(*)::int AS n FROM (${cohort}) k WHERE ${where}`.execute(tx)),
  ]);
  const iso = (v: Date | null) => (v ? new Date(v).toISOString() : null);
  return {
    items: rows.rows.map((r) => ({
      id: r.id,
      dossierId: r.dossier_id,
      nisCode: r.nis_code,
      municipality: r.municipality,
      status: r.status,
      outcome: r.outcome,
      attemptCount: Number(r.attempt_count),
      receivedAt: new Date(r.received_at).toISOString(),
      reachedAt: iso(r.reached_at),
      closedAt: iso(r.closed_at),
    })),
    total: Number(total.rows[0]?.n ?? 0),
  };
}

// ---- The table of a report (CSV, XLSX) --------------------------------------------------------

export type Cell = string | number | null;

/** 31/12/2024 from 2024-12-31. */
const dayOf = (d: string) => d.split('-').reverse().join('/');

/** The label of a line in the user's language. */
export function lineLabel(locale: Locale, f: Pick<Funnel, 'maxAttempts'>, line: FunnelLine, kind?: ServiceKind | null): string {
  const t = (key: string, p?: Record<string, unknown>) => translate(locale, key, p);
  return t(`reports:funnel.line.${line}`, { n: f.maxAttempts, kind: kind ? t(`reports:serviceKind.${kind}`) : '' });
}

/**
 * The funnel as the rows of a spreadsheet: what was asked (programme, period, municipality), the
 * lines with what they are part of and their notes, then the reach rates. `rate` says how a rate
 * is written: a number in percent (XLSX), or that number as text with the language's decimal
 * separator (CSV, which Belgian Excel reads as a number).
 */
export function funnelTable(f: Funnel, locale: Locale, opts: { rate: 'number' | 'text'; now?: Date }): Cell[][] {
  const t = (key: string, p?: Record<string, unknown>) => translate(locale, key, p);
  const number = new Intl.NumberFormat(`${locale}-BE`, { maximumFractionDigits: 1, useGrouping: false });
  const percent = (rate: number | null): Cell => {
    if (rate === null) return null;
    const value = Math.round(rate * 1000) / 10;
    return opts.rate === 'number' ? value : number.format(value);
  };
  const rows: Cell[][] = [
    [t('reports:funnel.title')],
    [t('reports:funnel.programme'), f.programme.name],
    [t('reports:funnel.period'), dayOf(f.period.from), dayOf(f.period.to)],
    [t('reports:funnel.municipality'), f.municipality ? `${f.municipality.name} (${f.municipality.nisCode})` : t('reports:funnel.allMunicipalities')],
    [t('reports:funnel.cohort', { timeZone: f.period.timeZone })],
    [t('reports:funnel.generated'), formatDateTime(opts.now ?? new Date())],
    [],
    [t('reports:funnel.columns.line'), t('reports:funnel.columns.partOf'), t('reports:funnel.columns.count'), t('reports:funnel.columns.note')],
  ];
  for (const l of f.lines) {
    rows.push([
      lineLabel(locale, f, l.line, l.kind),
      l.parent ? lineLabel(locale, f, l.parent) : null,
      l.count,
      l.note ? t(`reports:funnel.note.${l.note}`) : null,
    ]);
  }
  const rateHeader = [t('reports:funnel.columns.attempts'), t('reports:funnel.columns.reached'), t('reports:funnel.columns.rate')];
  rows.push([], [t('reports:funnel.reachByAttempt')], [t('reports:funnel.columns.attemptNo'), ...rateHeader]);
  for (const r of f.reachByAttempt) rows.push([r.attemptNo, r.attempts, r.reached, percent(r.rate)]);
  rows.push([], [t('reports:funnel.reachByPartOfDay')], [t('reports:funnel.columns.partOfDay'), ...rateHeader]);
  for (const r of f.reachByPartOfDay) rows.push([t(`reports:partOfDay.${r.partOfDay}`), r.attempts, r.reached, percent(r.rate)]);
  return rows;
}

/** The file name of an export: funnel-<programme>-<from>-<to>[-<nis>].<ext> (ASCII: slugs and dates). */
export function funnelFileName(f: Funnel, ext: 'csv' | 'xlsx'): string {
  return `funnel-${f.programme.slug}-${f.period.from}-${f.period.to}${f.municipality ? `-${f.municipality.nisCode}` : ''}.${ext}`;
}
