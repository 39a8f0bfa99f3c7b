/**
 * The worklist through the API on a real database: settings, the order of work, filters and
 * paging, who sees which contacts, claims and releases, assignment by the coordinator, who holds
 * what, and the safe-contact card (audited identity read, nothing of the other party).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Session, TestServer, TestUser } from '../../testing/server.ts';
import { testServer } from '../../testing/server.ts';
import { activeProtocol, policeZone } from '../referrals/testing.ts';
import { addDays, brusselsTime, localDay, partOfDay } from './rules.ts';
import { PARTS_OF_DAY, type PartOfDay } from './schema.ts';
import { seedAttempt, seedDossier, seedWorkContact } from './worklist.fixture.ts';

let s: TestServer;
let programmeId: string;
let otherProgrammeId: string;
let protocolId: string;
let coordinator: Session;
let callerA: Session;
let callerB: Session;
let otherCaller: Session;
let facilitator: Session;
let liaison: Session;
let userA: TestUser;
let userB: TestUser;
let facilitatorUser: TestUser;

const H = 3_600_000;
const ago = (ms: number) => new Date(Date.now() - ms);
const later = (ms: number) => new Date(Date.now() + ms);

/** A fresh programme for tests that count or order its whole pool, with the same people in it. */
async function freshProgramme(): Promise<string> {
  const { programmeId: id } = await s.createProgramme();
  await s.database.db
    .insertInto('role_assignments')
    .values([
      { user_id: userA.id, role: 'caller', programme_id: id },
      { user_id: userB.id, role: 'caller', programme_id: id },
      { user_id: coordinatorUser.id, role: 'coordinator', programme_id: id },
    ])
    .execute();
  return id;
}
let coordinatorUser: TestUser;

beforeAll(async () => {
  s = await testServer();
  programmeId = (await s.createProgramme()).programmeId;
  otherProgrammeId = (await s.createProgramme()).programmeId;
  const zone = await policeZone(s.database.db);
  protocolId = await activeProtocol(s.database.db, { programmeId, senderOrganisationId: zone, receiverOrganisationId: s.organisationId });
  coordinatorUser = await s.createUser([{ role: 'coordinator', programmeId }]);
  coordinator = await s.signIn(coordinatorUser);
  userA = await s.createUser([{ role: 'caller', programmeId }]);
  userB = await s.createUser([{ role: 'caller', programmeId }]);
  callerA = await s.signIn(userA);
  callerB = await s.signIn(userB);
  otherCaller = await s.signIn(await s.createUser([{ role: 'caller', programmeId: otherProgrammeId }]));
  facilitatorUser = await s.createUser([{ role: 'facilitator', programmeId }]);
  facilitator = await s.signIn(facilitatorUser);
  liaison = await s.signIn(await s.createUser([{ role: 'police_liaison', programmeId }], { organisationId: zone }));
});
afterAll(() => s.close());

const url = (p: string, rest: string) => `/api/programmes/${p}${rest}`;

describe('settings', () => {
  it('answers the defaults until the coordinator changes them, and validates the change', async () => {
    const p = await freshProgramme();
    const r = await callerA.request('GET', url(p, '/outreach/settings'));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ maxAttempts: 3, distinctDays: true, distinctParts: true, leaseMinutes: 30, voicemail: 'never', updatedAt: null });
    const body = { maxAttempts: 4, distinctDays: true, distinctParts: false, leaseMinutes: 45, voicemail: 'neutral' };
    expect((await callerA.request('PUT', url(p, '/outreach/settings'), body)).statusCode).toBe(403);
    const bad = await coordinator.request('PUT', url(p, '/outreach/settings'), { ...body, maxAttempts: 0, leaseMinutes: 1000 });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['leaseMinutes', 'maxAttempts']);
    const put = await coordinator.request('PUT', url(p, '/outreach/settings'), body);
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject(body);
    expect((await callerA.request('GET', url(p, '/outreach/settings'))).json()).toMatchObject({ ...body, updatedAt: expect.any(String) });
    const audit = await s.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'outreach.settings_update')
      .where('record_id', '=', p)
      .execute();
    expect(audit).toHaveLength(1);
  });
});

