/**
 * Attempts through the API: the rule refuses what it must (same day, same part of the day, beyond
 * the maximum), each outcome changes the contact as it should (next slot and back to the pool,
 * unreachable after the last attempt, not informed without a usable number, someone else
 * answered, reached), a text message or letter does not count, and closing accepts only the
 * outcomes that fit. Earlier attempts on other days are inserted directly.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session, TestServer, TestUser } from '../../testing/server.ts';
import { testServer } from '../../testing/server.ts';
import { addDays, brusselsTime, localDay, partOfDay } from './rules.ts';
import { PARTS_OF_DAY, type PartOfDay } from './schema.ts';
import { type SeedPerson, seedAttempt, seedWorkContact } from './worklist.fixture.ts';

let s: TestServer;
let programmeId: string;
let coordinator: Session;
let callerA: Session;
let callerB: Session;
let userA: TestUser;

const HOUR_OF: Record<PartOfDay, number> = { morning: 10, afternoon: 14, evening: 19 };
/** A moment `daysBack` Brussels days ago, in that part of the day. */
const dayAt = (daysBack: number, part: PartOfDay) => brusselsTime(addDays(localDay(new Date()), -daysBack), HOUR_OF[part]);
const otherParts = () => PARTS_OF_DAY.filter((p) => p !== partOfDay(new Date()));

const base = (p = programmeId) => `/api/programmes/${p}`;
const attempt = (session: Session, contactId: string, body: Record<string, unknown>, p = programmeId) =>
  session.request('POST', `${base(p)}/contacts/${contactId}/attempts`, body);
const close = (session: Session, contactId: string, outcome: string, p = programmeId) =>
  session.request('POST', `${base(p)}/contacts/${contactId}/outreach-close`, { outcome });
const mine = (person: SeedPerson = {}, p = programmeId) => seedWorkContact(s.database.db, s.keys, { programmeId: p }, { assignedTo: userA.id, ...person });
const contactRow = (id: string) => s.database.db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

beforeAll(async () => {
  s = await testServer();
  programmeId = (await s.createProgramme()).programmeId;
  coordinator = await s.signIn(await s.createUser([{ role: 'coordinator', programmeId }]));
  userA = await s.createUser([{ role: 'caller', programmeId }]);
  callerA = await s.signIn(userA);
  callerB = await s.signIn(await s.createUser([{ role: 'caller', programmeId }]));
});
afterAll(() => s.close());

