/**
 * The callers' worklist: the programme's outreach settings, which open contacts a caller works
 * and in what order, claims as leases in the database, assignment by the coordinator, and closing
 * a contact from outreach (`closeOutreachContact`, shared with the conversation and escalation
 * routes).
 *
 * Order of work: due follow-up calls first (follow_up_at ≤ now), then contacts whose next attempt
 * is due (next_due_at ≤ now, or a reached contact whose conversation is pending), then new
 * contacts (no attempt yet), oldest police intervention first (the dossier's facts_on, copied onto
 * contacts.facts_on by migration 202612010002, then the day the contact was received); what is not
 * yet due comes last.
 *
 * A claim is a lease: contacts.lease_holder / lease_until, taken by one UPDATE whose candidate is
 * picked with FOR UPDATE SKIP LOCKED, so two callers, or two Haven processes on one PostgreSQL
 * database, never get the same contact. A lease that is left simply expires: an expired lease is
 * treated as none everywhere (lease_until ≤ now()).
 */
import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Db } from '../../kernel/db/database.ts';
import type { Audit, Tx } from '../../kernel/http/context.ts';
import { problems } from '../../kernel/http/problem.ts';
import { refOf } from '../referrals/dossiers.routes.ts';
import { closeContact } from '../referrals/dossiers.ts';
import { type AttemptRule, localDay, partOfDay } from './rules.ts';
import type { ContactOutcome, VoicemailRule } from './schema.ts';

// ---- Settings -------------------------------------------------------------------------------

export interface OutreachSettings extends AttemptRule {
  leaseMinutes: number;
  voicemail: VoicemailRule;
  /** null while the programme keeps the defaults (no row yet) */
  updatedAt: string | null;
}

/** The defaults of migration 202612010001 (the seeds' practice), for a programme without a row. */
export const DEFAULT_SETTINGS: OutreachSettings = {
  maxAttempts: 3,
  distinctDays: true,
  distinctParts: true,
  leaseMinutes: 30,
  voicemail: 'never',
  updatedAt: null,
};

