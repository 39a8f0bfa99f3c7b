/**
 * The "How are you?" conversation with a reached contact, guided by the programme's scenario.
 *
 * A conversation keeps the scenario version it started with, whatever is published later. Answers
 * are saved as the caller goes and checked against that version; structured ones (yes/no, 1–5, a
 * choice key) are stored as they are, because reports count them; free text is sealed into
 * `free_text`, bound to the contact. An answer that a marked question escalates on raises an
 * escalation at once, in the same transaction. The conversation ends as held or refused; it closes
 * the contact only when asked (a referral or a follow-up call may still follow).
 *
 * Who may touch a conversation: whoever may work its contact (workableContact), and the caller who
 * holds it, even after an escalation closed the contact and ended their claim in mid-call.
 */
import { sql } from 'kysely';
import type { Db } from '../../kernel/db/database.ts';
import type { Audit, RequestContext, Tx } from '../../kernel/http/context.ts';
import { Problem, problems } from '../../kernel/http/problem.ts';
import type { KeyRing } from '../../kernel/vault/keyring.ts';
import { managesOutreach, openWorkableContact, workableContact } from './access.ts';
import { DEFAULT_RECIPIENT, DEFAULT_URGENCY, type Raised, raiseEscalation } from './escalations.ts';
import { checkAnswers, currentScenario, escalationsIn, type ScenarioDefinition, scenarioDefinition } from './scenarios.ts';
import type { EscalationReason } from './schema.ts';
import { outreachContext } from './sealed.ts';
import { closeOutreachContact, extendLease } from './worklist.ts';

export type Answer = boolean | number | string;

export interface ConversationRow {
  id: string;
  contact_id: string;
  programme_id: string;
  attempt_id: string | null;
  scenario_id: string;
  caller_id: string | null;
  status: 'in_progress' | 'held' | 'refused';
  answers: Record<string, Answer>;
  free_text: string | null;
  started_at: Date;
  ended_at: Date | null;
  person_hash: string;
  contact_status: 'open' | 'closed';
  contact_outcome: string | null;
  scenario_key: string;
  scenario_version: number;
  scenario_programme_id: string | null;
}

function conversationQuery(db: Db | Tx) {
  return db
    .selectFrom('conversations as v')
    .innerJoin('contacts as c', 'c.id', 'v.contact_id')
    .innerJoin('scenarios as s', 's.id', 'v.scenario_id')
    .select([
      'v.id',
      'v.contact_id',
      'v.programme_id',
      'v.attempt_id',
      'v.scenario_id',
      'v.caller_id',
      'v.status',
      'v.answers',
      'v.free_text',
      'v.started_at',
      'v.ended_at',
      'c.person_hash',
      'c.status as contact_status',
      'c.outcome as contact_outcome',
      's.key as scenario_key',
      's.version as scenario_version',
      's.programme_id as scenario_programme_id',
    ]);
}

/** The contact's workers (assigned, claimed, coordinators) and the conversation's own caller. */
function mayTouch(ctx: RequestContext, programmeId: string, callerId: string | null, leased: boolean, assignedTo: string | null): boolean {
  const me = ctx.user.userId;
  return managesOutreach(ctx, programmeId) || callerId === me || assignedTo === me || leased;
}

/** One conversation of the programme the user may touch; 404 otherwise. */
export async function conversationFor(
  ctx: RequestContext,
  db: Db | Tx,
  programmeId: string,
  conversationId: string,
  opts: { forUpdate?: boolean } = {},
): Promise<ConversationRow> {
  let q = conversationQuery(db)
    .select(['c.assigned_to', sql<boolean>`(c.lease_holder = ${ctx.user.userId} AND c.lease_until > now())`.as('leased')])
    .where('v.id', '=', conversationId)
    .where('v.programme_id', '=', programmeId);
  if (opts.forUpdate) q = q.forUpdate('v');
  const row = await q.executeTakeFirst();
  if (!row || !mayTouch(ctx, programmeId, row.caller_id, row.leased === true, row.assigned_to)) throw problems.notFound();
  return row as unknown as ConversationRow;
}

