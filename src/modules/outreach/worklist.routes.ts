/**
 * The callers' API (issue 4, parts 1, 2, 3 and 7): the programme's outreach settings, the
 * worklist and its leases, assignment, the safe-contact card, safety information, attempts and
 * closing. Every contact-level route goes through access.ts (404 for what the user may not work).
 * Lists never carry a name or a phone number; the card does, and reading it is audited.
 */

import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../kernel/db/database.ts';
import type { RequestContext } from '../../kernel/http/context.ts';
import { problems } from '../../kernel/http/problem.ts';
import { type AnyRoute, defineRoute, paged, pageQuery } from '../../kernel/http/route.ts';
import { refOf } from '../referrals/dossiers.routes.ts';
import { type IdentityDocument, readContactIdentity } from '../referrals/vault.ts';
import { managesOutreach, openWorkableContact, type WorkableContact, workableContact } from './access.ts';
import { type AttemptView, closingStateOf, listAttempts, phoneAttempts, recordAttempt } from './attempts.ts';
import { attemptsLeft, checkAttempt, nextDue } from './rules.ts';
import { compareAddresses, readSafety, recordSafety, type SafetyView, storeSameAddress } from './safety.ts';
import { ATTEMPT_CHANNELS, ATTEMPT_OUTCOMES, PARTS_OF_DAY, VOICEMAIL_RULES } from './schema.ts';
import {
  assignContacts,
  CALLER_OUTCOMES,
  claimContact,
  claimNext,
  closeOutreachContact,
  closingRefusal,
  extendLease,
  type Holder,
  holders,
  listWorklist,
  liveLease,
  readSettings,
  releaseLease,
  WORK_STATES,
  worklistItem,
  writeSettings,
} from './worklist.ts';

const TAGS = ['outreach'];
const programmeParams = z.strictObject({ programmeId: z.uuid() });
const contactParams = z.strictObject({ programmeId: z.uuid(), contactId: z.uuid() });
const nisCode = z
  .string()
  .regex(/^\d{5}$/)
  .optional();
const language = z
  .string()
  .regex(/^[a-z]{2}$/)
  .optional();
const isoTime = z.string().nullable();
const person = z.object({ id: z.string(), displayName: z.string() });

// ---- Settings -------------------------------------------------------------------------------

const settingsBody = z.strictObject({
  maxAttempts: z.number().int().min(1).max(10),
  distinctDays: z.boolean(),
  distinctParts: z.boolean(),
  leaseMinutes: z.number().int().min(5).max(480),
  voicemail: z.enum(VOICEMAIL_RULES),
});
const settingsSchema = settingsBody.extend({ updatedAt: isoTime });

const getSettings = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/outreach/settings',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary: 'The programme’s attempt rule (maximum, distinct days and parts of the day), lease minutes and default voicemail rule; defaults until changed',
  tags: TAGS,
  params: programmeParams,
  response: settingsSchema,
  handler: async ({ params, ctx }) => ctx.read((db) => readSettings(db, params.programmeId)),
});

const putSettings = defineRoute({
  method: 'PUT',
  url: '/programmes/:programmeId/outreach/settings',
  access: { permission: 'outreach.manage', programmeParam: 'programmeId' },
  summary: 'Change the programme’s attempt rule, lease minutes and default voicemail rule (audited)',
  tags: TAGS,
  params: programmeParams,
  body: settingsBody,
  response: settingsSchema,
  handler: async ({ params, body, ctx }) =>
    ctx.write((tx, audit) => writeSettings(tx, audit, { programmeId: params.programmeId, userId: ctx.user.userId, settings: body })),
});

// ---- Worklist -------------------------------------------------------------------------------

const itemSchema = z.object({
  id: z.string(),
  ref: z.string(),
  dossierId: z.string(),
  dossierRef: z.string(),
  municipality: z.string().nullable(),
  nisCode: z.string().nullable(),
  factsOn: z.string().nullable(),
  language: z.string().nullable(),
  hasPhone: z.boolean(),
  attemptCount: z.number().int(),
  nextDueAt: isoTime,
  followUpAt: isoTime,
  reached: z.boolean(),
  receivedAt: z.string(),
  state: z.enum(WORK_STATES),
  assignedTo: person.nullable(),
  leasedBy: person.nullable(),
  leaseUntil: isoTime,
});