describe('the order of work', () => {
  let p: string;
  const ids: Record<string, string> = {};
  const names: string[] = [];

  beforeAll(async () => {
    p = await freshProgramme();
    const db = s.database.db;
    const add = async (key: string, d: Partial<Parameters<typeof seedWorkContact>[2]>, person: Parameters<typeof seedWorkContact>[3] = {}) => {
      const lastName = `Naam${key}`;
      names.push(lastName);
      ids[key] = await seedWorkContact(
        db,
        s.keys,
        { programmeId: p, protocolId, ...d },
        { identity: { lastName, firstName: 'Eva', mobile: '+32470999001' }, ...person },
      );
    };
    await add('F1', {}, { attemptCount: 1, followUpAt: ago(1 * H) });
    await add('F2', {}, { attemptCount: 1, followUpAt: ago(2 * H) });
    await add('D1', {}, { attemptCount: 1, nextDueAt: ago(3 * H) });
    await add('D2', {}, { attemptCount: 2, nextDueAt: ago(1 * H) });
    await add('N1', { factsOn: '2025-01-05' });
    await add('N2', { factsOn: '2025-01-01' }, { receivedAt: ago(10 * H) });
    await add('N3', { factsOn: null }, { receivedAt: ago(100 * H) });
    await add('N4', { factsOn: '2025-01-01', nisCode: '71002', municipality: 'As' }, { receivedAt: ago(5 * H), language: 'fr' });
    await add('L1', {}, { attemptCount: 1, nextDueAt: later(24 * H) });
    await add('L2', {}, { attemptCount: 1, followUpAt: later(2 * H) });
    await add('orange', { colour: 'orange' });
    await add('closed', {});
    await db
      .updateTable('contacts')
      .set({ status: 'closed', outcome: 'not_informed', closed_at: new Date() })
      .where('id', '=', ids.closed as string)
      .execute();
  });

  const ORDER = ['F2', 'F1', 'D1', 'D2', 'N2', 'N4', 'N1', 'N3', 'L2', 'L1'];
  const keysOf = (items: { id: string }[]) => items.map((i) => Object.keys(ids).find((k) => ids[k] === i.id));

  it('lists due follow-ups, due next attempts, new contacts by oldest intervention, then what is not due; green and open only', async () => {
    const r = await coordinator.request('GET', url(p, '/worklist?holder=all&pageSize=50'));
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(keysOf(body.items)).toEqual(ORDER);
    expect(body.total).toBe(10);
    expect(body.items.map((i: { state: string }) => i.state)).toEqual([
      'follow_up',
      'follow_up',
      'in_progress',
      'in_progress',
      'new',
      'new',
      'new',
      'new',
      'not_due',
      'not_due',
    ]);
    const first = body.items[0];
    expect(first).toMatchObject({
      ref: expect.stringMatching(/^C-[0-9A-F]{6}$/),
      dossierRef: expect.stringMatching(/^D-[0-9A-F]{6}$/),
      hasPhone: true,
      assignedTo: null,
    });
    // Pseudonymous: no name, no number.
    for (const name of names) expect(r.body).not.toContain(name);
    expect(r.body).not.toContain('+32470');
  });

  it('pages, and filters by state, municipality and language', async () => {
    const page2 = (await coordinator.request('GET', url(p, '/worklist?holder=all&pageSize=3&page=2'))).json();
    expect(keysOf(page2.items)).toEqual(ORDER.slice(3, 6));
    expect(page2.total).toBe(10);
    const get = async (q: string) => keysOf((await coordinator.request('GET', url(p, `/worklist?holder=all&${q}`))).json().items);
    expect(await get('status=new')).toEqual(['N2', 'N4', 'N1', 'N3']);
    expect(await get('status=follow_up')).toEqual(['F2', 'F1']);
    expect(await get('status=in_progress')).toEqual(['D1', 'D2']);
    expect(await get('status=not_due')).toEqual(['L2', 'L1']);
    expect(await get('nisCode=71002')).toEqual(['N4']);
    expect(await get('language=fr')).toEqual(['N4']);
    expect((await coordinator.request('GET', url(p, '/worklist?status=someday'))).statusCode).toBe(400);
  });

  it('hands out claims in that order, only what is due, then says the worklist is empty', async () => {
    const got: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await (i % 2 ? callerA : callerB).request('POST', url(p, '/worklist/claim'));
      expect(r.statusCode, r.body).toBe(200);
      got.push(r.json().id);
      expect(r.json().leasedBy.id).toBe(i % 2 ? userA.id : userB.id);
    }
    expect(keysOf(got.map((id) => ({ id })))).toEqual(ORDER.slice(0, 8));
    const empty = await callerA.request('POST', url(p, '/worklist/claim'));
    expect(empty.statusCode).toBe(409);
    expect(empty.json().code).toBe('worklist_empty');
    // Each caller now sees their own claims, in the order of work.
    const mine = (await callerA.request('GET', url(p, '/worklist'))).json();
    expect(keysOf(mine.items)).toEqual(['F1', 'D2', 'N4', 'N3']);
    expect(mine.items.every((i: { leasedBy: { id: string } }) => i.leasedBy.id === userA.id)).toBe(true);
  });
});