/**
 * The conversations of a contact the user may see: all of them for whoever may work the contact,
 * else only those they held themselves (404 when that is none).
 */
export async function conversationsOfContact(ctx: RequestContext, db: Db, programmeId: string, contactId: string): Promise<ConversationRow[]> {
  const workable = await workableContact(ctx, db, programmeId, contactId).then(
    () => true,
    (error: unknown) => {
      if (error instanceof Problem && error.status === 404) return false;
      throw error;
    },
  );
  let q = conversationQuery(db).where('v.contact_id', '=', contactId).where('v.programme_id', '=', programmeId);
  if (!workable) q = q.where('v.caller_id', '=', ctx.user.userId);
  const rows = (await q.orderBy('v.started_at', 'desc').orderBy('v.id').execute()) as unknown as ConversationRow[];
  if (!workable && rows.length === 0) throw problems.notFound();
  return rows;
}

async function definitionOf(db: Db | Tx, scenarioId: string): Promise<ScenarioDefinition> {
  const row = await db.selectFrom('scenarios').select('definition').where('id', '=', scenarioId).executeTakeFirstOrThrow();
  return scenarioDefinition.parse(row.definition);
}

/** The free-text answers of a conversation, opened (for an audited read, or to merge new ones). */
export function openFreeText(keys: KeyRing, row: Pick<ConversationRow, 'free_text' | 'person_hash'>): Record<string, string> {
  if (!row.free_text) return {};
  return JSON.parse(keys.open(row.free_text, outreachContext('conversations.free_text', row.person_hash))) as Record<string, string>;
}

/**
 * Starts a conversation with the programme's current scenario. The contact must be open, workable
 * and reached (409 `not_reached`); one conversation at a time (409 `conversation_in_progress`).
 */