const listQuery = pageQuery.extend({
  /** me (default), a user id, `unassigned` or `all`; other than `me`, for coordinators only */
  holder: z.union([z.enum(['me', 'unassigned', 'all']), z.uuid()]).optional(),
  nisCode,
  language,
  status: z.enum(WORK_STATES).optional(),
});

function holderOf(ctx: RequestContext, programmeId: string, holder: string | undefined): Holder {
  const me = ctx.user.userId;
  if (holder === undefined || holder === 'me' || holder === me) return { kind: 'user', userId: me };
  if (!managesOutreach(ctx, programmeId)) throw problems.invalidField('holder', 'holder_not_allowed');
  if (holder === 'all') return { kind: 'all' };
  if (holder === 'unassigned') return { kind: 'unassigned' };
  return { kind: 'user', userId: holder };
}

const getWorklist = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/worklist',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary:
    'Open contacts of green dossiers assigned to or leased by the caller (a coordinator may ask for another holder, unassigned or all), in the order of work: due follow-ups, due next attempts, new contacts by oldest police intervention, then not yet due. Pseudonymous: no name, no number.',
  tags: TAGS,
  params: programmeParams,
  query: listQuery,
  response: paged(itemSchema),
  handler: async ({ params, query, ctx }) => {
    const holder = holderOf(ctx, params.programmeId, query.holder);
    const { items, total } = await ctx.read((db) =>
      listWorklist(db, {
        programmeId: params.programmeId,
        holder,
        filter: { nisCode: query.nisCode, language: query.language, state: query.status },
        page: query.page,
        pageSize: query.pageSize,
      }),
    );
    return { items, total, page: query.page, pageSize: query.pageSize };
  },
});

/**
 * The municipalities of the programme's project by name: the choices of the worklist's and the
 * directory's municipality filter. A caller may not read projects (projects.read), so without
 * this the filter could only offer NIS codes.
 */
const municipalitiesRoute = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/worklist/municipalities',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary: 'The municipalities of the programme’s project (NIS code and name), for the filters of the worklist and the directory',
  tags: TAGS,
  params: programmeParams,
  response: z.object({ items: z.array(z.object({ nisCode: z.string(), name: z.string() })) }),
  handler: async ({ params, ctx }) => {
    const rows = await ctx.read((db) =>
      db
        .selectFrom('project_municipalities as m')
        .innerJoin('programmes as p', 'p.project_id', 'm.project_id')
        .select(['m.nis_code', 'm.name'])
        .where('p.id', '=', params.programmeId)
        .orderBy('m.name')
        .execute(),
    );
    return { items: rows.map((r) => ({ nisCode: r.nis_code, name: r.name })) };
  },
});

const claimNextRoute = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/worklist/claim',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary:
    'Claim the next due contact of the pool (unassigned or assigned to me, not leased) as a lease of the programme’s lease minutes; never the same contact to two callers. 409 worklist_empty when nothing is due.',
  tags: TAGS,
  params: programmeParams,
  body: z.strictObject({ nisCode, language }).optional(),
  response: itemSchema,
  handler: async ({ params, body, ctx }) => {
    const id = await ctx.write(async (tx, audit) => {
      const { leaseMinutes, distinctDays, distinctParts } = await readSettings(tx, params.programmeId);
      return claimNext(tx, audit, {
        programmeId: params.programmeId,
        userId: ctx.user.userId,
        leaseMinutes,
        rule: { distinctDays, distinctParts },
        filter: { nisCode: body?.nisCode, language: body?.language },
      });
    });
    if (!id) throw problems.conflict('worklist_empty');
    return ctx.read((db) => worklistItem(db, id));
  },
});

/** Why a given contact cannot be claimed, told only to someone who may see it. */
async function claimRefusal(ctx: RequestContext, db: Db, programmeId: string, contactId: string): Promise<never> {
  const row = await db
    .selectFrom('contacts as c')
    .innerJoin('dossiers as d', 'd.id', 'c.dossier_id')
    .select(['c.status', 'c.assigned_to', 'd.colour', sql<boolean>`(c.lease_holder = ${ctx.user.userId} AND ${liveLease})`.as('mine')])
    .where('c.id', '=', contactId)
    .where('c.programme_id', '=', programmeId)
    .executeTakeFirst();
  const visible = row && (managesOutreach(ctx, programmeId) || row.assigned_to === ctx.user.userId || row.mine);
  if (!row || !visible) throw problems.notFound();
  if (row.status === 'closed') throw problems.conflict('contact_closed');
  if (row.colour !== 'green') throw problems.conflict('contact_not_in_flow');
  throw problems.conflict('contact_held');
}