describe('a failed attempt', () => {
  it('is recorded with its Brussels day and part, proposes the next slot on another day and part, and gives the contact back to the pool', async () => {
    const c = await seedWorkContact(s.database.db, s.keys, { programmeId });
    expect((await callerA.request('POST', `${base()}/contacts/${c}/claim`)).statusCode).toBe(200);
    const r = await attempt(callerA, c, { channel: 'phone', outcome: 'no_answer', note: 'Geen antwoord, liefst na 18u bellen' });
    expect(r.statusCode, r.body).toBe(201);
    const now = new Date();
    const { attempt: a, contact } = r.json();
    expect(a).toMatchObject({ attemptNo: 1, channel: 'phone', outcome: 'no_answer', note: 'Geen antwoord, liefst na 18u bellen', localDay: localDay(now) });
    expect(a.partOfDay).toBe(partOfDay(new Date(a.at)));
    expect(a.caller).toMatchObject({ id: userA.id });
    expect(contact).toMatchObject({ status: 'open', attemptCount: 1, leaseUntil: null, leasedByMe: false });
    expect(contact.rule).toMatchObject({ applies: true, phoneAttempts: 1, attemptsLeft: 2, callNow: { ok: false, reason: 'same_day' } });
    const due = new Date(contact.nextDueAt);
    expect(due.getTime()).toBeGreaterThan(now.getTime());
    expect(localDay(due)).not.toBe(localDay(now));
    expect(partOfDay(due)).not.toBe(a.partOfDay);
    expect(contact.rule.proposal).toEqual({ at: contact.nextDueAt, partOfDay: partOfDay(due) });
    // The note is sealed at rest and not in the audit trail.
    const row = await s.database.db.selectFrom('attempts').select('note').where('contact_id', '=', c).executeTakeFirstOrThrow();
    expect(row.note).not.toContain('18u');
    const audit = await s.database.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'attempt.record')
      .where('record_id', '=', c)
      .executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ attemptNo: 1, channel: 'phone', outcome: 'no_answer' });
    expect(JSON.stringify(audit.details)).not.toContain('18u');
    // Back in the pool, not due yet: the caller no longer holds it.
    expect((await callerA.request('GET', `${base()}/contacts/${c}/card`)).statusCode).toBe(404);
    const all = (await coordinator.request('GET', `${base()}/worklist?holder=all&pageSize=100`)).json();
    expect(all.items.find((i: { id: string }) => i.id === c)).toMatchObject({ state: 'not_due', leasedBy: null, attemptCount: 1 });
  });

  it('lists the attempts with their notes, to whoever works the contact only', async () => {
    const c = await mine();
    await attempt(callerA, c, { channel: 'sms', outcome: 'sent', note: 'Neutrale sms' });
    await attempt(callerA, c, { channel: 'phone', outcome: 'busy' });
    const r = await callerA.request('GET', `${base()}/contacts/${c}/attempts`);
    expect(r.statusCode).toBe(200);
    expect(r.json().items.map((a: { attemptNo: number; outcome: string; note: string | null }) => [a.attemptNo, a.outcome, a.note])).toEqual([
      [1, 'sent', 'Neutrale sms'],
      [2, 'busy', null],
    ]);
    expect((await callerB.request('GET', `${base()}/contacts/${c}/attempts`)).statusCode).toBe(404);
    expect((await attempt(callerB, c, { channel: 'phone', outcome: 'busy' })).statusCode).toBe(404);
  });
});

describe('the rule', () => {
  const refusal = (r: { statusCode: number; json: () => { code: string; errors: { field: string; code: string }[] } }) => [
    r.statusCode,
    r.json().code,
    r.json().errors[0]?.field,
    r.json().errors[0]?.code,
  ];

  it('refuses a second phone attempt on the same day', async () => {
    const c = await mine();
    expect((await attempt(callerA, c, { channel: 'phone', outcome: 'no_answer' })).statusCode).toBe(201);
    expect(refusal(await attempt(callerA, c, { channel: 'phone', outcome: 'reached' }))).toEqual([422, 'attempt_rule', 'at', 'same_day']);
    expect((await contactRow(c)).attempt_count).toBe(1);
  });

  it('refuses the same part of the day as an earlier attempt', async () => {
    const c = await mine();
    await seedAttempt(s.database.db, { programmeId, contactId: c, at: dayAt(1, partOfDay(new Date())) });
    expect(refusal(await attempt(callerA, c, { channel: 'phone', outcome: 'no_answer' }))).toEqual([422, 'attempt_rule', 'at', 'same_part_of_day']);
  });

  it('refuses an attempt beyond the maximum', async () => {
    const c = await mine();
    for (const [i, part] of PARTS_OF_DAY.entries()) await seedAttempt(s.database.db, { programmeId, contactId: c, at: dayAt(3 - i, part) });
    expect(refusal(await attempt(callerA, c, { channel: 'phone', outcome: 'no_answer' }))).toEqual([422, 'attempt_rule', 'at', 'max_attempts']);
    // The coordinator can still close it as unreachable.
    const closed = await close(coordinator, c, 'unreachable');
    expect(closed.statusCode, closed.body).toBe(200);
  });

  it('takes times on today only, never in the future', async () => {
    const c = await mine();
    const r1 = await attempt(callerA, c, { channel: 'phone', outcome: 'no_answer', at: new Date(Date.now() + 10 * 60_000).toISOString() });
    expect([r1.statusCode, r1.json().errors[0]]).toMatchObject([400, { field: 'at', code: 'attempt_in_future' }]);
    const r2 = await attempt(callerA, c, { channel: 'phone', outcome: 'no_answer', at: dayAt(1, 'afternoon').toISOString() });
    expect([r2.statusCode, r2.json().errors[0]]).toMatchObject([400, { field: 'at', code: 'attempt_not_today' }]);
    const startOfToday = brusselsTime(localDay(new Date()), 0).getTime();
    const earlier = new Date(Math.max(startOfToday, Date.now() - 20 * 60_000));
    const r3 = await attempt(callerA, c, { channel: 'phone', outcome: 'no_answer', at: earlier.toISOString() });
    expect(r3.statusCode, r3.body).toBe(201);
    expect(r3.json().attempt.at).toBe(earlier.toISOString());
  });

  it('follows the programme’s settings', async () => {
    const p = (await s.createProgramme()).programmeId;
    await s.database.db.insertInto('role_assignments').values({ user_id: userA.id, role: 'caller', programme_id: p }).execute();
    await s.database.db.insertInto('outreach_settings').values({ programme_id: p, max_attempts: 2, distinct_days: false, distinct_parts: false }).execute();
    const c = await mine({}, p);
    const first = await attempt(callerA, c, { channel: 'phone', outcome: 'no_answer' }, p);
    expect(first.statusCode, first.body).toBe(201);
    // Same day, same part: allowed here; the second is the last.
    const second = await attempt(callerA, c, { channel: 'phone', outcome: 'voicemail_neutral' }, p);
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json().contact).toMatchObject({ status: 'closed', outcome: 'unreachable' });
  });
});

