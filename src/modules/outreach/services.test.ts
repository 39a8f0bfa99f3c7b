/**
 * The directory of services, referrals and follow-up calls through the API, on a real database:
 * who keeps and reads the directory, what a service may say, deactivation instead of deletion,
 * the referral status machine (every move tried), follow-up calls, access to contacts and the
 * audit trail. A contact's reach is set directly (the attempts routes have their own tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session, TestServer, TestUser } from '../../testing/server.ts';
import { testServer } from '../../testing/server.ts';
import { seedContact } from '../referrals/testing.ts';
import { REFERRAL_STATUSES, type ReferralStatus } from './schema.ts';
import { canMove, REFERRAL_MOVES } from './services.ts';

let s: TestServer;
let programmeId: string;
let projectId: string;
let otherProgrammeId: string;
let coordinator: Session;
let callerUser: TestUser;
let caller: Session;
let otherCaller: Session;
let analyst: Session;
let facilitator: Session;
let liaison: Session;
let otherCoordinator: Session;
let cawOrg: string;

const base = () => `/api/programmes/${programmeId}`;
const db = () => s.database.db;

/** A contact of the programme assigned to the caller; reached unless said otherwise. */
async function contact(opts: { reached?: boolean; assignedTo?: string | null; closed?: boolean } = {}) {
  const c = await seedContact(db(), s.keys, { programmeId });
  await db()
    .updateTable('contacts')
    .set({
      assigned_to: opts.assignedTo === undefined ? callerUser.id : opts.assignedTo,
      reached_at: opts.reached === false ? null : new Date(),
      attempt_count: opts.reached === false ? 0 : 1,
      ...(opts.closed ? { status: 'closed', outcome: 'conversation', closed_at: new Date() } : {}),
    })
    .where('id', '=', c.contactId)
    .execute();
  return c.contactId;
}

const SERVICE = {
  name: 'CAW Limburg — onthaal Genk',
  kind: 'caw',
  nisCodes: ['71016'],
  languages: ['nl', 'fr'],
  phone: '+32 89 32 10 00',
  email: 'onthaal@caw.example',
  website: 'https://www.caw.example/limburg',
  description: 'Onthaal zonder afspraak op dinsdag en donderdag.',
};

async function newService(body: Record<string, unknown> = {}) {
  const r = await coordinator.request('POST', `${base()}/services`, { ...SERVICE, organisationId: cawOrg, ...body });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: string; kind: string; active: boolean; referrals: number };
}

async function auditOf(recordId: string) {
  return db().selectFrom('audit_events').select(['action', 'details', 'actor_user_id']).where('record_id', '=', recordId).orderBy('seq').execute();
}

beforeAll(async () => {
  s = await testServer();
  const p = await s.createProgramme();
  programmeId = p.programmeId;
  projectId = p.projectId;
  await db()
    .insertInto('project_municipalities')
    .values([
      { project_id: projectId, nis_code: '71016', name: 'Genk' },
      { project_id: projectId, nis_code: '71002', name: 'As' },
    ])
    .execute();
  otherProgrammeId = (await s.createProgramme()).programmeId;
  cawOrg = (await db().insertInto('organisations').values({ name: 'CAW Limburg', kind: 'caw', nis_code: null }).returning('id').executeTakeFirstOrThrow()).id;
  const grant = (role: 'coordinator' | 'caller' | 'analyst' | 'facilitator' | 'police_liaison') => [{ role, programmeId }];
  coordinator = await s.signIn(await s.createUser(grant('coordinator')));
  callerUser = await s.createUser(grant('caller'));
  caller = await s.signIn(callerUser);
  otherCaller = await s.signIn(await s.createUser(grant('caller')));
  analyst = await s.signIn(await s.createUser(grant('analyst'), { mfa: false }));
  facilitator = await s.signIn(await s.createUser(grant('facilitator')));
  liaison = await s.signIn(await s.createUser(grant('police_liaison')));
  otherCoordinator = await s.signIn(await s.createUser([{ role: 'coordinator', programmeId: otherProgrammeId }]));
}, 120_000);
afterAll(() => s.close());