const claimOne = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/contacts/:contactId/claim',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary: 'Claim (or renew the lease of) one given contact, when it is free or mine. 409 contact_held when another caller holds it.',
  tags: TAGS,
  params: contactParams,
  response: itemSchema,
  handler: async ({ params, ctx }) => {
    const claimed = await ctx.write(async (tx, audit) => {
      const { leaseMinutes } = await readSettings(tx, params.programmeId);
      return claimContact(tx, audit, { ...params, userId: ctx.user.userId, leaseMinutes });
    });
    if (!claimed) await ctx.read((db) => claimRefusal(ctx, db, params.programmeId, params.contactId));
    return ctx.read((db) => worklistItem(db, params.contactId));
  },
});

const release = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/contacts/:contactId/release',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary: 'Give a claimed contact back to the pool now (its assignment stays)',
  tags: TAGS,
  params: contactParams,
  status: 204,
  handler: async ({ params, ctx }) => {
    await ctx.write(async (tx, audit) => {
      await workableContact(ctx, tx, params.programmeId, params.contactId, { forUpdate: true });
      const row = await tx.selectFrom('contacts').select('lease_holder').where('id', '=', params.contactId).executeTakeFirstOrThrow();
      if (!row.lease_holder || (row.lease_holder !== ctx.user.userId && !managesOutreach(ctx, params.programmeId))) return;
      await releaseLease(tx, params.contactId);
      audit({ action: 'contact.release', recordType: 'contact', recordId: params.contactId, programmeId: params.programmeId });
    });
  },
});

const assign = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/worklist/assign',
  access: { permission: 'outreach.manage', programmeParam: 'programmeId' },
  summary:
    'Assign open contacts to a caller of the programme, or take them back (callerId null); a lease held by someone else ends. Field errors: callerId not_a_caller, contactIds.N unknown_reference / contact_not_open.',
  tags: TAGS,
  params: programmeParams,
  body: z.strictObject({ contactIds: z.array(z.uuid()).min(1).max(500), callerId: z.uuid().nullable() }),
  response: z.object({ assigned: z.number().int() }),
  handler: async ({ params, body, ctx }) => ({
    assigned: await ctx.write((tx, audit) => assignContacts(tx, audit, { programmeId: params.programmeId, ...body })),
  }),
});

const holdersRoute = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/worklist/holders',
  access: { permission: 'outreach.manage', programmeParam: 'programmeId' },
  summary: 'Who holds what: per caller of the programme, open contacts assigned (and due) and leased; open and unassigned totals',
  tags: TAGS,
  params: programmeParams,
  response: z.object({
    holders: z.array(
      z.object({
        userId: z.string(),
        displayName: z.string(),
        roles: z.array(z.string()),
        assigned: z.number().int(),
        assignedDue: z.number().int(),
        leased: z.number().int(),
      }),
    ),
    open: z.number().int(),
    unassigned: z.number().int(),
    unassignedDue: z.number().int(),
  }),
  handler: async ({ params, ctx }) => ctx.read((db) => holders(db, params.programmeId)),
});

// ---- The contact: card, safety, attempts, closing --------------------------------------------

const safetySchema = z.object({
  voicemail: z.enum(VOICEMAIL_RULES),
  voicemailSource: z.enum(['contact', 'programme']),
  otherPartySameAddress: z.boolean().nullable(),
  safeParts: z.array(z.enum(PARTS_OF_DAY)),
  someoneElseAnswered: z.boolean(),
  instruction: z.enum(['end_call_without_reason']).nullable(),
  askFor: z.string().nullable(),
  safeHours: z.string().nullable(),
  notes: z.string().nullable(),
  updatedAt: isoTime,
});