describe('what an outcome does', () => {
  it('after the last failed phone attempt, closes the contact as unreachable and starts its retention clock', async () => {
    const c = await mine();
    const [p1, p2] = otherParts() as [PartOfDay, PartOfDay];
    await seedAttempt(s.database.db, { programmeId, contactId: c, at: dayAt(2, p1) });
    await seedAttempt(s.database.db, { programmeId, contactId: c, at: dayAt(1, p2) });
    await callerA.request('POST', `${base()}/contacts/${c}/claim`);
    const r = await attempt(callerA, c, { channel: 'phone', outcome: 'busy' });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().attempt.attemptNo).toBe(3);
    expect(r.json().contact).toMatchObject({ status: 'closed', outcome: 'unreachable', attemptCount: 3, leaseUntil: null, nextDueAt: null, closeOptions: [] });
    const row = await contactRow(c);
    expect(row).toMatchObject({ status: 'closed', outcome: 'unreachable', closed_by: userA.id, lease_holder: null, lease_until: null, next_due_at: null });
    expect(row.retention_until).not.toBeNull();
    const actions = await s.database.db.selectFrom('audit_events').select(['action', 'details']).where('record_id', '=', c).orderBy('seq').execute();
    expect(actions.map((a) => a.action)).toEqual(['contact.claim', 'attempt.record', 'contact.close']);
    expect(actions[1]?.details).toMatchObject({ closedAs: 'unreachable' });
    const again = await attempt(callerA, c, { channel: 'phone', outcome: 'busy' });
    expect([again.statusCode, again.json().code]).toEqual([409, 'contact_closed']);
  });

  it('closes as not informed when the only number is not in service', async () => {
    const c = await mine({ identity: { lastName: 'Dubois', firstName: 'Marie', mobile: '+32470555666' } });
    const r = await attempt(callerA, c, { channel: 'phone', outcome: 'not_in_service' });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().contact).toMatchObject({ status: 'closed', outcome: 'not_informed' });
    // Counting the numbers opened the identity: audited.
    const read = await s.database.db
      .selectFrom('audit_events')
      .select(['purpose', 'actor_user_id'])
      .where('action', '=', 'contact.identity_read')
      .where('record_id', '=', c)
      .execute();
    expect(read).toEqual([{ purpose: 'outreach_number_check', actor_user_id: userA.id }]);
  });

  it('keeps a contact with a second number open, and closes it when that one is unusable too', async () => {
    const c = await mine({ identity: { lastName: 'Dubois', firstName: 'Luc', mobile: '+32470555667', phone: '+3211223344' } });
    await seedAttempt(s.database.db, { programmeId, contactId: c, at: dayAt(1, otherParts()[0] as PartOfDay), outcome: 'not_in_service' });
    const r = await attempt(callerA, c, { channel: 'phone', outcome: 'wrong_person' });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().contact).toMatchObject({ status: 'closed', outcome: 'not_informed' });

    const d = await mine({ identity: { lastName: 'Dubois', firstName: 'Jan', mobile: '+32470555668', phone: '+3211223345' } });
    const first = await attempt(callerA, d, { channel: 'phone', outcome: 'wrong_person' });
    expect(first.json().contact).toMatchObject({ status: 'open', closeOptions: ['not_informed'] });
    expect(first.json().contact.nextDueAt).not.toBeNull();
  });

  it('marks that someone else answered: the card then says to end the call without saying why', async () => {
    const c = await mine();
    const r = await attempt(callerA, c, { channel: 'phone', outcome: 'someone_else' });
    expect(r.json().contact.status).toBe('open');
    const card = (await callerA.request('GET', `${base()}/contacts/${c}/card`)).json();
    expect(card.safety).toMatchObject({ someoneElseAnswered: true, instruction: 'end_call_without_reason' });
    expect(card.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['someone_else']);
  });

  it('on reaching the person, keeps the lease for the conversation; later calls are follow-ups outside the rule', async () => {
    const c = await seedWorkContact(s.database.db, s.keys, { programmeId });
    await callerA.request('POST', `${base()}/contacts/${c}/claim`);
    await s.database.db.updateTable('contacts').set({ lease_until: sql`now() + interval '1 minute'` }).where('id', '=', c).execute();
    const r = await attempt(callerA, c, { channel: 'phone', outcome: 'reached' });
    expect(r.statusCode, r.body).toBe(201);
    const contact = r.json().contact;
    expect(contact).toMatchObject({ status: 'open', leasedByMe: true, nextDueAt: null, closeOptions: ['refused', 'conversation'] });
    expect(contact.reachedAt).toBe(r.json().attempt.at);
    expect(new Date(contact.leaseUntil).getTime() - Date.now()).toBeGreaterThan(25 * 60_000);
    expect(contact.rule).toMatchObject({ applies: false, attemptsLeft: 0, proposal: null });
    const followUp = await attempt(callerA, c, { channel: 'phone', outcome: 'no_answer' });
    expect(followUp.statusCode, followUp.body).toBe(201);
    expect(followUp.json().contact).toMatchObject({ status: 'open', leasedByMe: true });
    expect((await close(callerA, c, 'unreachable')).json().code).toBe('contact_reached');
    const closed = await close(callerA, c, 'conversation');
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json()).toMatchObject({ status: 'closed', outcome: 'conversation', leaseUntil: null });
    expect((await contactRow(c)).closed_by).toBe(userA.id);
  });

  it('a follow-up call not answered moves one day on and frees the contact; answered, the follow-up is done', async () => {
    const c = await seedWorkContact(s.database.db, s.keys, { programmeId }, { assignedTo: userA.id });
    await s.database.db
      .updateTable('contacts')
      .set({
        reached_at: sql`now() - interval '10 days'`,
        attempt_count: 1,
        follow_up_at: sql`now() - interval '1 hour'`,
        next_due_at: sql`now() - interval '1 hour'`,
      })
      .where('id', '=', c)
      .execute();
    const missed = await attempt(callerA, c, { channel: 'phone', outcome: 'no_answer' });
    expect(missed.statusCode, missed.body).toBe(201);
    const after = await contactRow(c);
    const inADay = (d: Date | string | null) => (d ? new Date(d).getTime() - Date.now() : Number.NaN);
    expect(inADay(after.follow_up_at)).toBeGreaterThan(23 * 3600_000);
    expect(inADay(after.follow_up_at)).toBeLessThan(25 * 3600_000);
    expect(after.next_due_at).toEqual(after.follow_up_at);
    expect(after.lease_holder).toBeNull();
    expect(after.status).toBe('open');
    // The next day (made due now), the person answers: the follow-up is done.
    await s.database.db
      .updateTable('contacts')
      .set({ follow_up_at: sql`now() - interval '1 minute'`, next_due_at: sql`now() - interval '1 minute'` })
      .where('id', '=', c)
      .execute();
    const answered = await attempt(callerA, c, { channel: 'phone', outcome: 'reached' });
    expect(answered.statusCode, answered.body).toBe(201);
    expect(await contactRow(c)).toMatchObject({ follow_up_at: null, next_due_at: null, status: 'open' });
  });

  it('counts a text message or letter apart from the phone maximum', async () => {
    const c = await mine();
    const sms = await attempt(callerA, c, { channel: 'sms', outcome: 'sent' });
    expect(sms.statusCode, sms.body).toBe(201);
    expect(sms.json().contact).toMatchObject({ attemptCount: 1, nextDueAt: null, closeOptions: ['letter_sent'] });
    expect(sms.json().contact.rule).toMatchObject({ phoneAttempts: 0, attemptsLeft: 3, callNow: { ok: true } });
    const wrong = await attempt(callerA, c, { channel: 'letter', outcome: 'no_answer' });
    expect([wrong.statusCode, wrong.json().errors[0]]).toMatchObject([400, { field: 'outcome', code: 'outcome_not_for_channel' }]);
    const wrong2 = await attempt(callerA, c, { channel: 'phone', outcome: 'sent' });
    expect(wrong2.json().errors[0]).toMatchObject({ field: 'outcome', code: 'outcome_not_for_channel' });
    const phone = await attempt(callerA, c, { channel: 'phone', outcome: 'no_answer' });
    expect(phone.json().attempt.attemptNo).toBe(2);
    expect(phone.json().contact.rule).toMatchObject({ phoneAttempts: 1, attemptsLeft: 2 });
    expect((await close(callerA, c, 'letter_sent')).json()).toMatchObject({ status: 'closed', outcome: 'letter_sent' });
  });
});