describe('the directory of services', () => {
  it('a coordinator adds a service; callers read it; the change is audited', async () => {
    const created = await newService();
    expect(created).toMatchObject({
      projectId,
      organisationId: cawOrg,
      organisationName: 'CAW Limburg',
      ...SERVICE,
      active: true,
      referrals: 0,
    });
    const seen = await caller.request('GET', `${base()}/services/${created.id}`);
    expect(seen.statusCode).toBe(200);
    expect(seen.json().name).toBe(SERVICE.name);
    expect((await auditOf(created.id)).map((e) => e.action)).toEqual(['service.create']);
  });

  it('lists with filters: kind, municipality (a service without municipalities serves the whole project), language, active', async () => {
    const peer = await newService({ name: 'Lotgenotengroep partnergeweld', kind: 'peer_group', nisCodes: [], languages: ['nl'], organisationId: null });
    const gpAs = await newService({ name: 'Huisartsenpraktijk As', kind: 'gp', nisCodes: ['71002'], languages: [], organisationId: null });
    const old = await newService({ name: 'Oude dienst', kind: 'other', nisCodes: ['71016'], languages: ['en'], active: false, organisationId: null });
    const list = async (q: string) => {
      const r = await caller.request('GET', `${base()}/services?pageSize=100&${q}`);
      expect(r.statusCode, r.body).toBe(200);
      return (r.json().items as { id: string }[]).map((x) => x.id);
    };
    expect(await list('kind=peer_group')).toEqual([peer.id]);
    const inAs = await list('nisCode=71002');
    expect(inAs).toEqual(expect.arrayContaining([peer.id, gpAs.id]));
    expect(inAs).not.toContain(old.id);
    expect((await list('nisCode=71016')).includes(gpAs.id)).toBe(false);
    // A service whose languages are not stated is offered for any language.
    const french = await list('language=fr');
    expect(french).toEqual(expect.arrayContaining([gpAs.id]));
    expect(french).not.toContain(peer.id);
    expect(await list('active=false')).toEqual([old.id]);
    const all = await caller.request('GET', `${base()}/services?pageSize=2`);
    expect(all.json()).toMatchObject({ page: 1, pageSize: 2 });
    expect(all.json().total).toBeGreaterThanOrEqual(4);
    // Active services come first.
    const everything = await list('');
    expect(everything.at(-1)).toBe(old.id);
  });

  it('refuses what a service cannot say, field by field', async () => {
    const r = await coordinator.request('POST', `${base()}/services`, {
      ...SERVICE,
      organisationId: '00000000-0000-4000-8000-000000000000',
      nisCodes: ['71016', '21004'],
      languages: ['nl', 'xx'],
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors.map((e: { field: string; code: string }) => [e.field, e.code])).toEqual([
      ['organisationId', 'unknown_reference'],
      ['nisCodes.1', 'municipality_unknown'],
      ['languages.1', 'language_unknown'],
    ]);
    const bad = await coordinator.request('POST', `${base()}/services`, {
      ...SERVICE,
      kind: 'shelter',
      phone: '=cmd|calc',
      email: 'not an address',
      website: 'javascript:alert(1)',
    });
    expect(bad.statusCode).toBe(400);
    const codes = Object.fromEntries(bad.json().errors.map((e: { field: string; code: string }) => [e.field, e.code]));
    expect(codes).toEqual({ kind: 'invalid_value', phone: 'phone_unusable', email: 'invalid_format', website: 'invalid_format' });
    const blank = await coordinator.request('POST', `${base()}/services`, { name: 'Politie Carma', kind: 'police', phone: '', email: ' ', website: null });
    expect(blank.statusCode, blank.body).toBe(201);
    expect(blank.json()).toMatchObject({ phone: null, email: null, website: null, nisCodes: [], languages: [], organisationId: null });
    const inactiveOrg = (
      await db()
        .insertInto('organisations')
        .values({ name: 'Gesloten vzw', kind: 'other', nis_code: null, active: false })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const closed = await coordinator.request('POST', `${base()}/services`, { ...SERVICE, organisationId: inactiveOrg });
    expect(closed.json().errors[0]).toMatchObject({ field: 'organisationId', code: 'organisation_inactive' });
  });

  it('PUT replaces every field and audits which changed', async () => {
    const svc = await newService();
    const r = await coordinator.request('PUT', `${base()}/services/${svc.id}`, {
      ...SERVICE,
      name: 'CAW Limburg — Genk',
      languages: ['nl'],
      organisationId: cawOrg,
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ name: 'CAW Limburg — Genk', languages: ['nl'], phone: SERVICE.phone });
    const events = await auditOf(svc.id);
    expect(events.at(-1)).toMatchObject({ action: 'service.update', details: { fields: ['name', 'languages'] } });
    // Omitted optional fields are cleared, as a PUT says.
    const cleared = await coordinator.request('PUT', `${base()}/services/${svc.id}`, { name: 'CAW', kind: 'caw' });
    expect(cleared.json()).toMatchObject({ organisationId: null, phone: null, nisCodes: [], description: '' });
  });

  it('deletes a service nobody was referred to, deactivates one with referrals', async () => {
    const unused = await newService();
    const gone = await coordinator.request('DELETE', `${base()}/services/${unused.id}`);
    expect(gone.statusCode, gone.body).toBe(200);
    expect(gone.json()).toEqual({ outcome: 'deleted', service: null });
    expect((await caller.request('GET', `${base()}/services/${unused.id}`)).statusCode).toBe(404);

    const used = await newService();
    const contactId = await contact();
    expect((await caller.request('POST', `${base()}/contacts/${contactId}/referrals`, { serviceId: used.id })).statusCode).toBe(201);
    const kept = await coordinator.request('DELETE', `${base()}/services/${used.id}`);
    expect(kept.json()).toMatchObject({ outcome: 'deactivated', service: { id: used.id, active: false, referrals: 1 } });
    // The referral keeps its service; nobody can be referred to it any more.
    const referrals = await caller.request('GET', `${base()}/contacts/${contactId}/referrals`);
    expect(referrals.json().items[0]).toMatchObject({ serviceId: used.id, serviceActive: false });
    const again = await caller.request('POST', `${base()}/contacts/${contactId}/referrals`, { serviceId: used.id });
    expect(again.statusCode).toBe(400);
    expect(again.json().errors[0]).toMatchObject({ field: 'serviceId', code: 'service_inactive' });
    expect((await auditOf(used.id)).map((e) => e.action)).toEqual(['service.create', 'service.deactivate']);
    expect((await auditOf(unused.id)).map((e) => e.action)).toEqual(['service.create', 'service.delete']);
  });

  it('keeps the directory to its project and its roles', async () => {
    const svc = await newService();
    // Through another programme's URL the service does not exist.
    expect((await otherCoordinator.request('GET', `/api/programmes/${otherProgrammeId}/services/${svc.id}`)).statusCode).toBe(404);
    expect((await otherCoordinator.request('PUT', `/api/programmes/${otherProgrammeId}/services/${svc.id}`, SERVICE)).statusCode).toBe(404);
    expect((await otherCoordinator.request('GET', `${base()}/services`)).statusCode).toBe(404);
    // Callers read, they do not keep the directory; others see nothing of it.
    expect((await caller.request('POST', `${base()}/services`, SERVICE)).statusCode).toBe(403);
    expect((await caller.request('DELETE', `${base()}/services/${svc.id}`)).statusCode).toBe(403);
    for (const who of [analyst, facilitator, liaison]) expect((await who.request('GET', `${base()}/services`)).statusCode).toBe(403);
  });
});

describe('referrals', () => {
  let caw: { id: string };
  beforeAll(async () => {
    caw = await newService();
  });

  it('refers only a reached contact (409 not_reached)', async () => {
    const contactId = await contact({ reached: false });
    const r = await caller.request('POST', `${base()}/contacts/${contactId}/referrals`, { serviceId: caw.id });
    expect(r.statusCode).toBe(409);
    expect(r.json().code).toBe('not_reached');
    expect(await db().selectFrom('service_referrals').select('id').where('contact_id', '=', contactId).execute()).toEqual([]);
  });

  it('copies the service’s kind at proposal: a later change of the directory does not change it', async () => {
    const svc = await newService({ kind: 'jac', name: 'JAC Genk' });
    const contactId = await contact();
    const r = await caller.request('POST', `${base()}/contacts/${contactId}/referrals`, { serviceId: svc.id });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ contactId, serviceId: svc.id, serviceName: 'JAC Genk', serviceKind: 'jac', status: 'proposed', acceptedAt: null });
    await coordinator.request('PUT', `${base()}/services/${svc.id}`, { name: 'JAC', kind: 'other' });
    const listed = await caller.request('GET', `${base()}/contacts/${contactId}/referrals`);
    expect(listed.json().items).toHaveLength(1);
    expect(listed.json().items[0]).toMatchObject({ serviceKind: 'jac', serviceName: 'JAC' });
    const events = await auditOf(r.json().id);
    expect(events).toEqual([
      expect.objectContaining({
        action: 'referral.create',
        actor_user_id: callerUser.id,
        details: { contactId, serviceId: svc.id, kind: 'jac', status: 'proposed' },
      }),
    ]);
  });

  it('may start accepted, and refuses a service of another project or a conversation of another contact', async () => {
    const contactId = await contact();
    const accepted = await caller.request('POST', `${base()}/contacts/${contactId}/referrals`, { serviceId: caw.id, status: 'accepted' });
    expect(accepted.json()).toMatchObject({ status: 'accepted', acceptedAt: expect.any(String) });
    const otherProject = await s.createProgramme();
    const foreign = (
      await db().insertInto('services').values({ project_id: otherProject.projectId, name: 'Elders', kind: 'caw' }).returning('id').executeTakeFirstOrThrow()
    ).id;
    const r = await caller.request('POST', `${base()}/contacts/${contactId}/referrals`, { serviceId: foreign });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0]).toMatchObject({ field: 'serviceId', code: 'unknown_reference' });
    const strangerConversation = '00000000-0000-4000-8000-000000000001';
    const c = await caller.request('POST', `${base()}/contacts/${contactId}/referrals`, { serviceId: caw.id, conversationId: strangerConversation });
    expect(c.json().errors[0]).toMatchObject({ field: 'conversationId', code: 'conversation_unknown' });
    const taken = await caller.request('POST', `${base()}/contacts/${contactId}/referrals`, { serviceId: caw.id, status: 'taken_up' });
    expect(taken.statusCode).toBe(400);
  });

  it('moves only proposed → accepted → taken up, or to declined from proposed or accepted (every move tried)', async () => {
    const allowed = new Set(['proposed>accepted', 'proposed>declined', 'accepted>taken_up', 'accepted>declined']);
    /** The shortest way to bring a new referral to a status. */
    const path: Record<ReferralStatus, ReferralStatus[]> = { proposed: [], accepted: ['accepted'], taken_up: ['accepted', 'taken_up'], declined: ['declined'] };
    const contactId = await contact();
    for (const from of REFERRAL_STATUSES) {
      for (const to of REFERRAL_STATUSES) {
        const created = await caller.request('POST', `${base()}/contacts/${contactId}/referrals`, { serviceId: caw.id });
        const id = created.json().id as string;
        for (const step of path[from]) {
          expect((await caller.request('PATCH', `${base()}/contacts/${contactId}/referrals/${id}`, { status: step })).statusCode).toBe(200);
        }
        const r = await caller.request('PATCH', `${base()}/contacts/${contactId}/referrals/${id}`, { status: to });
        const ok = allowed.has(`${from}>${to}`);
        expect(r.statusCode, `${from} → ${to}`).toBe(ok ? 200 : 409);
        expect(canMove(from, to), `${from} → ${to}`).toBe(ok);
        if (ok) {
          const stamp = { proposed: 'proposedAt', accepted: 'acceptedAt', taken_up: 'takenUpAt', declined: 'declinedAt' }[to];
          expect(r.json()).toMatchObject({ status: to, [stamp]: expect.any(String) });
        } else {
          expect(r.json().code).toBe('referral_wrong_status');
          const row = await db().selectFrom('service_referrals').select('status').where('id', '=', id).executeTakeFirstOrThrow();
          expect(row.status).toBe(from);
        }
      }
    }
    expect(Object.values(REFERRAL_MOVES).flat().length).toBe(allowed.size);
  });

  it('keeps the history of a referral in its timestamps and the audit trail', async () => {
    const contactId = await contact();
    const id = (await caller.request('POST', `${base()}/contacts/${contactId}/referrals`, { serviceId: caw.id })).json().id;
    await caller.request('PATCH', `${base()}/contacts/${contactId}/referrals/${id}`, { status: 'accepted' });
    const done = await caller.request('PATCH', `${base()}/contacts/${contactId}/referrals/${id}`, { status: 'taken_up' });
    expect(done.json()).toMatchObject({ proposedAt: expect.any(String), acceptedAt: expect.any(String), takenUpAt: expect.any(String), declinedAt: null });
    expect((await auditOf(id)).map((e) => [e.action, (e.details as { to?: string }).to ?? null])).toEqual([
      ['referral.create', null],
      ['referral.update', 'accepted'],
      ['referral.update', 'taken_up'],
    ]);
  });

  it('a coordinator records a referral taken up after the contact was closed', async () => {
    const contactId = await contact();
    const id = (await caller.request('POST', `${base()}/contacts/${contactId}/referrals`, { serviceId: caw.id, status: 'accepted' })).json().id;
    await db()
      .updateTable('contacts')
      .set({ status: 'closed', outcome: 'conversation', closed_at: new Date(), assigned_to: null })
      .where('id', '=', contactId)
      .execute();
    // The caller no longer holds the contact; the coordinator sees every contact of the programme.
    expect((await caller.request('PATCH', `${base()}/contacts/${contactId}/referrals/${id}`, { status: 'taken_up' })).statusCode).toBe(404);
    expect((await coordinator.request('PATCH', `${base()}/contacts/${contactId}/referrals/${id}`, { status: 'taken_up' })).statusCode).toBe(200);
  });

  it('404 for a contact the caller does not hold, and for a referral of another contact', async () => {
    const mine = await contact();
    const theirs = await contact({ assignedTo: null });
    expect((await caller.request('GET', `${base()}/contacts/${theirs}/referrals`)).statusCode).toBe(404);
    expect((await caller.request('POST', `${base()}/contacts/${theirs}/referrals`, { serviceId: caw.id })).statusCode).toBe(404);
    expect((await otherCaller.request('GET', `${base()}/contacts/${mine}/referrals`)).statusCode).toBe(404);
    const id = (await caller.request('POST', `${base()}/contacts/${mine}/referrals`, { serviceId: caw.id })).json().id;
    expect((await coordinator.request('PATCH', `${base()}/contacts/${theirs}/referrals/${id}`, { status: 'accepted' })).statusCode).toBe(404);
    // A claim (a lease that has not expired) is as good as an assignment; an expired one is not.
    await db()
      .updateTable('contacts')
      .set({ lease_holder: callerUser.id, lease_until: new Date(Date.now() + 600_000) })
      .where('id', '=', theirs)
      .execute();
    expect((await caller.request('GET', `${base()}/contacts/${theirs}/referrals`)).statusCode).toBe(200);
    await db()
      .updateTable('contacts')
      .set({ lease_until: new Date(Date.now() - 1000) })
      .where('id', '=', theirs)
      .execute();
    expect((await caller.request('GET', `${base()}/contacts/${theirs}/referrals`)).statusCode).toBe(404);
    for (const who of [analyst, facilitator, liaison]) expect((await who.request('GET', `${base()}/contacts/${mine}/referrals`)).statusCode).toBe(403);
  });
});