const attemptSchema = z.object({
  id: z.string(),
  attemptNo: z.number().int(),
  at: z.string(),
  localDay: z.string(),
  partOfDay: z.enum(PARTS_OF_DAY),
  channel: z.enum(ATTEMPT_CHANNELS),
  outcome: z.enum(ATTEMPT_OUTCOMES),
  note: z.string().nullable(),
  caller: person.nullable(),
});

const ruleStateSchema = z.object({
  maxAttempts: z.number().int(),
  distinctDays: z.boolean(),
  distinctParts: z.boolean(),
  /** false once the contact was reached: later calls are follow-ups */
  applies: z.boolean(),
  phoneAttempts: z.number().int(),
  attemptsLeft: z.number().int(),
  /** whether a phone attempt now keeps the rule, and if not why */
  callNow: z.object({ ok: z.boolean(), reason: z.enum(['same_day', 'same_part_of_day', 'max_attempts']).nullable() }),
  nextDueAt: isoTime,
  proposal: z.object({ at: z.string(), partOfDay: z.enum(PARTS_OF_DAY) }).nullable(),
});

const contactStateSchema = z.object({
  id: z.string(),
  ref: z.string(),
  status: z.enum(['open', 'closed']),
  outcome: z.string().nullable(),
  attemptCount: z.number().int(),
  reachedAt: isoTime,
  nextDueAt: isoTime,
  followUpAt: isoTime,
  leaseUntil: isoTime,
  leasedByMe: z.boolean(),
  /** the outcomes outreach-close accepts now */
  closeOptions: z.array(z.enum(CALLER_OUTCOMES)),
  rule: ruleStateSchema,
});

async function contactState(ctx: RequestContext, db: Db, programmeId: string, contactId: string): Promise<z.infer<typeof contactStateSchema>> {
  const [settings, c, earlier] = await Promise.all([
    readSettings(db, programmeId),
    db
      .selectFrom('contacts as c')
      .leftJoin('contact_safety as s', 's.contact_id', 'c.id')
      .select([
        'c.id',
        'c.status',
        'c.outcome',
        'c.attempt_count',
        'c.reached_at',
        'c.next_due_at',
        'c.follow_up_at',
        'c.lease_holder',
        's.safe_parts',
        sql<Date | null>`CASE WHEN ${liveLease} THEN c.lease_until END`.as('lease_until'),
      ])
      .where('c.id', '=', contactId)
      .executeTakeFirstOrThrow(),
    phoneAttempts(db, contactId),
  ]);
  const now = new Date();
  const applies = c.reached_at === null && c.status === 'open';
  const check = checkAttempt(earlier, now, settings);
  const proposal = applies ? nextDue(earlier, settings, now, { safeParts: c.safe_parts ?? [] }) : null;
  const closing = c.status === 'open' ? await closingStateOf(db, contactId, settings) : null;
  const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
  return {
    id: c.id,
    ref: refOf('C', c.id),
    status: c.status,
    outcome: c.outcome,
    attemptCount: c.attempt_count,
    reachedAt: iso(c.reached_at),
    nextDueAt: iso(c.next_due_at),
    followUpAt: iso(c.follow_up_at),
    leaseUntil: iso(c.lease_until),
    leasedByMe: c.lease_until !== null && c.lease_holder === ctx.user.userId,
    closeOptions: closing ? CALLER_OUTCOMES.filter((o) => closingRefusal(o, closing) === null) : [],
    rule: {
      maxAttempts: settings.maxAttempts,
      distinctDays: settings.distinctDays,
      distinctParts: settings.distinctParts,
      applies,
      phoneAttempts: earlier.length,
      attemptsLeft: applies ? attemptsLeft(earlier, settings) : 0,
      callNow: applies ? { ok: check.ok, reason: check.ok ? null : check.reason } : { ok: true, reason: null },
      nextDueAt: iso(c.next_due_at),
      proposal: proposal ? { at: proposal.at.toISOString(), partOfDay: proposal.partOfDay } : null,
    },
  };
}

const cardSchema = z.object({
  contact: contactStateSchema.extend({ language: z.string().nullable(), role: z.string().nullable(), hasPhone: z.boolean() }),
  /** From the vault (the read is audited, purpose outreach_call); null once retention has purged it. */
  identity: z
    .object({
      firstName: z.string().nullable(),
      lastName: z.string().nullable(),
      phones: z.array(z.object({ kind: z.enum(['mobile', 'phone']), number: z.string() })),
    })
    .nullable(),
  dossier: z.object({
    id: z.string(),
    ref: z.string(),
    municipality: z.string().nullable(),
    nisCode: z.string().nullable(),
    relation: z.string().nullable(),
    minorsPresent: z.boolean().nullable(),
    factsOn: z.string().nullable(),
  }),
  safety: safetySchema,
  attempts: z.array(attemptSchema),
});

