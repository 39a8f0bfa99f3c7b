/**
 * Conversation routes (outreach.work): start a conversation with a reached contact under the
 * programme's current scenario, save answers as the caller goes (a marked answer raises an
 * escalation, returned at once), finish it as held or refused, read it back with its free text
 * (audited). This array also carries the scenario and escalation routes.
 */
import { z } from 'zod';
import type { RequestContext } from '../../kernel/http/context.ts';
import { type AnyRoute, defineRoute } from '../../kernel/http/route.ts';
import {
  type ConversationRow,
  conversationFor,
  conversationsOfContact,
  finishConversation,
  openFreeText,
  saveAnswers,
  startConversation,
} from './conversations.ts';
import { escalationQuery, escalationRoutes, escalationSchema, notifyAfterCommit, raisedSchema, raisedView, toEscalation } from './escalations.routes.ts';
import { scenarioRoutes } from './scenarios.routes.ts';
import { ensureDefaultScenario } from './scenarios.ts';

const answerValue = z.union([z.boolean(), z.number(), z.string()]);

const conversationSchema = z.object({
  id: z.string(),
  contactId: z.string(),
  attemptId: z.string().nullable(),
  callerId: z.string().nullable(),
  status: z.enum(['in_progress', 'held', 'refused']),
  /** The scenario version this conversation uses, for good (GET …/scenarios/:id gives its questions). */
  scenario: z.object({ id: z.string(), key: z.string(), version: z.number().int(), isDefault: z.boolean() }),
  /** Structured answers by question id: true/false, 1–5, or a choice key. */
  answers: z.record(z.string(), answerValue),
  /** The ids of the questions answered in free text (the text itself only in the audited reads). */
  freeTextAnswered: z.array(z.string()),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  contact: z.object({ status: z.enum(['open', 'closed']), outcome: z.string().nullable() }),
  escalations: z.array(escalationSchema),
});
/** A conversation as read: with its free-text answers opened. */
const conversationReadSchema = conversationSchema.extend({ freeText: z.record(z.string(), z.string()) });

async function view(ctx: RequestContext, row: ConversationRow) {
  const escalations = await ctx.read((db) => escalationQuery(db).where('e.conversation_id', '=', row.id).orderBy('e.raised_at').orderBy('e.id').execute());
  const freeText = openFreeText(ctx.keys, row);
  return {
    conversation: {
      id: row.id,
      contactId: row.contact_id,
      attemptId: row.attempt_id,
      callerId: row.caller_id,
      status: row.status,
      scenario: { id: row.scenario_id, key: row.scenario_key, version: row.scenario_version, isDefault: row.scenario_programme_id === null },
      answers: row.answers,
      freeTextAnswered: Object.keys(freeText).sort(),
      startedAt: row.started_at.toISOString(),
      endedAt: row.ended_at ? row.ended_at.toISOString() : null,
      contact: { status: row.contact_status, outcome: row.contact_outcome },
      escalations: escalations.map(toEscalation),
    },
    freeText,
  };
}

const conversationParams = z.strictObject({ programmeId: z.uuid(), conversationId: z.uuid() });
const contactParams = z.strictObject({ programmeId: z.uuid(), contactId: z.uuid() });

const start = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/contacts/:contactId/conversations',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary:
    'Start the conversation with a reached contact (409 not_reached; 409 conversation_in_progress), under the programme’s current scenario version, which it keeps',
  tags: ['outreach'],
  params: contactParams,
  body: z.strictObject({ attemptId: z.uuid().optional() }).optional(),
  response: conversationSchema,
  status: 201,
  handler: async ({ params, body, ctx }) => {
    await ctx.read(ensureDefaultScenario);
    const id = await ctx.write((tx, audit) =>
      startConversation(ctx, tx, audit, { programmeId: params.programmeId, contactId: params.contactId, attemptId: body?.attemptId }),
    );
    const row = await ctx.read((db) => conversationFor(ctx, db, params.programmeId, id));
    return (await view(ctx, row)).conversation;
  },
});

const answer = defineRoute({
  method: 'PUT',
  url: '/programmes/:programmeId/conversations/:conversationId/answers',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary:
    'Save answers by question id (null clears one), checked against the conversation’s scenario version; free text is sealed. A marked answer raises an escalation, returned as `escalation`.',
  tags: ['outreach'],
  params: conversationParams,
  body: z.strictObject({ answers: z.record(z.string().max(60), answerValue.nullable()) }),
  response: z.object({ conversation: conversationSchema, escalation: raisedSchema.nullable() }),
  handler: async ({ params, body, ctx, reply }) => {
    const { escalation } = await ctx.write((tx, audit) =>
      saveAnswers(ctx, tx, audit, { programmeId: params.programmeId, conversationId: params.conversationId, answers: body.answers }),
    );
    const row = await ctx.read((db) => conversationFor(ctx, db, params.programmeId, params.conversationId));
    const raised = escalation ? await raisedView(ctx, escalation) : null;
    if (raised) notifyAfterCommit(ctx, reply.log, { programmeId: params.programmeId, escalationId: raised.id, urgency: raised.urgency });
    return { conversation: (await view(ctx, row)).conversation, escalation: raised };
  },
});

const finish = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/conversations/:conversationId/finish',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary:
    'End the conversation: held, or refused by the person. The contact stays open (a referral or a follow-up may follow) unless close is true: then it closes as conversation or refused.',
  tags: ['outreach'],
  params: conversationParams,
  body: z.strictObject({ outcome: z.enum(['held', 'refused']), close: z.boolean().default(false) }),
  response: conversationSchema,
  handler: async ({ params, body, ctx }) => {
    await ctx.write((tx, audit) =>
      finishConversation(ctx, tx, audit, { programmeId: params.programmeId, conversationId: params.conversationId, outcome: body.outcome, close: body.close }),
    );
    const row = await ctx.read((db) => conversationFor(ctx, db, params.programmeId, params.conversationId));
    return (await view(ctx, row)).conversation;
  },
});

const getOne = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/conversations/:conversationId',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary: 'One conversation with its answers and its free text opened from the vault (audited as conversation.read)',
  tags: ['outreach'],
  params: conversationParams,
  response: conversationReadSchema,
  handler: async ({ params, ctx }) => {
    const row = await ctx.read((db) => conversationFor(ctx, db, params.programmeId, params.conversationId));
    const v = await view(ctx, row);
    await ctx.audit({
      action: 'conversation.read',
      recordType: 'conversation',
      recordId: row.id,
      programmeId: params.programmeId,
      details: { contactId: row.contact_id },
    });
    return { ...v.conversation, freeText: v.freeText };
  },
});

const ofContact = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/contacts/:contactId/conversations',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary: 'The conversations of a contact, newest first, with their answers and free text opened (audited as conversation.read)',
  tags: ['outreach'],
  params: contactParams,
  response: z.object({ items: z.array(conversationReadSchema) }),
  handler: async ({ params, ctx }) => {
    const rows = await ctx.read((db) => conversationsOfContact(ctx, db, params.programmeId, params.contactId));
    const items = [];
    for (const row of rows) {
      const v = await view(ctx, row);
      items.push({ ...v.conversation, freeText: v.freeText });
    }
    if (rows.length)
      await ctx.audit(
        ...rows.map((r) => ({
          action: 'conversation.read' as const,
          recordType: 'conversation',
          recordId: r.id,
          programmeId: params.programmeId,
          details: { contactId: r.contact_id },
        })),
      );
    return { items };
  },
});

export const conversationRoutes: AnyRoute[] = [...scenarioRoutes, start, answer, finish, getOne, ofContact, ...escalationRoutes];
