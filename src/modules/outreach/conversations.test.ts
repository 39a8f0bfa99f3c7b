/**
 * The conversation through the API on a real database: starting only with a reached contact,
 * answers checked against the scenario version the conversation keeps (also after a new version
 * is published), free text sealed at rest and opened only in an audited read, refusing, closing,
 * and who may see it (another caller: 404; a facilitator or a police liaison: 403).
 *
 * Contacts are set up reached and assigned directly in the database (conversations.fixture.ts),
 * as the attempts route leaves them when an attempt reaches the person.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../kernel/audit/audit.ts';
import type { Session, TestServer } from '../../testing/server.ts';
import { testServer } from '../../testing/server.ts';
import { activeProtocol, policeZone, seedContact } from '../referrals/testing.ts';
import { reachedContact } from './conversations.fixture.ts';
import { outreachPurgeJob } from './retention.ts';

let s: TestServer;
let programmeId: string;
let protocolId: string;
let coordinator: Session;
let caller: Session;
let callerId: string;
let otherCaller: Session;
let facilitator: Session;
let liaison: Session;

const api = (path: string) => `/api/programmes/${programmeId}${path}`;

async function reached(assignedTo = callerId) {
  return reachedContact(s.database.db, s.keys, { programmeId, protocolId, assignedTo });
}

async function start(contactId: string, session = caller) {
  const r = await session.request('POST', api(`/contacts/${contactId}/conversations`), {});
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: string; scenario: { id: string; version: number; isDefault: boolean }; status: string };
}

beforeAll(async () => {
  s = await testServer();
  const p = await s.createProgramme();
  programmeId = p.programmeId;
  const zone = await policeZone(s.database.db);
  protocolId = await activeProtocol(s.database.db, { programmeId, senderOrganisationId: zone, receiverOrganisationId: s.organisationId, retentionDays: 90 });
  coordinator = await s.signIn(await s.createUser([{ role: 'coordinator', programmeId }]));
  const callerUser = await s.createUser([{ role: 'caller', programmeId }]);
  callerId = callerUser.id;
  caller = await s.signIn(callerUser);
  otherCaller = await s.signIn(await s.createUser([{ role: 'caller', programmeId }]));
  facilitator = await s.signIn(await s.createUser([{ role: 'facilitator', programmeId }]));
  liaison = await s.signIn(await s.createUser([{ role: 'police_liaison', programmeId }], { organisationId: zone }));
});
afterAll(() => s.close());

describe('starting', () => {
  it('refuses a contact that has not been reached (409 not_reached)', async () => {
    const { contactId } = await seedContact(s.database.db, s.keys, { programmeId, protocolId });
    await s.database.db.updateTable('contacts').set({ assigned_to: callerId }).where('id', '=', contactId).execute();
    const r = await caller.request('POST', api(`/contacts/${contactId}/conversations`), {});
    expect(r.statusCode).toBe(409);
    expect(r.json().code).toBe('not_reached');
  });

  it('starts under the programme’s current scenario (the default here), one at a time', async () => {
    const { contactId } = await reached();
    const c = await start(contactId);
    expect(c).toMatchObject({ status: 'in_progress', scenario: { version: 1, isDefault: true }, answers: {}, freeTextAnswered: [], escalations: [] });
    const again = await caller.request('POST', api(`/contacts/${contactId}/conversations`), {});
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('conversation_in_progress');
  });

  it('links the attempt that reached the person, and only such an attempt of this contact', async () => {
    const { contactId } = await reached();
    const attempt = (outcome: 'reached' | 'no_answer', no: number) =>
      s.database.db
        .insertInto('attempts')
        .values({
          contact_id: contactId,
          programme_id: programmeId,
          attempt_no: no,
          caller_id: callerId,
          at: new Date(),
          local_day: '2025-03-03',
          part_of_day: 'morning',
          channel: 'phone',
          outcome,
          note: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    const missed = await attempt('no_answer', 1);
    const hit = await attempt('reached', 2);
    const bad = await caller.request('POST', api(`/contacts/${contactId}/conversations`), { attemptId: missed.id });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ field: 'attemptId', code: 'attempt_not_reached', message: expect.any(String) }]);
    const ok = await caller.request('POST', api(`/contacts/${contactId}/conversations`), { attemptId: hit.id });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().attemptId).toBe(hit.id);
  });
});

describe('answers', () => {
  let contactId: string;
  let conversationId: string;

  beforeAll(async () => {
    contactId = (await reached()).contactId;
    conversationId = (await start(contactId)).id;
  });

  it('are checked against the scenario version, each refusal at answers.<question>', async () => {
    const r = await caller.request('PUT', api(`/conversations/${conversationId}/answers`), {
      answers: { 'how-are-you': 7, 'can-talk': 'yes', 'since-intervention': 'awful', 'no-such-question': true, 'since-notes': 12 },
    });
    expect(r.statusCode).toBe(400);
    expect((r.json().errors as { field: string; code: string }[]).map((e) => [e.field, e.code])).toEqual([
      ['answers.how-are-you', 'answer_scale'],
      ['answers.can-talk', 'answer_yes_no'],
      ['answers.since-intervention', 'answer_choice'],
      ['answers.no-such-question', 'question_unknown'],
      ['answers.since-notes', 'answer_text'],
    ]);
    const row = await s.database.db.selectFrom('conversations').select(['answers', 'free_text']).where('id', '=', conversationId).executeTakeFirstOrThrow();
    expect(row).toEqual({ answers: {}, free_text: null });
  });

  it('are saved as the caller goes; free text is sealed at rest, never in the table in clear', async () => {
    const first = await caller.request('PUT', api(`/conversations/${conversationId}/answers`), {
      answers: { 'how-are-you': 2, 'can-talk': true, 'wellbeing-notes': 'Slaapt slecht sinds het voorval met Jan.' },
    });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({
      escalation: null,
      conversation: { answers: { 'how-are-you': 2, 'can-talk': true }, freeTextAnswered: ['wellbeing-notes'] },
    });
    expect(first.json().conversation.freeText).toBeUndefined();
    const second = await caller.request('PUT', api(`/conversations/${conversationId}/answers`), {
      answers: { 'how-are-you': 3, 'since-intervention': 'same', 'since-notes': 'Rustiger, hij woont nu bij zijn moeder.', 'can-talk': null },
    });
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json().conversation.answers).toEqual({ 'how-are-you': 3, 'since-intervention': 'same' });
    expect(second.json().conversation.freeTextAnswered).toEqual(['since-notes', 'wellbeing-notes']);
    // At rest: the structured answers as they are (counted), the free text only sealed.
    const raw = await sql<{ t: string }>`SELECT row_to_json(v)::text AS t FROM conversations v WHERE id = ${conversationId}`.execute(s.database.db);
    const text = raw.rows[0]?.t ?? '';
    expect(text).toContain('"how-are-you"');
    expect(text).not.toContain('Jan');
    expect(text).not.toContain('moeder');
    expect(text).not.toContain('wellbeing-notes');
  });

  it('are read back with the free text opened, and each read is audited', async () => {
    const r = await caller.request('GET', api(`/conversations/${conversationId}`));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().freeText).toEqual({
      'wellbeing-notes': 'Slaapt slecht sinds het voorval met Jan.',
      'since-notes': 'Rustiger, hij woont nu bij zijn moeder.',
    });
    const list = await coordinator.request('GET', api(`/contacts/${contactId}/conversations`));
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items).toHaveLength(1);
    expect(list.json().items[0].freeText['since-notes']).toBe('Rustiger, hij woont nu bij zijn moeder.');
    const reads = await s.database.db
      .selectFrom('audit_events')
      .select(['action', 'actor_user_id', 'details'])
      .where('record_id', '=', conversationId)
      .where('action', '=', 'conversation.read')
      .orderBy('seq')
      .execute();
    expect(reads).toHaveLength(2);
    expect(reads[0]?.actor_user_id).toBe(callerId);
    expect(reads[1]?.actor_user_id).not.toBe(callerId);
    // Nothing of the answers in the audit trail.
    const all = await sql<{
      t: string;
    }>`SELECT coalesce(string_agg(details::text, ' '), '') AS t FROM audit_events WHERE record_id = ${conversationId}`.execute(s.database.db);
    expect(all.rows[0]?.t).not.toMatch(/Jan|moeder|how-are-you/);
  });

  it('are not seen by another caller, a facilitator or a police liaison', async () => {
    expect((await otherCaller.request('GET', api(`/conversations/${conversationId}`))).statusCode).toBe(404);
    expect((await otherCaller.request('PUT', api(`/conversations/${conversationId}/answers`), { answers: { 'how-are-you': 1 } })).statusCode).toBe(404);
    expect((await otherCaller.request('GET', api(`/contacts/${contactId}/conversations`))).statusCode).toBe(404);
    expect((await otherCaller.request('POST', api(`/conversations/${conversationId}/finish`), { outcome: 'held' })).statusCode).toBe(404);
    for (const session of [facilitator, liaison]) {
      expect((await session.request('GET', api(`/conversations/${conversationId}`))).statusCode).toBe(403);
      expect((await session.request('GET', api(`/contacts/${contactId}/conversations`))).statusCode).toBe(403);
      expect((await session.request('POST', api(`/contacts/${contactId}/conversations`), {})).statusCode).toBe(403);
    }
  });

  it('keeps the contact with the caller while they talk: a claim that lapsed mid-call is taken again, one taken by someone else is not', async () => {
    const { contactId } = await reached(null as unknown as string);
    const lease = (holder: string, minutes: number) =>
      s.database.db
        .updateTable('contacts')
        .set({ lease_holder: holder, lease_until: sql`now() + make_interval(mins => ${minutes})` })
        .where('id', '=', contactId)
        .execute();
    const holderOf = async () =>
      s.database.db
        .selectFrom('contacts')
        .select(['lease_holder', sql<boolean>`lease_until > now() + interval '20 minutes'`.as('fresh')])
        .where('id', '=', contactId)
        .executeTakeFirstOrThrow();
    await lease(callerId, 5);
    const conv = await start(contactId);
    expect(await holderOf()).toEqual({ lease_holder: callerId, fresh: true });
    // The claim lapses during the conversation; saving an answer takes it again.
    await lease(callerId, -1);
    const saved = await caller.request('PUT', api(`/conversations/${conv.id}/answers`), { answers: { 'how-are-you': 4 } });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(await holderOf()).toEqual({ lease_holder: callerId, fresh: true });
    // Someone else claimed it meanwhile: their claim stands.
    const other = await s.database.db.selectFrom('users').select('id').where('id', '<>', callerId).limit(1).executeTakeFirstOrThrow();
    await lease(other.id, 30);
    await caller.request('PUT', api(`/conversations/${conv.id}/answers`), { answers: { 'how-are-you': 3 } });
    expect((await holderOf()).lease_holder).toBe(other.id);
  });

  it('finishing as held leaves the contact open (a referral or follow-up may follow); answers are then fixed', async () => {
    const r = await caller.request('POST', api(`/conversations/${conversationId}/finish`), { outcome: 'held' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ status: 'held', endedAt: expect.any(String), contact: { status: 'open', outcome: null } });
    const late = await caller.request('PUT', api(`/conversations/${conversationId}/answers`), { answers: { 'how-are-you': 5 } });
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('conversation_ended');
    expect((await caller.request('POST', api(`/conversations/${conversationId}/finish`), { outcome: 'held' })).statusCode).toBe(409);
  });
});

describe('refusing and closing', () => {
  it('a refusal with close closes the contact as refused, ends the claim and starts the retention clock', async () => {
    const { contactId } = await reached();
    await s.database.db
      .updateTable('contacts')
      .set({ lease_holder: callerId, lease_until: sql`now() + interval '20 minutes'`, follow_up_at: sql`now() + interval '2 days'` })
      .where('id', '=', contactId)
      .execute();
    const c = await start(contactId);
    const r = await caller.request('POST', api(`/conversations/${c.id}/finish`), { outcome: 'refused', close: true });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ status: 'refused', contact: { status: 'closed', outcome: 'refused' } });
    const contact = await s.database.db
      .selectFrom('contacts')
      .select(['status', 'outcome', 'lease_holder', 'lease_until', 'follow_up_at', 'next_due_at', 'closed_by', 'closed_at', 'retention_until'])
      .where('id', '=', contactId)
      .executeTakeFirstOrThrow();
    expect(contact).toMatchObject({
      status: 'closed',
      outcome: 'refused',
      lease_holder: null,
      lease_until: null,
      follow_up_at: null,
      next_due_at: null,
      closed_by: callerId,
    });
    expect(Math.round(((contact.retention_until?.getTime() ?? 0) - (contact.closed_at?.getTime() ?? 0)) / 86_400_000)).toBe(90);
  });

  it('a held conversation with close closes the contact as conversation', async () => {
    const { contactId } = await reached();
    const c = await start(contactId);
    const r = await caller.request('POST', api(`/conversations/${c.id}/finish`), { outcome: 'held', close: true });
    expect(r.json().contact).toEqual({ status: 'closed', outcome: 'conversation' });
    // A closed contact gets no new conversation.
    const again = await caller.request('POST', api(`/contacts/${contactId}/conversations`), {});
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('contact_closed');
  });
});

describe('versions', () => {
  it('a conversation keeps its scenario version after a new one is published; new ones take the new version', async () => {
    const { contactId } = await reached();
    const before = await start(contactId);
    // The coordinator publishes the programme's own version, with one more question.
    const draft = await coordinator.request('POST', api('/scenarios'));
    expect(draft.statusCode, draft.body).toBe(201);
    const def = draft.json().definition;
    def.sections[0].questions.push({ id: 'slept', text: { nl: 'Slaapt u?', fr: 'Dormez-vous ?', en: 'Do you sleep?' }, type: 'yes_no', counted: true });
    expect((await coordinator.request('PUT', api(`/scenarios/${draft.json().id}`), { definition: def })).statusCode).toBe(200);
    expect((await coordinator.request('POST', api(`/scenarios/${draft.json().id}/publish`))).statusCode).toBe(200);

    const old = await caller.request('PUT', api(`/conversations/${before.id}/answers`), { answers: { slept: true } });
    expect(old.statusCode).toBe(400);
    expect(old.json().errors[0]).toMatchObject({ field: 'answers.slept', code: 'question_unknown' });
    const kept = await caller.request('GET', api(`/conversations/${before.id}`));
    expect(kept.json().scenario).toEqual(before.scenario);

    const { contactId: next } = await reached();
    const after = await start(next);
    expect(after.scenario).toMatchObject({ id: draft.json().id, version: 1, isDefault: false });
    const ok = await caller.request('PUT', api(`/conversations/${after.id}/answers`), { answers: { slept: true } });
    expect(ok.statusCode, ok.body).toBe(200);
  });
});

describe('the end of retention', () => {
  it('destroys free text and escalation notes, keeps the structured answers and the escalation', async () => {
    const db = s.database.db;
    const { contactId } = await reached();
    const c = await start(contactId);
    await caller.request('PUT', api(`/conversations/${c.id}/answers`), { answers: { 'how-are-you': 2, 'help-notes': 'Wil met iemand van het CAW praten.' } });
    const raised = await caller.request('POST', api(`/contacts/${contactId}/escalations`), {
      recipient: 'case_consultation',
      urgency: 'this_week',
      reasons: ['caller_judgment'],
      note: 'Twijfel over de kinderen.',
      conversationId: c.id,
    });
    expect(raised.statusCode, raised.body).toBe(201);
    // Another contact, still within retention, keeps everything.
    const { contactId: kept } = await reached();
    const k = await start(kept);
    await caller.request('PUT', api(`/conversations/${k.id}/answers`), { answers: { 'help-notes': 'Nog binnen de bewaartermijn.' } });

    await db.updateTable('contacts').set({ retention_until: sql`now() - interval '1 day'` }).where('id', '=', contactId).execute();
    const now = new Date();
    const result = await db.transaction().execute((tx) => outreachPurgeJob.run(tx, { now, actor: SYSTEM_ACTOR }));
    expect(result).toMatchObject({ conversations: 1, escalations: 1 });
    const conv = await db.selectFrom('conversations').select(['answers', 'free_text', 'status']).where('id', '=', c.id).executeTakeFirstOrThrow();
    expect(conv).toEqual({ answers: { 'how-are-you': 2 }, free_text: null, status: 'in_progress' });
    const esc = await db.selectFrom('escalations').select(['note', 'reasons']).where('id', '=', raised.json().id).executeTakeFirstOrThrow();
    expect(esc).toEqual({ note: null, reasons: ['caller_judgment'] });
    expect((await db.selectFrom('conversations').select('free_text').where('id', '=', k.id).executeTakeFirstOrThrow()).free_text).not.toBeNull();
    const read = await coordinator.request('GET', api(`/conversations/${c.id}`));
    expect(read.json()).toMatchObject({ freeText: {}, freeTextAnswered: [], answers: { 'how-are-you': 2 } });
    // Nothing left to do the next time; no audit event for nothing.
    const again = await db.transaction().execute((tx) => outreachPurgeJob.run(tx, { now, actor: SYSTEM_ACTOR }));
    expect(again).toEqual({ conversations: 0, escalations: 0, attempts: 0, safety: 0 });
    const events = await db.selectFrom('audit_events').select('details').where('action', '=', 'retention.outreach_purge').execute();
    expect(events).toHaveLength(1);
  });
});