function phonesOf(doc: IdentityDocument) {
  const phones: { kind: 'mobile' | 'phone'; number: string }[] = [];
  if (doc.mobile) phones.push({ kind: 'mobile', number: doc.mobile });
  if (doc.phone && doc.phone !== doc.mobile) phones.push({ kind: 'phone', number: doc.phone });
  return phones;
}

const card = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/contacts/:contactId/card',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary:
    'The safe-contact card before dialling: whom to ask for, phone numbers and language (vault read, audited as contact.identity_read, purpose outreach_call), the dossier facts, whether another person of the dossier lives at the same address (true/false/unknown only), voicemail rule, safe parts of the day and hours, earlier attempts with their notes, where the attempt rule stands',
  tags: TAGS,
  params: contactParams,
  response: cardSchema,
  handler: async ({ params, ctx }) => {
    const contact = await ctx.read((db) => workableContact(ctx, db, params.programmeId, params.contactId));
    const audit = (e: Parameters<RequestContext['audit']>[0]) => ctx.audit(e);
    const [facts, settings] = await ctx.read((db) =>
      Promise.all([
        db
          .selectFrom('contacts as c')
          .innerJoin('dossiers as d', 'd.id', 'c.dossier_id')
          .select(['c.language', 'c.role', 'c.has_phone', 'd.id', 'd.municipality', 'd.nis_code', 'd.relation', 'd.minors_present', 'd.facts_on'])
          .where('c.id', '=', contact.id)
          .executeTakeFirstOrThrow(),
        readSettings(db, params.programmeId),
      ]),
    );
    const identity = contact.purged_at ? null : (await ctx.read((db) => readContactIdentity(db, ctx.keys, audit, contact.id, 'outreach_call'))).identity;
    const safety: SafetyView = await ctx.read((db) => readSafety(db, ctx.keys, contact, settings.voicemail));
    if (safety.otherPartySameAddress === null && identity) {
      const same = await ctx.read((db) => compareAddresses(db, ctx.keys, audit, { contactId: contact.id, dossierId: contact.dossier_id, own: identity }));
      if (same !== null) {
        await ctx.write((tx) => storeSameAddress(tx, { contactId: contact.id, value: same }));
        safety.otherPartySameAddress = same;
      }
    }
    const [state, attempts] = await ctx.read((db) => Promise.all([contactState(ctx, db, params.programmeId, contact.id), listAttempts(db, ctx.keys, contact)]));
    return {
      contact: { ...state, language: facts.language, role: facts.role, hasPhone: facts.has_phone },
      identity: identity ? { firstName: identity.firstName ?? null, lastName: identity.lastName ?? null, phones: phonesOf(identity) } : null,
      dossier: {
        id: facts.id,
        ref: refOf('D', facts.id),
        municipality: facts.municipality,
        nisCode: facts.nis_code,
        relation: facts.relation,
        minorsPresent: facts.minors_present,
        factsOn: facts.facts_on,
      },
      safety,
      attempts,
    };
  },
});

const text = (max: number) => z.string().trim().max(max).nullable().optional();

const putSafety = defineRoute({
  method: 'PUT',
  url: '/programmes/:programmeId/contacts/:contactId/safety',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary:
    'Record safety information at any time (voicemail rule, safe parts of the day, whom to ask for, safe hours, notes, other party at the same address); fields left out stay, null clears. Audited without content.',
  tags: TAGS,
  params: contactParams,
  body: z.strictObject({
    voicemail: z.enum(VOICEMAIL_RULES).nullable().optional(),
    safeParts: z.array(z.enum(PARTS_OF_DAY)).max(3).optional(),
    askFor: text(200),
    safeHours: text(500),
    notes: text(4000),
    otherPartySameAddress: z.boolean().nullable().optional(),
  }),
  response: safetySchema,
  handler: async ({ params, body, ctx }) => {
    const contact = await ctx.write(async (tx, audit) => {
      const c = await openWorkableContact(ctx, tx, params.programmeId, params.contactId);
      await recordSafety(tx, ctx.keys, audit, { programmeId: params.programmeId, contact: c, userId: ctx.user.userId, patch: body });
      await extendLease(tx, { ...params, userId: ctx.user.userId });
      return c;
    });
    return ctx.read(async (db) => readSafety(db, ctx.keys, contact, (await readSettings(db, params.programmeId)).voicemail));
  },
});