describe('the date of the facts', () => {
  it('follows the dossier when its date is corrected', async () => {
    const p = await freshProgramme();
    const db = s.database.db;
    const later = await seedDossier(db, s.keys, { programmeId: p, factsOn: '2025-03-01' });
    const earlier = await seedDossier(db, s.keys, { programmeId: p, factsOn: '2025-02-01' });
    const order = async () => (await coordinator.request('GET', url(p, '/worklist?holder=all'))).json().items.map((i: { id: string }) => i.id);
    expect(await order()).toEqual([earlier.contactIds[0], later.contactIds[0]]);
    await db.updateTable('dossiers').set({ facts_on: '2025-01-01' }).where('id', '=', later.dossierId).execute();
    expect(await order()).toEqual([later.contactIds[0], earlier.contactIds[0]]);
    const claimed = await callerA.request('POST', url(p, '/worklist/claim'));
    expect(claimed.json()).toMatchObject({ id: later.contactIds[0], factsOn: '2025-01-01' });
  });
});

describe('claims, releases and who sees what', () => {
  let p: string;
  beforeEach(async () => {
    p = await freshProgramme();
  });

  it('does not hand out a due contact that an earlier attempt already called in this part of the day', async () => {
    const db = s.database.db;
    const now = new Date();
    const part = partOfDay(now);
    const other = PARTS_OF_DAY.find((x) => x !== part) as PartOfDay;
    const hour: Record<PartOfDay, number> = { morning: 10, afternoon: 14, evening: 19 };
    const dueAfter = async (usedPart: PartOfDay) => {
      const id = await seedWorkContact(db, s.keys, { programmeId: p });
      await seedAttempt(db, { programmeId: p, contactId: id, at: brusselsTime(addDays(localDay(now), -2), hour[usedPart]) });
      await db
        .updateTable('contacts')
        .set({ next_due_at: new Date(now.getTime() - 3_600_000) })
        .where('id', '=', id)
        .execute();
      return id;
    };
    const samePart = await dueAfter(part);
    const otherPart = await dueAfter(other);
    const first = await callerA.request('POST', url(p, '/worklist/claim'));
    expect(first.json().id).toBe(otherPart);
    const second = await callerA.request('POST', url(p, '/worklist/claim'));
    expect(second.json().code).toBe('worklist_empty');
    // Without distinct parts in the programme's rule, it is callable now.
    await coordinator.request('PUT', url(p, '/outreach/settings'), {
      maxAttempts: 3,
      distinctDays: true,
      distinctParts: false,
      leaseMinutes: 30,
      voicemail: 'never',
    });
    const third = await callerA.request('POST', url(p, '/worklist/claim'));
    expect(third.json().id).toBe(samePart);
  });

  it('claims a filtered next contact', async () => {
    const nl = await seedWorkContact(s.database.db, s.keys, { programmeId: p }, { language: 'nl' });
    const fr = await seedWorkContact(s.database.db, s.keys, { programmeId: p, nisCode: '71002' }, { language: 'fr' });
    const r = await callerA.request('POST', url(p, '/worklist/claim'), { language: 'fr' });
    expect(r.json().id).toBe(fr);
    const r2 = await callerA.request('POST', url(p, '/worklist/claim'), { nisCode: '71002' });
    expect(r2.json().code).toBe('worklist_empty');
    await callerA.request('POST', url(p, `/contacts/${fr}/release`));
    await callerA.request('POST', url(p, `/contacts/${nl}/claim`));
    await callerA.request('POST', url(p, `/contacts/${nl}/release`));
  });

  it('lets a caller claim a free contact by id, renew their own lease, and not take another caller’s', async () => {
    const c = await seedWorkContact(s.database.db, s.keys, { programmeId: p });
    const a = await callerA.request('POST', url(p, `/contacts/${c}/claim`));
    expect(a.statusCode, a.body).toBe(200);
    expect(a.json()).toMatchObject({ id: c, leasedBy: { id: userA.id }, leaseUntil: expect.any(String) });
    const until = new Date(a.json().leaseUntil).getTime();
    expect(until - Date.now()).toBeGreaterThan(29 * 60_000);
    expect((await callerA.request('POST', url(p, `/contacts/${c}/claim`))).statusCode).toBe(200);
    // Another caller: as if it did not exist. The coordinator: held.
    expect((await callerB.request('POST', url(p, `/contacts/${c}/claim`))).statusCode).toBe(404);
    const held = await coordinator.request('POST', url(p, `/contacts/${c}/claim`));
    expect(held.statusCode).toBe(409);
    expect(held.json().code).toBe('contact_held');
    expect((await callerB.request('GET', url(p, `/contacts/${c}/card`))).statusCode).toBe(404);
    expect((await callerA.request('GET', url(p, `/contacts/${c}/card`))).statusCode).toBe(200);
    // Released: back to the pool, and no longer A's to see.
    expect((await callerA.request('POST', url(p, `/contacts/${c}/release`))).statusCode).toBe(204);
    expect((await callerA.request('GET', url(p, `/contacts/${c}/card`))).statusCode).toBe(404);
    expect((await callerB.request('POST', url(p, `/contacts/${c}/claim`))).statusCode).toBe(200);
    await callerB.request('POST', url(p, `/contacts/${c}/release`));
  });

  it('gives a contact back to the pool when its lease expires', async () => {
    const c = await seedWorkContact(s.database.db, s.keys, { programmeId: p });
    expect((await callerA.request('POST', url(p, `/contacts/${c}/claim`))).statusCode).toBe(200);
    expect((await callerB.request('POST', url(p, '/worklist/claim'))).json().code).toBe('worklist_empty');
    await s.database.db.updateTable('contacts').set({ lease_until: sql`now() - interval '1 second'` }).where('id', '=', c).execute();
    expect((await callerA.request('GET', url(p, `/contacts/${c}/card`))).statusCode).toBe(404);
    expect((await callerA.request('GET', url(p, '/worklist'))).json().total).toBe(0);
    const b = await callerB.request('POST', url(p, '/worklist/claim'));
    expect(b.json().id).toBe(c);
    await callerB.request('POST', url(p, `/contacts/${c}/release`));
  });

  it('refuses closed and orange contacts, and tells a caller nothing of contacts they cannot see', async () => {
    const orange = await seedWorkContact(s.database.db, s.keys, { programmeId: p, colour: 'orange' });
    const closed = await seedWorkContact(s.database.db, s.keys, { programmeId: p }, { assignedTo: userA.id });
    await s.database.db.updateTable('contacts').set({ status: 'closed', outcome: 'refused' }).where('id', '=', closed).execute();
    expect((await callerA.request('POST', url(p, `/contacts/${orange}/claim`))).statusCode).toBe(404);
    expect((await coordinator.request('POST', url(p, `/contacts/${orange}/claim`))).json().code).toBe('contact_not_in_flow');
    expect((await callerA.request('POST', url(p, `/contacts/${closed}/claim`))).json().code).toBe('contact_closed');
    expect((await callerB.request('POST', url(p, `/contacts/${closed}/claim`))).statusCode).toBe(404);
  });

  it('shows a caller only their own contacts; other holders are for coordinators', async () => {
    const mineA = await seedWorkContact(s.database.db, s.keys, { programmeId: p }, { assignedTo: userA.id });
    const mineB = await seedWorkContact(s.database.db, s.keys, { programmeId: p }, { assignedTo: userB.id });
    const a = (await callerA.request('GET', url(p, '/worklist'))).json();
    expect(a.items.map((i: { id: string }) => i.id)).toEqual([mineA]);
    expect(a.items[0].assignedTo).toEqual({ id: userA.id, displayName: expect.any(String) });
    for (const holder of ['all', 'unassigned', userB.id]) {
      const r = await callerA.request('GET', url(p, `/worklist?holder=${holder}`));
      expect(r.statusCode).toBe(400);
      expect(r.json().errors[0]).toMatchObject({ field: 'holder', code: 'holder_not_allowed' });
    }
    expect((await callerA.request('GET', url(p, `/worklist?holder=${userA.id}`))).json().total).toBe(1);
    expect((await coordinator.request('GET', url(p, `/worklist?holder=${userB.id}`))).json().items.map((i: { id: string }) => i.id)).toEqual([mineB]);
    const unassigned = (await coordinator.request('GET', url(p, '/worklist?holder=unassigned&pageSize=100'))).json();
    expect(unassigned.items.map((i: { id: string }) => i.id)).not.toContain(mineA);
    expect(unassigned.items.every((i: { assignedTo: unknown; leasedBy: unknown }) => i.assignedTo === null && i.leasedBy === null)).toBe(true);
    // Another programme's caller, a facilitator and a police liaison see nothing of it.
    expect((await otherCaller.request('GET', url(p, '/worklist'))).statusCode).toBe(404);
    expect((await otherCaller.request('GET', url(p, `/contacts/${mineA}/card`))).statusCode).toBe(404);
    expect((await facilitator.request('GET', url(p, '/worklist'))).statusCode).toBe(403);
    expect((await liaison.request('GET', url(p, '/worklist'))).statusCode).toBe(403);
    expect((await facilitator.request('GET', url(p, `/contacts/${mineA}/card`))).statusCode).toBe(403);
    expect((await liaison.request('POST', url(p, '/worklist/claim'))).statusCode).toBe(403);
    expect((await callerB.request('GET', url(p, `/contacts/${mineA}/card`))).statusCode).toBe(404);
    expect((await callerB.request('GET', url(p, `/contacts/${mineA}/attempts`))).statusCode).toBe(404);
  });
});