export async function startConversation(
  ctx: RequestContext,
  tx: Tx,
  audit: Audit,
  q: { programmeId: string; contactId: string; attemptId?: string | undefined },
): Promise<string> {
  const contact = await openWorkableContact(ctx, tx, q.programmeId, q.contactId);
  const state = await tx.selectFrom('contacts').select('reached_at').where('id', '=', contact.id).executeTakeFirstOrThrow();
  if (!state.reached_at) throw problems.conflict('not_reached');
  const running = await tx.selectFrom('conversations').select('id').where('contact_id', '=', contact.id).where('status', '=', 'in_progress').executeTakeFirst();
  if (running) throw problems.conflict('conversation_in_progress');
  if (q.attemptId) {
    const attempt = await tx.selectFrom('attempts').select('outcome').where('id', '=', q.attemptId).where('contact_id', '=', contact.id).executeTakeFirst();
    if (!attempt) throw problems.invalidField('attemptId', 'attempt_unknown');
    if (attempt.outcome !== 'reached') throw problems.invalidField('attemptId', 'attempt_not_reached');
  }
  const scenario = await currentScenario(tx, q.programmeId);
  await extendLease(tx, { programmeId: q.programmeId, contactId: contact.id, userId: ctx.user.userId });
  const row = await tx
    .insertInto('conversations')
    .values({
      contact_id: contact.id,
      programme_id: q.programmeId,
      attempt_id: q.attemptId ?? null,
      scenario_id: scenario.id,
      caller_id: ctx.user.userId,
      status: 'in_progress',
      answers: '{}',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  audit({
    action: 'conversation.start',
    recordType: 'conversation',
    recordId: row.id,
    programmeId: q.programmeId,
    details: { contactId: contact.id, scenarioId: scenario.id, scenarioVersion: scenario.version, attemptId: q.attemptId ?? null },
  });
  return row.id;
}

/**
 * Saves answers (null clears one). Marked answers whose reason this conversation has not raised yet
 * raise one escalation together, with the default recipient and urgency; it is returned.
 */
export async function saveAnswers(
  ctx: RequestContext,
  tx: Tx,
  audit: Audit,
  q: { programmeId: string; conversationId: string; answers: Record<string, unknown> },
): Promise<{ escalation: Raised | null }> {
  const conv = await conversationFor(ctx, tx, q.programmeId, q.conversationId, { forUpdate: true });
  if (conv.status !== 'in_progress') throw problems.conflict('conversation_ended');
  const definition = await definitionOf(tx, conv.scenario_id);
  const { structured, text } = checkAnswers(definition, q.answers);
  const answers: Record<string, Answer> = { ...conv.answers };
  for (const [id, v] of Object.entries(structured)) {
    if (v === null) delete answers[id];
    else answers[id] = v;
  }
  let sealedText = conv.free_text;
  if (Object.keys(text).length) {
    const free = openFreeText(ctx.keys, conv);
    for (const [id, v] of Object.entries(text)) {
      if (v === null) delete free[id];
      else free[id] = v;
    }
    sealedText = Object.keys(free).length ? ctx.keys.seal(JSON.stringify(free), outreachContext('conversations.free_text', conv.person_hash)) : null;
  }
  await tx
    .updateTable('conversations')
    .set({ answers: JSON.stringify(answers), free_text: sealedText })
    .where('id', '=', conv.id)
    .execute();
  // A conversation can outlast the claim: each save keeps the contact with the caller.
  await extendLease(tx, { programmeId: q.programmeId, contactId: conv.contact_id, userId: ctx.user.userId });
  audit({
    action: 'conversation.answer',
    recordType: 'conversation',
    recordId: conv.id,
    programmeId: q.programmeId,
    details: { contactId: conv.contact_id, questions: Object.keys(q.answers).length },
  });
  const marked = escalationsIn(definition, structured);
  if (!marked.length) return { escalation: null };
  const earlier = await tx.selectFrom('escalations').select('reasons').where('conversation_id', '=', conv.id).execute();
  const raised = new Set<EscalationReason>(earlier.flatMap((e) => e.reasons));
  const reasons = [...new Set(marked.map((m) => m.reason))].filter((r) => !raised.has(r));
  if (!reasons.length) return { escalation: null };
  const escalation = await raiseEscalation(tx, ctx.keys, audit, {
    programmeId: q.programmeId,
    contactId: conv.contact_id,
    conversationId: conv.id,
    userId: ctx.user.userId,
    recipient: DEFAULT_RECIPIENT,
    urgency: DEFAULT_URGENCY,
    reasons,
    automatic: true,
  });
  return { escalation };
}

/**
 * Ends the conversation as held or refused. With `close`, the contact closes too (outcome
 * `conversation` or `refused`) if it is still open; an escalation may already have closed it.
 */
export async function finishConversation(
  ctx: RequestContext,
  tx: Tx,
  audit: Audit,
  q: { programmeId: string; conversationId: string; outcome: 'held' | 'refused'; close: boolean },
): Promise<{ closed: boolean }> {
  const conv = await conversationFor(ctx, tx, q.programmeId, q.conversationId, { forUpdate: true });
  if (conv.status !== 'in_progress') throw problems.conflict('conversation_ended');
  await tx.updateTable('conversations').set({ status: q.outcome, ended_at: sql`now()` }).where('id', '=', conv.id).execute();
  audit({
    action: 'conversation.finish',
    recordType: 'conversation',
    recordId: conv.id,
    programmeId: q.programmeId,
    details: { contactId: conv.contact_id, outcome: q.outcome, close: q.close },
  });
  if (!q.close) {
    // The referral step follows: the contact stays with the caller.
    await extendLease(tx, { programmeId: q.programmeId, contactId: conv.contact_id, userId: ctx.user.userId });
    return { closed: false };
  }
  const contact = await tx.selectFrom('contacts').select('status').where('id', '=', conv.contact_id).forUpdate().executeTakeFirstOrThrow();
  if (contact.status !== 'open') return { closed: false };
  await closeOutreachContact(tx, audit, {
    programmeId: q.programmeId,
    contactId: conv.contact_id,
    outcome: q.outcome === 'refused' ? 'refused' : 'conversation',
    userId: ctx.user.userId,
  });
  return { closed: true };
}