const postAttempt = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/contacts/:contactId/attempts',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary:
    'Record an attempt: phone (no_answer, voicemail_not_left, voicemail_neutral, busy, not_in_service, wrong_person, someone_else, reached) or a text message / letter (sent). `at` defaults to now, may be earlier today, never later. Until reached, a phone attempt must keep the rule: 422 on field at (same_day, same_part_of_day, max_attempts). May close the contact (unreachable, not_informed).',
  tags: TAGS,
  params: contactParams,
  body: z.strictObject({
    channel: z.enum(ATTEMPT_CHANNELS),
    outcome: z.enum(ATTEMPT_OUTCOMES),
    note: z.string().trim().min(1).max(4000).optional(),
    at: z.iso.datetime({ offset: true }).optional(),
  }),
  response: z.object({ attempt: attemptSchema, contact: contactStateSchema }),
  status: 201,
  handler: async ({ params, body, ctx }) => {
    const result = await ctx.write(async (tx, audit) => {
      await openWorkableContact(ctx, tx, params.programmeId, params.contactId);
      const settings = await readSettings(tx, params.programmeId);
      return recordAttempt(tx, ctx.keys, audit, settings, {
        ...params,
        userId: ctx.user.userId,
        channel: body.channel,
        outcome: body.outcome,
        note: body.note,
        at: body.at ? new Date(body.at) : undefined,
      });
    });
    return ctx.read(async (db) => {
      const contact = await db.selectFrom('contacts').select(['id', 'person_hash']).where('id', '=', params.contactId).executeTakeFirstOrThrow();
      const attempts: AttemptView[] = await listAttempts(db, ctx.keys, contact);
      return {
        attempt: attempts.find((a) => a.id === result.attemptId) as AttemptView,
        contact: await contactState(ctx, db, params.programmeId, params.contactId),
      };
    });
  },
});

const getAttempts = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/contacts/:contactId/attempts',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary: 'The attempts on a contact, oldest first, with their notes',
  tags: TAGS,
  params: contactParams,
  response: z.object({ items: z.array(attemptSchema) }),
  handler: async ({ params, ctx }) =>
    ctx.read(async (db) => {
      const contact: WorkableContact = await workableContact(ctx, db, params.programmeId, params.contactId);
      return { items: await listAttempts(db, ctx.keys, contact) };
    }),
});

const outreachClose = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/contacts/:contactId/outreach-close',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary:
    'Close a contact from outreach (starts the retention clock). refused / conversation only once reached (409 contact_not_reached); unreachable only when the rule allows no further attempt (409 attempts_left); not_informed only without a usable number (409 phone_usable); letter_sent only after a letter or text message (409 letter_not_sent).',
  tags: TAGS,
  params: contactParams,
  body: z.strictObject({ outcome: z.enum(CALLER_OUTCOMES) }),
  response: contactStateSchema,
  handler: async ({ params, body, ctx }) => {
    await ctx.write(async (tx, audit) => {
      await openWorkableContact(ctx, tx, params.programmeId, params.contactId);
      const settings = await readSettings(tx, params.programmeId);
      const refusal = closingRefusal(body.outcome, await closingStateOf(tx, params.contactId, settings));
      if (refusal) throw problems.conflict(refusal);
      await closeOutreachContact(tx, audit, { ...params, outcome: body.outcome, userId: ctx.user.userId });
    });
    return ctx.read((db) => contactState(ctx, db, params.programmeId, params.contactId));
  },
});

export const worklistRoutes: AnyRoute[] = [
  getSettings,
  putSettings,
  getWorklist,
  municipalitiesRoute,
  claimNextRoute,
  claimOne,
  release,
  assign,
  holdersRoute,
  card,
  putSafety,
  postAttempt,
  getAttempts,
  outreachClose,
];