describe('follow-up calls', () => {
  const inDays = (d: number) => new Date(Date.now() + d * 86_400_000);
  const state = (id: string) => db().selectFrom('contacts').select(['status', 'follow_up_at', 'next_due_at']).where('id', '=', id).executeTakeFirstOrThrow();

  it('schedules a call that brings the open contact back when due, and cancels it', async () => {
    const contactId = await contact();
    const at = inDays(7);
    const r = await caller.request('POST', `${base()}/contacts/${contactId}/follow-up`, { at: at.toISOString() });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ contactId, followUpAt: at.toISOString(), nextDueAt: at.toISOString() });
    expect(await state(contactId)).toEqual({ status: 'open', follow_up_at: at, next_due_at: at });
    const cleared = await caller.request('DELETE', `${base()}/contacts/${contactId}/follow-up`);
    expect(cleared.json()).toEqual({ contactId, followUpAt: null, nextDueAt: null });
    expect((await auditOf(contactId)).map((e) => e.action)).toEqual(['contact.follow_up', 'contact.follow_up_clear']);
  });

  it('leaves alone a due time that the follow-up did not set', async () => {
    const contactId = await contact();
    await caller.request('POST', `${base()}/contacts/${contactId}/follow-up`, { at: inDays(3).toISOString() });
    const attemptDue = inDays(1);
    await db().updateTable('contacts').set({ next_due_at: attemptDue }).where('id', '=', contactId).execute();
    const r = await caller.request('DELETE', `${base()}/contacts/${contactId}/follow-up`);
    expect(r.json()).toEqual({ contactId, followUpAt: null, nextDueAt: attemptDue.toISOString() });
  });

  it('accepts a moment in the future within a year, with its offset', async () => {
    const contactId = await contact();
    const past = await caller.request('POST', `${base()}/contacts/${contactId}/follow-up`, { at: inDays(-1).toISOString() });
    expect(past.statusCode).toBe(400);
    expect(past.json().errors[0]).toMatchObject({ field: 'at', code: 'follow_up_in_past' });
    const far = await caller.request('POST', `${base()}/contacts/${contactId}/follow-up`, { at: inDays(400).toISOString() });
    expect(far.json().errors[0]).toMatchObject({ field: 'at', code: 'follow_up_too_far', message: 'Choose a moment within 366 days.' });
    const noZone = await caller.request('POST', `${base()}/contacts/${contactId}/follow-up`, { at: '2030-01-01T10:00:00' });
    expect(noZone.statusCode).toBe(400);
    const local = `${inDays(30).toISOString().slice(0, 10)}T10:00:00+02:00`;
    const r = await caller.request('POST', `${base()}/contacts/${contactId}/follow-up`, { at: local });
    expect(r.statusCode, r.body).toBe(200);
    expect((await state(contactId)).follow_up_at).toEqual(new Date(local));
  });

  it('only on an open contact (409 contact_closed), and with a referral in the same step', async () => {
    const closed = await contact({ closed: true });
    const r = await coordinator.request('POST', `${base()}/contacts/${closed}/follow-up`, { at: inDays(2).toISOString() });
    expect(r.statusCode).toBe(409);
    expect(r.json().code).toBe('contact_closed');
    expect((await coordinator.request('DELETE', `${base()}/contacts/${closed}/follow-up`)).statusCode).toBe(409);
    const svc = await newService();
    const viaReferral = await coordinator.request('POST', `${base()}/contacts/${closed}/referrals`, { serviceId: svc.id, followUpAt: inDays(2).toISOString() });
    expect(viaReferral.statusCode).toBe(409);
    expect(await db().selectFrom('service_referrals').select('id').where('contact_id', '=', closed).execute()).toEqual([]);

    const open = await contact();
    const at = inDays(14);
    const both = await caller.request('POST', `${base()}/contacts/${open}/referrals`, { serviceId: svc.id, followUpAt: at.toISOString() });
    expect(both.statusCode, both.body).toBe(201);
    expect(await state(open)).toMatchObject({ status: 'open', follow_up_at: at, next_due_at: at });
  });

  it('404 for a contact the caller does not hold', async () => {
    const theirs = await contact({ assignedTo: null });
    expect((await caller.request('POST', `${base()}/contacts/${theirs}/follow-up`, { at: inDays(2).toISOString() })).statusCode).toBe(404);
    expect((await caller.request('DELETE', `${base()}/contacts/${theirs}/follow-up`)).statusCode).toBe(404);
  });
});