describe('assignment', () => {
  it('assigns in bulk to a caller of the programme, re-assigns, takes back, and counts who holds what', async () => {
    const p = await freshProgramme();
    const db = s.database.db;
    const c = await Promise.all([0, 1, 2, 3].map(() => seedWorkContact(db, s.keys, { programmeId: p })));
    const [c0, c1, c2, c3] = c as [string, string, string, string];
    expect((await callerA.request('POST', url(p, '/worklist/assign'), { contactIds: [c0], callerId: userA.id })).statusCode).toBe(403);
    const r = await coordinator.request('POST', url(p, '/worklist/assign'), { contactIds: [c0, c1, c2], callerId: userA.id });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ assigned: 3 });
    expect((await callerA.request('GET', url(p, '/worklist'))).json().total).toBe(3);
    // A claims c0; re-assigned to B, A's lease ends and B holds it.
    await callerA.request('POST', url(p, `/contacts/${c0}/claim`));
    expect((await coordinator.request('POST', url(p, '/worklist/assign'), { contactIds: [c0], callerId: userB.id })).statusCode).toBe(200);
    expect((await callerA.request('GET', url(p, `/contacts/${c0}/card`))).statusCode).toBe(404);
    const b = (await callerB.request('GET', url(p, '/worklist'))).json();
    expect(b.items).toHaveLength(1);
    expect(b.items[0]).toMatchObject({ id: c0, assignedTo: { id: userB.id }, leasedBy: null });
    // B claims c3 (unassigned) as well.
    expect((await callerB.request('POST', url(p, `/contacts/${c3}/claim`))).statusCode).toBe(200);

    const h = await coordinator.request('GET', url(p, '/worklist/holders'));
    expect(h.statusCode, h.body).toBe(200);
    const byId = new Map(h.json().holders.map((x: { userId: string }) => [x.userId, x]));
    expect(byId.get(userA.id)).toMatchObject({ assigned: 2, assignedDue: 2, leased: 0, roles: ['caller'] });
    expect(byId.get(userB.id)).toMatchObject({ assigned: 1, leased: 1 });
    expect(byId.get(coordinatorUser.id)).toMatchObject({ assigned: 0, leased: 0, roles: ['coordinator'] });
    expect(h.json()).toMatchObject({ open: 4, unassigned: 0 });
    expect((await callerA.request('GET', url(p, '/worklist/holders'))).statusCode).toBe(403);

    // Taken back: unassigned again.
    expect((await coordinator.request('POST', url(p, '/worklist/assign'), { contactIds: [c1, c2], callerId: null })).json()).toEqual({ assigned: 2 });
    expect((await callerA.request('GET', url(p, '/worklist'))).json().total).toBe(0);
    const audit = await db
      .selectFrom('audit_events')
      .select(['record_id', 'details'])
      .where('action', '=', 'contact.assign')
      .where('record_id', '=', c1)
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.details)).toEqual([
      { assignedTo: userA.id, previous: null },
      { assignedTo: null, previous: userA.id },
    ]);
  });

  it('refuses someone who is not a caller of the programme, and closed or unknown contacts', async () => {
    const p = await freshProgramme();
    const db = s.database.db;
    const open = await seedWorkContact(db, s.keys, { programmeId: p });
    const closed = await seedWorkContact(db, s.keys, { programmeId: p });
    await db.updateTable('contacts').set({ status: 'closed' }).where('id', '=', closed).execute();
    const foreign = await seedWorkContact(db, s.keys, { programmeId: otherProgrammeId });
    const notCaller = await coordinator.request('POST', url(p, '/worklist/assign'), { contactIds: [open], callerId: facilitatorUser.id });
    expect(notCaller.statusCode).toBe(400);
    expect(notCaller.json().errors[0]).toMatchObject({ field: 'callerId', code: 'not_a_caller' });
    const otherProgrammesCaller = await s.createUser([{ role: 'caller', programmeId: otherProgrammeId }]);
    expect((await coordinator.request('POST', url(p, '/worklist/assign'), { contactIds: [open], callerId: otherProgrammesCaller.id })).statusCode).toBe(400);
    const bad = await coordinator.request('POST', url(p, '/worklist/assign'), { contactIds: [open, closed, foreign], callerId: userA.id });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string; code: string }) => [e.field, e.code])).toEqual([
      ['contactIds.1', 'contact_not_open'],
      ['contactIds.2', 'unknown_reference'],
    ]);
    expect((await db.selectFrom('contacts').select('assigned_to').where('id', '=', open).executeTakeFirstOrThrow()).assigned_to).toBeNull();
  });
});

