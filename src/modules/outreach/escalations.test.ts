/**
 * Escalation end to end: a marked answer raises one at once (dossier colour raised, contact closed
 * as escalated, the coordinator's list shows it first, by e-mail too), the caller's own judgment
 * raises one by hand (note sealed, read by the coordinator with an audit event), acknowledging,
 * and who may do what. The e-mail goes to a tiny SMTP server inside the test, and must not carry
 * anything about the person; a mail server that is down never fails the escalation.
 */
import { once } from 'node:events';
import net from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session, TestServer, TestUser } from '../../testing/server.ts';
import { testServer } from '../../testing/server.ts';
import { activeProtocol, policeZone } from '../referrals/testing.ts';
import { reachedContact } from './conversations.fixture.ts';
import { colourOf, escalationNotice } from './escalations.ts';

interface Received {
  to: string[];
  data: string;
}

/** A minimal SMTP server: enough of RFC 5321 for one client to hand over messages. */
async function smtpSink() {
  const received: Received[] = [];
  const waiting: Array<(m: Received) => void> = [];
  const server = net.createServer((socket) => {
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let current: Received = { to: [], data: '' };
    socket.write('220 sink.test ESMTP\r\n');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          current.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          const waiter = waiting.shift();
          if (waiter) waiter(current);
          else received.push(current);
          current = { to: [], data: '' };
          socket.write('250 queued\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.split(' ')[0]?.toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 sink.test\r\n');
        else if (verb === 'RCPT') {
          current.to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
          socket.write('250 ok\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go on\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    next(timeoutMs = 5000): Promise<Received> {
      const ready = received.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no mail arrived')), timeoutMs);
        waiting.push((m) => {
          clearTimeout(timer);
          resolve(m);
        });
      });
    },
    pending: () => received.length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The readable text of a message: quoted-printable soft breaks and escapes undone. */
const readable = (data: string) =>
  Buffer.from(
    data.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
    'latin1',
  ).toString('utf8');

let s: TestServer;
let sink: Awaited<ReturnType<typeof smtpSink>>;
let programmeId: string;
let programmeName: string;
let protocolId: string;
let coordinatorUser: TestUser;
let coordinator: Session;
let caller: Session;
let callerId: string;
let otherCaller: Session;
let facilitator: Session;

const api = (path: string) => `/api/programmes/${programmeId}${path}`;

beforeAll(async () => {
  sink = await smtpSink();
  s = await testServer({ env: { HAVEN_SMTP_URL: `smtp://127.0.0.1:${sink.port}`, HAVEN_MAIL_FROM: 'Haven <haven@genk.test>' } });
  const p = await s.createProgramme('hoe-gaat-het-genk');
  programmeId = p.programmeId;
  programmeName = (await s.database.db.selectFrom('programmes').select('name').where('id', '=', programmeId).executeTakeFirstOrThrow()).name;
  const zone = await policeZone(s.database.db);
  protocolId = await activeProtocol(s.database.db, { programmeId, senderOrganisationId: zone, receiverOrganisationId: s.organisationId });
  coordinatorUser = await s.createUser([{ role: 'coordinator', programmeId }]);
  coordinator = await s.signIn(coordinatorUser);
  const callerUser = await s.createUser([{ role: 'caller', programmeId }]);
  callerId = callerUser.id;
  caller = await s.signIn(callerUser);
  otherCaller = await s.signIn(await s.createUser([{ role: 'caller', programmeId }]));
  facilitator = await s.signIn(await s.createUser([{ role: 'facilitator', programmeId }]));
});
afterAll(async () => {
  await s.close();
  await sink.close();
});

async function contactState(contactId: string) {
  return s.database.db
    .selectFrom('contacts as c')
    .innerJoin('dossiers as d', 'd.id', 'c.dossier_id')
    .select(['c.status', 'c.outcome', 'c.escalated_at', 'c.lease_holder', 'c.closed_by', 'd.colour'])
    .where('c.id', '=', contactId)
    .executeTakeFirstOrThrow();
}

describe('a marked answer', () => {
  let contactId: string;
  let dossierId: string;
  let conversationId: string;
  let escalationId: string;

  beforeAll(async () => {
    // Claimed, not assigned: the escalation ends the claim in mid-call.
    const c = await reachedContact(s.database.db, s.keys, { programmeId, protocolId, assignedTo: null });
    contactId = c.contactId;
    dossierId = c.dossierId;
    await s.database.db
      .updateTable('contacts')
      .set({ lease_holder: callerId, lease_until: sql`now() + interval '30 minutes'` })
      .where('id', '=', contactId)
      .execute();
    const r = await caller.request('POST', api(`/contacts/${contactId}/conversations`), {});
    expect(r.statusCode, r.body).toBe(201);
    conversationId = r.json().id;
  });

  it('raises an escalation at once: red for strangulation, the dossier red, the contact closed as escalated', async () => {
    const r = await caller.request('PUT', api(`/conversations/${conversationId}/answers`), {
      answers: { 'how-are-you': 2, strangulation: true, threats: false },
    });
    expect(r.statusCode, r.body).toBe(200);
    const e = r.json().escalation;
    expect(e).toMatchObject({
      contactId,
      dossierId,
      conversationId,
      raisedBy: callerId,
      recipient: 'veilig_huis',
      urgency: 'today',
      colour: 'red',
      reasons: ['strangulation'],
      dossierColour: 'red',
      contactClosed: true,
      acknowledgedAt: null,
    });
    escalationId = e.id;
    expect(r.json().conversation.escalations.map((x: { id: string }) => x.id)).toEqual([escalationId]);
    const state = await contactState(contactId);
    expect(state).toMatchObject({ status: 'closed', outcome: 'escalated', lease_holder: null, closed_by: callerId, colour: 'red' });
    expect(state.escalated_at).toBeInstanceOf(Date);
    const audit = await s.database.db
      .selectFrom('audit_events')
      .select(['action', 'details'])
      .where('record_id', 'in', [escalationId, contactId])
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['escalation.raise', 'contact.close']);
    expect(audit[0]?.details).toMatchObject({ automatic: true, reasons: ['strangulation'], dossierColour: { from: 'green', to: 'red' } });
  });

  it('tells the programme’s coordinators by e-mail, with a link and nothing about the person', async () => {
    const mail = await sink.next();
    expect(mail.to).toEqual([coordinatorUser.email]);
    const text = readable(mail.data);
    expect(text).toContain(`Subject: Haven: a new escalation (today) in ${programmeName}`);
    expect(text).toContain(`http://127.0.0.1:8080/escalations?programme=${programmeId}`);
    for (const personal of ['Peeters', 'An ', '+32470123456', '0470', contactId, dossierId, conversationId, 'strangulation', 'HA.55']) {
      expect(text).not.toContain(personal);
    }
  });

  it('lets the caller finish the conversation; a reason already raised is not raised twice, a new one is', async () => {
    const same = await caller.request('PUT', api(`/conversations/${conversationId}/answers`), { answers: { strangulation: true } });
    expect(same.statusCode, same.body).toBe(200);
    expect(same.json().escalation).toBeNull();
    const threats = await caller.request('PUT', api(`/conversations/${conversationId}/answers`), { answers: { threats: true } });
    expect(threats.json().escalation).toMatchObject({ reasons: ['threats'], colour: 'orange', dossierColour: 'red', contactClosed: false });
    await sink.next();
    // Never lowered: the dossier stays red.
    expect((await contactState(contactId)).colour).toBe('red');
    const done = await caller.request('POST', api(`/conversations/${conversationId}/finish`), { outcome: 'held', close: true });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().contact).toEqual({ status: 'closed', outcome: 'escalated' });
  });

  it('is in the coordinator’s list, open ones first; acknowledged once', async () => {
    const list = await coordinator.request('GET', api('/escalations'));
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json()).toMatchObject({ total: 2, open: 2 });
    const ack = await coordinator.request('POST', api(`/escalations/${escalationId}/acknowledge`));
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json()).toMatchObject({ id: escalationId, acknowledgedAt: expect.any(String) });
    const twice = await coordinator.request('POST', api(`/escalations/${escalationId}/acknowledge`));
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('escalation_acknowledged');
    const after = (await coordinator.request('GET', api('/escalations'))).json();
    expect(after.open).toBe(1);
    expect(after.items.map((e: { id: string; acknowledgedAt: string | null }) => e.acknowledgedAt === null)).toEqual([true, false]);
    expect(after.items[1].id).toBe(escalationId);
    const open = (await coordinator.request('GET', api('/escalations?state=open'))).json();
    expect(open.items.map((e: { id: string }) => e.id)).not.toContain(escalationId);
  });
});

