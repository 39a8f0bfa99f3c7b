/**
 * Escalation routes: a caller raises one by their own judgment (marked answers raise theirs through
 * the answers route); the coordinator (escalations.read) sees the programme's, open ones first,
 * reads one with its note (audited) and acknowledges it. Registered through `conversationRoutes`.
 */
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../kernel/db/database.ts';
import type { RequestContext } from '../../kernel/http/context.ts';
import { problems } from '../../kernel/http/problem.ts';
import { defineRoute, paged, pageQuery } from '../../kernel/http/route.ts';
import { workableContact } from './access.ts';
import { notifyCoordinators, type Raised, raiseEscalation, type Urgency } from './escalations.ts';
import { ESCALATION_REASONS, ESCALATION_RECIPIENTS, ESCALATION_URGENCIES } from './schema.ts';
import { outreachContext } from './sealed.ts';

export const escalationSchema = z.object({
  id: z.string(),
  contactId: z.string(),
  dossierId: z.string(),
  conversationId: z.string().nullable(),
  raisedBy: z.string().nullable(),
  raisedAt: z.string(),
  recipient: z.enum(ESCALATION_RECIPIENTS),
  urgency: z.enum(ESCALATION_URGENCIES),
  colour: z.enum(['orange', 'red']),
  reasons: z.array(z.enum(ESCALATION_REASONS)),
  /** Whether the caller wrote a note; the note itself is read with GET …/escalations/:id (audited). */
  hasNote: z.boolean(),
  municipality: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
});

export function escalationQuery(db: Db) {
  return db
    .selectFrom('escalations as e')
    .innerJoin('contacts as c', 'c.id', 'e.contact_id')
    .innerJoin('dossiers as d', 'd.id', 'c.dossier_id')
    .select([
      'e.id',
      'e.contact_id',
      'c.dossier_id',
      'c.person_hash',
      'e.conversation_id',
      'e.raised_by',
      'e.raised_at',
      'e.recipient',
      'e.urgency',
      'e.colour',
      'e.reasons',
      'e.note',
      'd.municipality',
      'e.acknowledged_at',
      'e.acknowledged_by',
    ]);
}
type EscalationRow = Awaited<ReturnType<ReturnType<typeof escalationQuery>['execute']>>[number];

export const toEscalation = (r: EscalationRow) => ({
  id: r.id,
  contactId: r.contact_id,
  dossierId: r.dossier_id,
  conversationId: r.conversation_id,
  raisedBy: r.raised_by,
  raisedAt: r.raised_at.toISOString(),
  recipient: r.recipient,
  urgency: r.urgency,
  colour: r.colour,
  reasons: r.reasons,
  hasNote: r.note !== null,
  municipality: r.municipality,
  acknowledgedAt: r.acknowledged_at ? r.acknowledged_at.toISOString() : null,
  acknowledgedBy: r.acknowledged_by,
});

/** What raising answers: the escalation, the dossier's colour now, whether the contact was closed by it. */
export const raisedSchema = escalationSchema.extend({ dossierColour: z.enum(['orange', 'red']), contactClosed: z.boolean() });

export async function raisedView(ctx: RequestContext, raised: Raised) {
  const row = await ctx.read((db) => escalationQuery(db).where('e.id', '=', raised.id).executeTakeFirstOrThrow());
  return { ...toEscalation(row), dossierColour: raised.dossierColour, contactClosed: raised.contactClosed };
}

/** After the commit: tell the coordinators. A failure is logged (without personal data), never thrown. */
export function notifyAfterCommit(ctx: RequestContext, log: FastifyBaseLogger, q: { programmeId: string; escalationId: string; urgency: Urgency }) {
  void ctx
    .read((db) => notifyCoordinators(db, ctx.config, { programmeId: q.programmeId, urgency: q.urgency }))
    .catch((error: unknown) => {
      log.error({ escalationId: q.escalationId, errorCode: (error as { code?: unknown }).code ?? null }, 'escalation notice not sent');
    });
}

const raise = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/contacts/:contactId/escalations',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary:
    'Raise an escalation by the caller’s judgment: to whom, how urgent, why (caller_judgment allowed), an optional note (sealed). Raises the dossier’s colour and closes the contact as escalated if still open.',
  tags: ['outreach'],
  params: z.strictObject({ programmeId: z.uuid(), contactId: z.uuid() }),
  body: z.strictObject({
    recipient: z.enum(ESCALATION_RECIPIENTS),
    urgency: z.enum(ESCALATION_URGENCIES),
    reasons: z.array(z.enum(ESCALATION_REASONS)).min(1).max(ESCALATION_REASONS.length),
    note: z.string().trim().max(4000).optional(),
    conversationId: z.uuid().optional(),
    /** Red whatever the reasons; without it, red only for strangulation, weapons or fear for one's life. */
    colour: z.enum(['orange', 'red']).optional(),
  }),
  response: raisedSchema,
  status: 201,
  handler: async ({ params, body, ctx, reply }) => {
    const me = ctx.user.userId;
    const raised = await ctx.write(async (tx, audit) => {
      const conversation = body.conversationId
        ? await tx
            .selectFrom('conversations')
            .select(['id', 'caller_id'])
            .where('id', '=', body.conversationId)
            .where('contact_id', '=', params.contactId)
            .where('programme_id', '=', params.programmeId)
            .executeTakeFirst()
        : undefined;
      // The caller of the conversation may still raise after an escalation ended their claim.
      if (conversation?.caller_id !== me) await workableContact(ctx, tx, params.programmeId, params.contactId);
      if (body.conversationId && !conversation) throw problems.invalidField('conversationId', 'conversation_unknown');
      return raiseEscalation(tx, ctx.keys, audit, {
        programmeId: params.programmeId,
        contactId: params.contactId,
        conversationId: body.conversationId ?? null,
        userId: me,
        recipient: body.recipient,
        urgency: body.urgency,
        reasons: body.reasons,
        note: body.note,
        colour: body.colour,
        automatic: false,
      });
    });
    notifyAfterCommit(ctx, reply.log, { programmeId: params.programmeId, escalationId: raised.id, urgency: body.urgency });
    return raisedView(ctx, raised);
  },
});