describe('the safe-contact card', () => {
  it('shows whom to ask for and the numbers (audited), whether the other party lives there, and nothing of them', async () => {
    const p = await freshProgramme();
    const db = s.database.db;
    const { contactIds } = await seedDossier(db, s.keys, { programmeId: p, factsOn: '2025-02-03' }, [
      {
        identity: { lastName: 'Janssens', firstName: 'Lies', mobile: '+32470111222', phone: '+3289112233', street: 'Kerkstraat', houseNumber: '12' },
        assignedTo: userA.id,
        language: 'nl',
      },
      { identity: { lastName: 'Vermeulen', firstName: 'Koen', mobile: '+32470333444', street: 'KERKSTRAAT ', houseNumber: '12' }, role: 'suspect' },
    ]);
    const [victim, other] = contactIds as [string, string];
    const r = await callerA.request('GET', url(p, `/contacts/${victim}/card`));
    expect(r.statusCode, r.body).toBe(200);
    const card = r.json();
    expect(card.identity).toEqual({
      firstName: 'Lies',
      lastName: 'Janssens',
      phones: [
        { kind: 'mobile', number: '+32470111222' },
        { kind: 'phone', number: '+3289112233' },
      ],
    });
    expect(card.dossier).toMatchObject({ municipality: 'Genk', factsOn: '2025-02-03', ref: expect.stringMatching(/^D-/) });
    expect(card.contact).toMatchObject({ id: victim, language: 'nl', hasPhone: true, attemptCount: 0, status: 'open' });
    expect(card.contact.rule).toMatchObject({ maxAttempts: 3, applies: true, phoneAttempts: 0, attemptsLeft: 3, callNow: { ok: true, reason: null } });
    expect(card.contact.closeOptions).toEqual([]);
    expect(card.safety).toMatchObject({
      otherPartySameAddress: true,
      voicemail: 'never',
      voicemailSource: 'programme',
      someoneElseAnswered: false,
      instruction: null,
    });
    // Nothing of the other person: not their name, number or street.
    for (const t of ['Vermeulen', 'Koen', '+32470333444', 'KERKSTRAAT', 'Kerkstraat', other]) expect(r.body).not.toContain(t);
    // The reads are audited: this contact for the call, the other one for the comparison only.
    const events = await db
      .selectFrom('audit_events')
      .select(['record_id', 'purpose', 'actor_user_id'])
      .where('action', '=', 'contact.identity_read')
      .where('record_id', 'in', [victim, other])
      .execute();
    expect(events).toEqual(
      expect.arrayContaining([
        { record_id: victim, purpose: 'outreach_call', actor_user_id: userA.id },
        { record_id: other, purpose: 'outreach_same_address_check', actor_user_id: userA.id },
      ]),
    );
    expect(
      (await db.selectFrom('contact_safety').select('other_party_same_address').where('contact_id', '=', victim).executeTakeFirstOrThrow())
        .other_party_same_address,
    ).toBe(true);
    // Known now: the next card does not open the other person again.
    await callerA.request('GET', url(p, `/contacts/${victim}/card`));
    const again = await db.selectFrom('audit_events').select('seq').where('action', '=', 'contact.identity_read').where('record_id', '=', other).execute();
    expect(again).toHaveLength(1);
  });

  it('answers false for another address and unknown without one', async () => {
    const p = await freshProgramme();
    const db = s.database.db;
    const apart = await seedDossier(db, s.keys, { programmeId: p }, [
      { identity: { lastName: 'Claes', firstName: 'Mia', mobile: '+32470000001', street: 'Stationsstraat', houseNumber: '3', box: 'A' }, assignedTo: userA.id },
      { identity: { lastName: 'Claes', firstName: 'Tom', street: 'Stationsstraat', houseNumber: '3', box: 'B' } },
    ]);
    const unknown = await seedDossier(db, s.keys, { programmeId: p }, [
      { identity: { lastName: 'Wouters', firstName: 'Ann', mobile: '+32470000002', street: 'Markt', houseNumber: '1' }, assignedTo: userA.id },
      { identity: { lastName: 'Wouters', firstName: 'Bart' } },
    ]);
    const alone = await seedWorkContact(
      db,
      s.keys,
      { programmeId: p },
      { identity: { lastName: 'Smets', mobile: '+32470000003', street: 'Markt', houseNumber: '2' }, assignedTo: userA.id },
    );
    const sameOf = async (id: string) => (await callerA.request('GET', url(p, `/contacts/${id}/card`))).json().safety.otherPartySameAddress;
    expect(await sameOf(apart.contactIds[0] as string)).toBe(false);
    expect(await sameOf(unknown.contactIds[0] as string)).toBeNull();
    expect(await sameOf(alone)).toBeNull();
  });

  it('records safety information sealed and audited without its content; someone else answering tells the caller to end the call', async () => {
    const p = await freshProgramme();
    const db = s.database.db;
    const c = await seedWorkContact(db, s.keys, { programmeId: p }, { assignedTo: userA.id });
    await coordinator.request('PUT', url(p, '/outreach/settings'), {
      maxAttempts: 3,
      distinctDays: true,
      distinctParts: true,
      leaseMinutes: 30,
      voicemail: 'neutral',
    });
    expect((await callerA.request('GET', url(p, `/contacts/${c}/card`))).json().safety).toMatchObject({ voicemail: 'neutral', voicemailSource: 'programme' });
    const put = await callerA.request('PUT', url(p, `/contacts/${c}/safety`), {
      voicemail: 'never',
      safeParts: ['evening', 'morning', 'evening'],
      askFor: 'Vraag naar mevrouw Lies',
      safeHours: 'Na 19u, als haar partner werkt',
      notes: 'Spreekt liever Frans',
      otherPartySameAddress: false,
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({
      voicemail: 'never',
      voicemailSource: 'contact',
      safeParts: ['evening', 'morning'],
      askFor: 'Vraag naar mevrouw Lies',
      safeHours: 'Na 19u, als haar partner werkt',
      notes: 'Spreekt liever Frans',
      otherPartySameAddress: false,
    });
    const row = await db.selectFrom('contact_safety').selectAll().where('contact_id', '=', c).executeTakeFirstOrThrow();
    expect(row.sealed).not.toContain('Lies');
    expect(row.sealed).not.toContain('19u');
    const audit = await db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'contact.safety_update')
      .where('record_id', '=', c)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(audit.details)).not.toMatch(/Lies|19u|Frans/);
    expect(audit.details).toEqual({ fields: ['voicemail', 'safeParts', 'askFor', 'safeHours', 'notes', 'otherPartySameAddress'] });
    // A partial change keeps the rest; null clears.
    const patch = await callerA.request('PUT', url(p, `/contacts/${c}/safety`), { notes: null, voicemail: null });
    expect(patch.json()).toMatchObject({ notes: null, voicemail: 'neutral', voicemailSource: 'programme', askFor: 'Vraag naar mevrouw Lies' });
    // Someone else answered.
    await db.updateTable('contact_safety').set({ someone_else_answered: true }).where('contact_id', '=', c).execute();
    const card = (await callerA.request('GET', url(p, `/contacts/${c}/card`))).json();
    expect(card.safety).toMatchObject({ someoneElseAnswered: true, instruction: 'end_call_without_reason', otherPartySameAddress: false });
    expect((await callerB.request('PUT', url(p, `/contacts/${c}/safety`), { notes: 'x' })).statusCode).toBe(404);
    expect((await callerA.request('PUT', url(p, `/contacts/${c}/safety`), { safeParts: ['night'] })).statusCode).toBe(400);
  });

  it('shows no identity once retention has purged it', async () => {
    const p = await freshProgramme();
    const db = s.database.db;
    const c = await seedWorkContact(db, s.keys, { programmeId: p }, { assignedTo: userA.id });
    await db.deleteFrom('contact_identities').where('contact_id', '=', c).execute();
    await db.updateTable('contacts').set({ status: 'closed', outcome: 'unreachable', purged_at: new Date() }).where('id', '=', c).execute();
    const r = await callerA.request('GET', url(p, `/contacts/${c}/card`));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().identity).toBeNull();
    expect(r.json().contact).toMatchObject({ status: 'closed', outcome: 'unreachable', closeOptions: [] });
  });
});