describe('closing', () => {
  it('refuses outcomes that do not fit where the contact stands', async () => {
    const c = await mine();
    const codes: Record<string, string> = {};
    for (const outcome of ['refused', 'conversation', 'unreachable', 'not_informed', 'letter_sent'])
      codes[outcome] = (await close(callerA, c, outcome)).json().code;
    expect(codes).toEqual({
      refused: 'contact_not_reached',
      conversation: 'contact_not_reached',
      unreachable: 'attempts_left',
      not_informed: 'phone_usable',
      letter_sent: 'letter_not_sent',
    });
    expect((await close(callerA, c, 'escalated')).statusCode).toBe(400);
    expect((await close(callerB, c, 'not_informed')).statusCode).toBe(404);
    expect((await contactRow(c)).status).toBe('open');
  });

  it('closes a contact without a number as not informed; a phone attempt on it is refused', async () => {
    const c = await mine({ identity: { lastName: 'Lambert', firstName: 'Sofie' }, hasPhone: false });
    const card = (await callerA.request('GET', `${base()}/contacts/${c}/card`)).json();
    expect(card.identity.phones).toEqual([]);
    expect(card.contact.closeOptions).toEqual(['not_informed']);
    expect((await attempt(callerA, c, { channel: 'phone', outcome: 'no_answer' })).json().code).toBe('no_phone');
    const r = await close(callerA, c, 'not_informed');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ status: 'closed', outcome: 'not_informed' });
    expect((await close(callerA, c, 'not_informed')).json().code).toBe('contact_closed');
  });

  it('extends the caller’s lease when they record safety information', async () => {
    const c = await seedWorkContact(s.database.db, s.keys, { programmeId });
    await callerA.request('POST', `${base()}/contacts/${c}/claim`);
    await s.database.db.updateTable('contacts').set({ lease_until: sql`now() + interval '1 minute'` }).where('id', '=', c).execute();
    expect((await callerA.request('PUT', `${base()}/contacts/${c}/safety`, { safeParts: ['evening'] })).statusCode).toBe(200);
    const row = await contactRow(c);
    expect(new Date(row.lease_until as Date).getTime() - Date.now()).toBeGreaterThan(25 * 60_000);
  });
});