const list = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/escalations',
  access: { permission: 'escalations.read', programmeParam: 'programmeId' },
  summary: 'Escalations of the programme: open (not yet acknowledged) first, newest first; pseudonymous, notes not included',
  tags: ['outreach'],
  params: z.strictObject({ programmeId: z.uuid() }),
  query: pageQuery.extend({ state: z.enum(['open', 'acknowledged', 'all']).default('all') }),
  response: paged(escalationSchema).extend({ open: z.number().int() }),
  handler: async ({ params, query, ctx }) => {
    const [rows, total, open] = await ctx.read((db) => {
      let base = db.selectFrom('escalations as e').where('e.programme_id', '=', params.programmeId);
      if (query.state === 'open') base = base.where('e.acknowledged_at', 'is', null);
      if (query.state === 'acknowledged') base = base.where('e.acknowledged_at', 'is not', null);
      const count = (q: typeof base) =>
        q
          .select(sql<number>`count(*)::int`.as('n'))
          .executeTakeFirstOrThrow()
          .then((r) => Number(r.n));
      return Promise.all([
        escalationQuery(db)
          .where(
            'e.id',
            'in',
            base
              .select('e.id')
              .orderBy(sql`e.acknowledged_at IS NULL`, 'desc')
              .orderBy('e.raised_at', 'desc')
              .orderBy('e.id')
              .limit(query.pageSize)
              .offset((query.page - 1) * query.pageSize),
          )
          .orderBy(sql`e.acknowledged_at IS NULL`, 'desc')
          .orderBy('e.raised_at', 'desc')
          .orderBy('e.id')
          .execute(),
        count(base),
        count(db.selectFrom('escalations as e').where('e.programme_id', '=', params.programmeId).where('e.acknowledged_at', 'is', null)),
      ]);
    });
    return { items: rows.map(toEscalation), total, open, page: query.page, pageSize: query.pageSize };
  },
});

const escalationParams = z.strictObject({ programmeId: z.uuid(), escalationId: z.uuid() });

const getOne = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/escalations/:escalationId',
  access: { permission: 'escalations.read', programmeParam: 'programmeId' },
  summary: 'One escalation with the caller’s note opened from the vault (audited as escalation.read)',
  tags: ['outreach'],
  params: escalationParams,
  response: escalationSchema.extend({ note: z.string().nullable() }),
  handler: async ({ params, ctx }) => {
    const row = await ctx.read((db) =>
      escalationQuery(db).where('e.id', '=', params.escalationId).where('e.programme_id', '=', params.programmeId).executeTakeFirst(),
    );
    if (!row) throw problems.notFound();
    const note = row.note ? ctx.keys.open(row.note, outreachContext('escalations.note', row.person_hash)) : null;
    await ctx.audit({
      action: 'escalation.read',
      recordType: 'escalation',
      recordId: row.id,
      programmeId: params.programmeId,
      details: { contactId: row.contact_id },
    });
    return { ...toEscalation(row), note };
  },
});

const acknowledge = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/escalations/:escalationId/acknowledge',
  access: { permission: 'escalations.read', programmeParam: 'programmeId' },
  summary: 'Acknowledge an escalation: the coordinator has seen it and handed it on (409 escalation_acknowledged when done before)',
  tags: ['outreach'],
  params: escalationParams,
  response: escalationSchema,
  handler: async ({ params, ctx }) => {
    await ctx.write(async (tx, audit) => {
      const row = await tx
        .selectFrom('escalations')
        .select(['id', 'acknowledged_at', 'contact_id'])
        .where('id', '=', params.escalationId)
        .where('programme_id', '=', params.programmeId)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw problems.notFound();
      if (row.acknowledged_at) throw problems.conflict('escalation_acknowledged');
      await tx.updateTable('escalations').set({ acknowledged_at: sql`now()`, acknowledged_by: ctx.user.userId }).where('id', '=', row.id).execute();
      audit({
        action: 'escalation.acknowledge',
        recordType: 'escalation',
        recordId: row.id,
        programmeId: params.programmeId,
        details: { contactId: row.contact_id },
      });
    });
    const row = await ctx.read((db) => escalationQuery(db).where('e.id', '=', params.escalationId).executeTakeFirstOrThrow());
    return toEscalation(row);
  },
});

export const escalationRoutes = [raise, list, getOne, acknowledge];