export async function readSettings(db: Db | Tx, programmeId: string): Promise<OutreachSettings> {
  const row = await db.selectFrom('outreach_settings').selectAll().where('programme_id', '=', programmeId).executeTakeFirst();
  if (!row) return DEFAULT_SETTINGS;
  return {
    maxAttempts: row.max_attempts,
    distinctDays: row.distinct_days,
    distinctParts: row.distinct_parts,
    leaseMinutes: row.lease_minutes,
    voicemail: row.voicemail,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export async function writeSettings(
  tx: Tx,
  audit: Audit,
  q: { programmeId: string; userId: string; settings: Omit<OutreachSettings, 'updatedAt'> },
): Promise<OutreachSettings> {
  const values = {
    max_attempts: q.settings.maxAttempts,
    distinct_days: q.settings.distinctDays,
    distinct_parts: q.settings.distinctParts,
    lease_minutes: q.settings.leaseMinutes,
    voicemail: q.settings.voicemail,
    updated_by: q.userId,
  };
  await tx
    .insertInto('outreach_settings')
    .values({ programme_id: q.programmeId, ...values })
    .onConflict((oc) => oc.column('programme_id').doUpdateSet({ ...values, updated_at: sql`now()` }))
    .execute();
  audit({ action: 'outreach.settings_update', recordType: 'programme', recordId: q.programmeId, programmeId: q.programmeId, details: { ...q.settings } });
  return readSettings(tx, q.programmeId);
}

// ---- Where a contact stands -----------------------------------------------------------------

/** The worklist states, in the order of work. */
export const WORK_STATES = ['follow_up', 'in_progress', 'new', 'not_due'] as const;
export type WorkState = (typeof WORK_STATES)[number];

/** A live lease of contact `c` (an expired one counts as none). */
export const liveLease = sql<SqlBool>`(c.lease_holder IS NOT NULL AND c.lease_until > now())`;

/**
 * 0 follow-up due; 1 next attempt due (or no next moment after an attempt: reached, conversation
 * pending); 2 new (no attempt, nothing scheduled); 3 not yet due.
 */
const bucket = sql<number>`(CASE
  WHEN c.follow_up_at IS NOT NULL AND c.follow_up_at <= now() THEN 0
  WHEN c.follow_up_at IS NOT NULL THEN 3
  WHEN c.next_due_at IS NOT NULL AND c.next_due_at > now() THEN 3
  WHEN c.attempt_count > 0 OR c.next_due_at IS NOT NULL THEN 1
  ELSE 2 END)`;

/** Due now: buckets 0–2. */
const isDue = sql<SqlBool>`(${bucket} < 3)`;

const bucketOf: Record<WorkState, number> = { follow_up: 0, in_progress: 1, new: 2, not_due: 3 };

/**
 * The order of work over contacts `c`, the same as the claim's branches (claimNext) read it from
 * the indexes of migration 202612010002: by bucket; then follow_up_at, next_due_at (none first),
 * or for new contacts the date of the facts (unknown last) and the day received; then id.
 */
const ORDER = [
  bucket,
  sql`(CASE ${bucket} WHEN 0 THEN c.follow_up_at WHEN 1 THEN c.next_due_at WHEN 3 THEN coalesce(c.follow_up_at, c.next_due_at) END) ASC NULLS FIRST`,
  sql`(CASE WHEN ${bucket} = 2 THEN c.facts_on END) ASC NULLS LAST`,
  sql`(CASE WHEN ${bucket} = 2 THEN c.received_at END)`,
  sql`c.id`,
] as const;

export interface WorklistFilter {
  nisCode?: string | undefined;
  language?: string | undefined;
  state?: WorkState | undefined;
}

/** Open contacts of green dossiers: the outreach flow (an orange or red dossier has left it). */
function inFlow(db: Db | Tx, programmeId: string, f: WorklistFilter) {
  let q = db
    .selectFrom('contacts as c')
    .innerJoin('dossiers as d', 'd.id', 'c.dossier_id')
    .where('c.programme_id', '=', programmeId)
    .where('c.status', '=', 'open')
    .where('d.colour', '=', 'green');
  if (f.nisCode) q = q.where('d.nis_code', '=', f.nisCode);
  if (f.language) q = q.where('c.language', '=', f.language);
  if (f.state) q = q.where(sql<SqlBool>`${bucket} = ${bucketOf[f.state]}`);
  return q;
}

/** Whose contacts a list shows: mine, another caller's, the unassigned ones, or all. */
export type Holder = { kind: 'user'; userId: string } | { kind: 'unassigned' } | { kind: 'all' };

function heldBy(holder: Holder): Expression<SqlBool> {
  if (holder.kind === 'all') return sql<SqlBool>`true`;
  if (holder.kind === 'unassigned') return sql<SqlBool>`(c.assigned_to IS NULL AND NOT ${liveLease})`;
  return sql<SqlBool>`(c.assigned_to = ${holder.userId} OR (c.lease_holder = ${holder.userId} AND c.lease_until > now()))`;
}

function itemQuery(db: Db | Tx) {
  return db
    .selectFrom('contacts as c')
    .innerJoin('dossiers as d', 'd.id', 'c.dossier_id')
    .leftJoin('users as ua', 'ua.id', 'c.assigned_to')
    .leftJoin('users as ul', (j) => j.onRef('ul.id', '=', 'c.lease_holder').on(sql<SqlBool>`c.lease_until > now()`))
    .select([
      'c.id',
      'c.dossier_id',
      'd.municipality',
      'd.nis_code',
      'd.facts_on',
      'c.language',
      'c.has_phone',
      'c.attempt_count',
      'c.next_due_at',
      'c.follow_up_at',
      'c.reached_at',
      'c.received_at',
      'c.assigned_to',
      'ua.display_name as assigned_name',
      'ul.id as lease_holder',
      'ul.display_name as lease_name',
      sql<Date | null>`CASE WHEN ul.id IS NOT NULL THEN c.lease_until END`.as('lease_until'),
      bucket.as('bucket'),
    ]);
}
type ItemRow = Awaited<ReturnType<ReturnType<typeof itemQuery>['execute']>>[number];

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** One line of the worklist: pseudonymous, no name and no phone number. */
export function toItem(r: ItemRow) {
  return {
    id: r.id,
    ref: refOf('C', r.id),
    dossierId: r.dossier_id,
    dossierRef: refOf('D', r.dossier_id),
    municipality: r.municipality,
    nisCode: r.nis_code,
    factsOn: r.facts_on,
    language: r.language,
    hasPhone: r.has_phone,
    attemptCount: r.attempt_count,
    nextDueAt: iso(r.next_due_at),
    followUpAt: iso(r.follow_up_at),
    reached: r.reached_at !== null,
    receivedAt: new Date(r.received_at).toISOString(),
    state: WORK_STATES[Number(r.bucket)] as WorkState,
    assignedTo: r.assigned_to ? { id: r.assigned_to, displayName: r.assigned_name ?? '' } : null,
    leasedBy: r.lease_holder ? { id: r.lease_holder, displayName: r.lease_name ?? '' } : null,
    leaseUntil: iso(r.lease_until),
  };
}
export type WorklistItem = ReturnType<typeof toItem>;

export async function listWorklist(
  db: Db,
  q: { programmeId: string; holder: Holder; filter: WorklistFilter; page: number; pageSize: number },
): Promise<{ items: WorklistItem[]; total: number }> {
  const base = inFlow(db, q.programmeId, q.filter).where(heldBy(q.holder));
  let ids = base.select('c.id');
  for (const o of ORDER) ids = ids.orderBy(o);
  const page = await ids
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize)
    .execute();
  const [rows, total] = await Promise.all([
    page.length
      ? itemQuery(db)
          .where(
            'c.id',
            'in',
            page.map((r) => r.id),
          )
          .execute()
      : Promise.resolve([]),
    base
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n)),
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return { items: page.map((p) => toItem(byId.get(p.id) as ItemRow)), total };
}

export async function worklistItem(db: Db | Tx, contactId: string): Promise<WorklistItem> {
  return toItem(await itemQuery(db).where('c.id', '=', contactId).executeTakeFirstOrThrow());
}

// ---- Leases ---------------------------------------------------------------------------------

const leaseEnd = (minutes: number) => sql<Date>`now() + make_interval(mins => ${minutes})`;

/**
 * Claims the first due contact of the pool (unassigned or assigned to the caller, no live lease,
 * open, green dossier) in the order of work, in ONE statement: each part of the order is a branch
 * that reads its index and locks its first row with FOR UPDATE SKIP LOCKED; the branches are
 * tried in order and the first that finds a row wins (the later ones are not run). A row another
 * claim has locked is skipped, and one it has just leased fails the re-check of the lease
 * condition, so concurrent claims, from any process, each get another contact. Null when nothing
 * is due.
 */
export async function claimNext(
  tx: Tx,
  audit: Audit,
  q: {
    programmeId: string;
    userId: string;
    leaseMinutes: number;
    filter: Omit<WorklistFilter, 'state'>;
    /** The programme's rule: a due contact already called today, or in this part of the day, is not handed out. */
    rule?: { distinctDays: boolean; distinctParts: boolean };
  },
): Promise<string | null> {
  // `next_due_at` is the earliest moment of a later day and an unused part of the day, but once it
  // has passed, the part of the day now may be one an earlier attempt used: such a contact is
  // skipped until a part it may be called in, instead of being handed out for a refused attempt.
  const now = new Date();
  const used = [
    ...(q.rule?.distinctParts ? [sql`a.part_of_day = ${partOfDay(now)}`] : []),
    ...(q.rule?.distinctDays ? [sql`a.local_day = ${localDay(now)}::date`] : []),
  ];
  const callableNow = used.length
    ? sql`AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.contact_id = c.id AND a.channel = 'phone' AND (${sql.join(used, sql` OR `)}))`
    : sql``;
  const nis = q.filter.nisCode ? sql`AND d.nis_code = ${q.filter.nisCode}` : sql``;
  const language = q.filter.language ? sql`AND c.language = ${q.filter.language}` : sql``;
  const pool = sql`c.programme_id = ${q.programmeId} AND c.status = 'open'
    AND (c.assigned_to IS NULL OR c.assigned_to = ${q.userId})
    AND (c.lease_holder IS NULL OR c.lease_until <= now())
    AND EXISTS (SELECT 1 FROM dossiers d WHERE d.id = c.dossier_id AND d.colour = 'green' ${nis}) ${language}`;
  const branch = (where: RawBuilder<unknown>, order: RawBuilder<unknown>) =>
    sql`SELECT b.id FROM (SELECT c.id FROM contacts c WHERE ${pool} AND ${where} ORDER BY ${order} LIMIT 1 FOR UPDATE OF c SKIP LOCKED) b`;
  const claimed = await sql<{ id: string }>`
    UPDATE contacts SET lease_holder = ${q.userId}, lease_until = ${leaseEnd(q.leaseMinutes)}
    WHERE id = (SELECT w.id FROM (
      ${branch(sql`c.follow_up_at IS NOT NULL AND c.follow_up_at <= now()`, sql`c.follow_up_at, c.id`)}
      UNION ALL
      ${branch(sql`c.follow_up_at IS NULL AND c.next_due_at IS NULL AND c.attempt_count > 0`, sql`c.id`)}
      UNION ALL
      ${branch(sql`c.follow_up_at IS NULL AND c.next_due_at IS NOT NULL AND c.next_due_at <= now() ${callableNow}`, sql`c.next_due_at, c.id`)}
      UNION ALL
      ${branch(sql`c.follow_up_at IS NULL AND c.next_due_at IS NULL AND c.attempt_count = 0`, sql`c.facts_on NULLS LAST, c.received_at, c.id`)}
    ) w LIMIT 1)
    RETURNING id`.execute(tx);
  const id = claimed.rows[0]?.id;
  if (!id) return null;
  audit({ action: 'contact.claim', recordType: 'contact', recordId: id, programmeId: q.programmeId, details: { leaseMinutes: q.leaseMinutes } });
  return id;
}

/**
 * Claims one given contact when it is free (unassigned or assigned to the caller, no live lease of
 * someone else), open and in a green dossier. Returns false when it is not.
 */
export async function claimContact(
  tx: Tx,
  audit: Audit,
  q: { programmeId: string; contactId: string; userId: string; leaseMinutes: number },
): Promise<boolean> {
  const claimed = await tx
    .updateTable('contacts as c')
    .set({ lease_holder: q.userId, lease_until: leaseEnd(q.leaseMinutes) })
    .where('c.id', '=', q.contactId)
    .where('c.programme_id', '=', q.programmeId)
    .where('c.status', '=', 'open')
    .where(sql<SqlBool>`EXISTS (SELECT 1 FROM dossiers d WHERE d.id = c.dossier_id AND d.colour = 'green')`)
    .where((eb) => eb.or([eb('c.assigned_to', 'is', null), eb('c.assigned_to', '=', q.userId)]))
    .where(sql<SqlBool>`(NOT ${liveLease} OR c.lease_holder = ${q.userId})`)
    .returning('c.id')
    .executeTakeFirst();
  if (!claimed) return false;
  audit({ action: 'contact.claim', recordType: 'contact', recordId: q.contactId, programmeId: q.programmeId, details: { leaseMinutes: q.leaseMinutes } });
  return true;
}

/** Gives the contact back to the pool (its assignment, if any, stays). */
export async function releaseLease(tx: Tx, contactId: string): Promise<void> {
  await tx.updateTable('contacts').set({ lease_holder: null, lease_until: null }).where('id', '=', contactId).execute();
}

/**
 * The caller recorded something on the contact: a live lease of theirs runs again for the
 * programme's lease minutes. Nothing happens when they hold none (an assigned contact needs none).
 */
export async function extendLease(tx: Tx, q: { programmeId: string; contactId: string; userId: string }): Promise<void> {
  // The user's own lease is extended; one that lapsed while they worked (a long conversation) is
  // taken again, unless someone else has claimed the contact since. The lease minutes are read in
  // the same statement: this runs on every answer saved.
  const minutes = sql<number>`coalesce((SELECT o.lease_minutes FROM outreach_settings o WHERE o.programme_id = ${q.programmeId}), ${DEFAULT_SETTINGS.leaseMinutes})`;
  await tx
    .updateTable('contacts as c')
    .set({ lease_holder: q.userId, lease_until: sql<Date>`now() + make_interval(mins => ${minutes})` })
    .where('c.id', '=', q.contactId)
    .where('c.programme_id', '=', q.programmeId)
    .where('c.status', '=', 'open')
    .where((eb) => eb.or([eb('c.lease_holder', '=', q.userId), eb('c.lease_holder', 'is', null), eb('c.lease_until', '<=', sql<Date>`now()`)]))
    .execute();
}

// ---- Assignment -----------------------------------------------------------------------------

/** Roles that may be given contacts to call. */
export const WORKER_ROLES = ['caller', 'coordinator'] as const;

/**
 * Assigns open contacts of the programme to a caller (or takes them back: null). A live lease of
 * someone else on a re-assigned contact ends: the contact is now the new caller's.
 */
export async function assignContacts(tx: Tx, audit: Audit, q: { programmeId: string; contactIds: string[]; callerId: string | null }): Promise<number> {
  if (q.callerId) {
    const worker = await tx
      .selectFrom('role_assignments as r')
      .innerJoin('users as u', 'u.id', 'r.user_id')
      .select('u.id')
      .where('r.user_id', '=', q.callerId)
      .where('r.programme_id', '=', q.programmeId)
      .where('r.role', 'in', WORKER_ROLES)
      .where('u.deactivated_at', 'is', null)
      .executeTakeFirst();
    if (!worker) throw problems.invalidField('callerId', 'not_a_caller');
  }
  const ids = [...new Set(q.contactIds)];
  const rows = await tx
    .selectFrom('contacts')
    .select(['id', 'status', 'assigned_to'])
    .where('programme_id', '=', q.programmeId)
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
  const found = new Map(rows.map((r) => [r.id, r]));
  const errors = q.contactIds.flatMap((id, i) => {
    const r = found.get(id);
    if (!r) return [{ field: `contactIds.${i}`, code: 'unknown_reference', key: 'errors:field.unknown_reference' }];
    if (r.status !== 'open') return [{ field: `contactIds.${i}`, code: 'contact_not_open', key: 'errors:field.contact_not_open' }];
    return [];
  });
  if (errors.length) throw problems.validation(errors);
  const keep = q.callerId === null ? sql<boolean>`false` : sql<boolean>`(lease_holder = ${q.callerId})`;
  await tx
    .updateTable('contacts')
    .set({
      assigned_to: q.callerId,
      lease_holder: sql`CASE WHEN ${keep} THEN lease_holder END`,
      lease_until: sql`CASE WHEN ${keep} THEN lease_until END`,
    })
    .where('id', 'in', ids)
    .execute();
  for (const r of rows) {
    audit({
      action: 'contact.assign',
      recordType: 'contact',
      recordId: r.id,
      programmeId: q.programmeId,
      details: { assignedTo: q.callerId, previous: r.assigned_to },
    });
  }
  return rows.length;
}

/** Per caller of the programme (and anyone still holding its contacts): assigned, leased, due. */
export async function holders(db: Db, programmeId: string) {
  const flow = sql`c.programme_id = ${programmeId} AND c.status = 'open' AND EXISTS (SELECT 1 FROM dossiers d WHERE d.id = c.dossier_id AND d.colour = 'green')`;
  const rows = await db
    .selectFrom('users as u')
    .select([
      'u.id',
      'u.display_name',
      sql<
        string[]
      >`coalesce((SELECT array_agg(DISTINCT r.role ORDER BY r.role) FROM role_assignments r WHERE r.user_id = u.id AND r.programme_id = ${programmeId} AND r.role IN ('caller', 'coordinator')), '{}')`.as(
        'roles',
      ),
      sql<number>`(SELECT count(*)::int FROM contacts c WHERE ${flow} AND c.assigned_to = u.id)`.as('assigned'),
      sql<number>`(SELECT count(*)::int FROM contacts c WHERE ${flow} AND c.assigned_to = u.id AND ${isDue})`.as('assigned_due'),
      sql<number>`(SELECT count(*)::int FROM contacts c WHERE ${flow} AND c.lease_holder = u.id AND c.lease_until > now())`.as('leased'),
    ])
    .where((eb) =>
      eb.or([
        eb(
          'u.id',
          'in',
          eb.selectFrom('role_assignments as r').select('r.user_id').where('r.programme_id', '=', programmeId).where('r.role', 'in', WORKER_ROLES),
        ),
        eb.exists(sql`(SELECT 1 FROM contacts c WHERE ${flow} AND (c.assigned_to = u.id OR (c.lease_holder = u.id AND c.lease_until > now())))`),
      ]),
    )
    .where('u.deactivated_at', 'is', null)
    .orderBy('u.display_name')
    .orderBy('u.id')
    .execute();
  const totals = await db
    .selectFrom('contacts as c')
    .select([
      sql<number>`count(*)::int`.as('open'),
      sql<number>`count(*) FILTER (WHERE c.assigned_to IS NULL AND NOT ${liveLease})::int`.as('unassigned'),
      sql<number>`count(*) FILTER (WHERE c.assigned_to IS NULL AND NOT ${liveLease} AND ${isDue})::int`.as('unassigned_due'),
    ])
    .where(sql<SqlBool>`${flow}`)
    .executeTakeFirstOrThrow();
  return {
    holders: rows.map((r) => ({
      userId: r.id,
      displayName: r.display_name,
      roles: r.roles,
      assigned: Number(r.assigned),
      assignedDue: Number(r.assigned_due),
      leased: Number(r.leased),
    })),
    open: Number(totals.open),
    unassigned: Number(totals.unassigned),
    unassignedDue: Number(totals.unassigned_due),
  };
}

// ---- Closing --------------------------------------------------------------------------------

/**
 * Closes a contact from outreach: referrals' closeContact (status, outcome, retention clock, its
 * audit event), then the worklist columns are cleared and who closed it is kept. The caller checks
 * first that the outcome fits the contact's state (see `closingRefusal`).
 */
export async function closeOutreachContact(
  tx: Tx,
  audit: Audit,
  q: { programmeId: string; contactId: string; outcome: ContactOutcome; userId: string | null },
): Promise<void> {
  await closeContact(tx, audit, { programmeId: q.programmeId, contactId: q.contactId, outcome: q.outcome });
  await tx
    .updateTable('contacts')
    .set({ lease_holder: null, lease_until: null, next_due_at: null, follow_up_at: null, closed_by: q.userId })
    .where('id', '=', q.contactId)
    .execute();
}

/** What decides which outcomes a contact may close with. */
export interface ClosingState {
  reached: boolean;
  hasPhone: boolean;
  /** a phone attempt found the number not in service or a wrong person */
  unusableNumber: boolean;
  /** a letter or text message was sent */
  letterSent: boolean;
  /** no further phone attempt is allowed by the rule */
  attemptsExhausted: boolean;
}

/** The outcomes a caller closes with (escalation closes through its own route). */
export const CALLER_OUTCOMES = ['not_informed', 'letter_sent', 'unreachable', 'refused', 'conversation'] as const satisfies readonly ContactOutcome[];

/** Null when the outcome fits the state; else the 409 code that says why not. */
export function closingRefusal(outcome: ContactOutcome, s: ClosingState): string | null {
  switch (outcome) {
    case 'refused':
    case 'conversation':
      return s.reached ? null : 'contact_not_reached';
    case 'unreachable':
      if (s.reached) return 'contact_reached';
      return s.attemptsExhausted ? null : 'attempts_left';
    case 'not_informed':
      if (s.reached) return 'contact_reached';
      return !s.hasPhone || s.unusableNumber ? null : 'phone_usable';
    case 'letter_sent':
      if (s.reached) return 'contact_reached';
      return s.letterSent ? null : 'letter_not_sent';
    case 'escalated':
      return null;
  }
}