describe('the caller’s own judgment', () => {
  let contactId: string;
  let escalationId: string;
  const note = 'Hoorde geschreeuw op de achtergrond, ze fluisterde.';

  beforeAll(async () => {
    contactId = (await reachedContact(s.database.db, s.keys, { programmeId, protocolId, assignedTo: callerId })).contactId;
  });

  it('is refused to whoever may not work the contact', async () => {
    const body = { recipient: 'police', urgency: 'immediate', reasons: ['caller_judgment'] };
    expect((await otherCaller.request('POST', api(`/contacts/${contactId}/escalations`), body)).statusCode).toBe(404);
    expect((await facilitator.request('POST', api(`/contacts/${contactId}/escalations`), body)).statusCode).toBe(403);
    expect((await caller.request('GET', api('/escalations'))).statusCode).toBe(403);
  });

  it('raises an orange escalation with a sealed note; the green dossier becomes orange', async () => {
    const r = await caller.request('POST', api(`/contacts/${contactId}/escalations`), {
      recipient: 'police',
      urgency: 'immediate',
      reasons: ['caller_judgment'],
      note,
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({
      recipient: 'police',
      urgency: 'immediate',
      colour: 'orange',
      reasons: ['caller_judgment'],
      hasNote: true,
      dossierColour: 'orange',
      contactClosed: true,
    });
    escalationId = r.json().id;
    expect(await contactState(contactId)).toMatchObject({ status: 'closed', outcome: 'escalated', colour: 'orange' });
    const raw = await sql<{ t: string }>`SELECT row_to_json(e)::text AS t FROM escalations e WHERE id = ${escalationId}`.execute(s.database.db);
    expect(raw.rows[0]?.t).not.toContain('geschreeuw');
    const mail = readable((await sink.next()).data);
    expect(mail).toContain('(immediate)');
    expect(mail).not.toContain('geschreeuw');
  });

  it('is read by the coordinator with the note opened, and the read is audited', async () => {
    const r = await coordinator.request('GET', api(`/escalations/${escalationId}`));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().note).toBe(note);
    const reads = await s.database.db
      .selectFrom('audit_events')
      .select('actor_user_id')
      .where('record_id', '=', escalationId)
      .where('action', '=', 'escalation.read')
      .execute();
    expect(reads).toEqual([{ actor_user_id: coordinatorUser.id }]);
  });

  it('may ask for red, and a red escalation makes an orange dossier red', async () => {
    const r = await caller.request('POST', api(`/contacts/${contactId}/escalations`), {
      recipient: 'veilig_huis',
      urgency: 'today',
      reasons: ['children_in_danger'],
      colour: 'red',
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ colour: 'red', dossierColour: 'red', contactClosed: false });
    await sink.next();
  });
});

describe('when the mail server is down', () => {
  it('the escalation is raised all the same', async () => {
    await sink.close();
    const { contactId } = await reachedContact(s.database.db, s.keys, { programmeId, protocolId, assignedTo: callerId });
    const r = await caller.request('POST', api(`/contacts/${contactId}/escalations`), {
      recipient: 'case_consultation',
      urgency: 'this_week',
      reasons: ['threats'],
    });
    expect(r.statusCode, r.body).toBe(201);
    expect((await contactState(contactId)).outcome).toBe('escalated');
  });
});

describe('the notice and the colour', () => {
  it('are worded in each language without anything but the programme, the urgency and the link', () => {
    for (const locale of ['nl', 'fr', 'en', 'de'] as const) {
      const n = escalationNotice(locale, {
        programmeName: 'Hoe gaat het met u? Genk',
        urgency: 'today',
        link: 'https://haven.genk.be/escalations?programme=x',
      });
      expect(n.subject).toContain('Hoe gaat het met u? Genk');
      expect(n.text).toContain('https://haven.genk.be/escalations?programme=x');
      expect(n.text).not.toMatch(/\{\{|undefined/);
    }
  });

  it('is red for strangulation, weapons, fear for one’s life, or when asked; else orange', () => {
    expect(colourOf(['weapons'])).toBe('red');
    expect(colourOf(['threats', 'fear_for_life'])).toBe('red');
    expect(colourOf(['children_in_danger'])).toBe('orange');
    expect(colourOf(['caller_judgment'], 'red')).toBe('red');
    expect(colourOf(['caller_judgment'], 'orange')).toBe('orange');
  });
});
