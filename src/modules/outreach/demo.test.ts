/**
 * The demo's outreach history on a real database: after the demo, the demo programme's funnel
 * adds up and has every line filled, every state of a contact occurs, the demo caller has a
 * worklist and can claim from it, escalations and services are there, and the facts keep the
 * rules the API keeps (attempt numbering, the attempt rule, reached_at, closing outcomes,
 * retention). A second run adds nothing; the same seed and moment give the same history.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoCredential, loadDemo } from '../../cli/demo.ts';
import { ephemeralKeyRing } from '../../kernel/vault/keyring.ts';
import { testDatabase } from '../../testing/database.ts';
import type { TestServer } from '../../testing/server.ts';
import { testServer } from '../../testing/server.ts';
import { readContactIdentity } from '../referrals/vault.ts';
import { batchCsv, DEMO_STATES, loadOutreachDemo, type OutreachDemoSummary } from './demo.ts';
import type { Funnel } from './funnel.ts';
import { DEFAULT_RULE, localDay, partOfDay } from './rules.ts';

let s: TestServer;
let creds: DemoCredential[];
let summary: OutreachDemoSummary;
let programmeId: string;
let seconds: number;
const now = new Date();

const credential = (email: string) => creds.find((c) => c.email === email) as DemoCredential;

async function signInAs(email: string) {
  const c = credential(email);
  const user = await s.database.db.selectFrom('users').select(['id', 'organisation_id']).where('email', '=', email).executeTakeFirstOrThrow();
  return s.signIn({ id: user.id, email, password: c.password, totpSecret: c.totpSecret, organisationId: user.organisation_id });
}

beforeAll(async () => {
  s = await testServer();
  creds = (await loadDemo(s.database.db, s.keys)) ?? [];
  const t = performance.now();
  summary = (await loadOutreachDemo(s.database.db, s.keys, { now })) as OutreachDemoSummary;
  seconds = (performance.now() - t) / 1000;
  programmeId = (await s.database.db.selectFrom('programmes').select('id').where('slug', '=', 'hoe-gaat-het-outreach').executeTakeFirstOrThrow()).id;
}, 120_000);
afterAll(() => s?.close());

describe('the demo outreach history', () => {
  it('is loaded in seconds, with a few hundred contacts in every state', () => {
    expect(summary).not.toBeNull();
    // The brief's budget is about 10 s on PGlite; the margin is for a loaded machine.
    expect(seconds).toBeLessThan(30);
    expect(summary.contacts).toBeGreaterThan(250);
    expect(summary.contacts).toBeLessThan(500);
    for (const state of DEMO_STATES.filter((x) => x !== 'reached_pending')) expect(summary.states[state], state).toBeGreaterThan(0);
    for (const status of ['proposed', 'accepted', 'taken_up', 'declined'] as const) expect(summary.referrals[status], status).toBeGreaterThan(0);
    expect(summary.escalations).toBe(2);
    expect(Object.values(summary.states).reduce((a, b) => a + b, 0)).toBe(summary.contacts);
  });

  it('came in through imports of Carma under its protocol, names and numbers sealed in the vault', async () => {
    const db = s.database.db;
    const imports = await db
      .selectFrom('imports')
      .select(['status', 'protocol_id', 'committed_at', 'file_name'])
      .where('programme_id', '=', programmeId)
      .execute();
    expect(imports).toHaveLength(summary.imports);
    expect(imports.every((i) => i.status === 'committed' && i.protocol_id && new Date(i.committed_at as Date).getTime() < now.getTime())).toBe(true);
    const contacts = await db
      .selectFrom('contacts as c')
      .leftJoin('contact_identities as i', 'i.contact_id', 'c.id')
      .select(['c.id', 'i.data'])
      .where('c.programme_id', '=', programmeId)
      .execute();
    expect(contacts).toHaveLength(summary.contacts);
    expect(contacts.every((c) => c.data && !/"lastName"/.test(c.data))).toBe(true);
    const events: unknown[] = [];
    const { identity, pvNumber } = await readContactIdentity(db, s.keys, async (e) => void events.push(e), contacts[0]?.id as string, 'test');
    expect(identity.lastName).toMatch(/\p{L}/u);
    expect(pvNumber).toMatch(/^HA\.55\.L7\.\d{6}\/20\d\d$/);
    expect(events).toHaveLength(1);
  });

  it('never uses a PV number of the sample export (importing the sample after the demo creates all of it)', () => {
    const sample = readFileSync(path.join(process.cwd(), 'test/fixtures/police/police-export-carma.csv'), 'utf8');
    const digits = (text: string) => new Set([...text.matchAll(/HA\.55\.L7\.(\d{6})/g)].map((m) => m[1]));
    const ours = new Set(Array.from({ length: summary.imports }, (_, i) => [...digits(batchCsv(2026, i, '2026-01-15', 16))]).flat());
    expect(ours.size).toBeGreaterThan(100);
    expect([...digits(sample)].filter((d) => ours.has(d))).toEqual([]);
  });

  it('gives a funnel that adds up, every line filled, counting every demo contact', async () => {
    const coordinator = await signInAs('coordinator@demo.haven.test');
    const from = localDay(new Date(now.getTime() - 400 * 86_400_000));
    const r = await coordinator.request('GET', `/api/programmes/${programmeId}/funnel?from=${from}&to=${localDay(now)}`);
    expect(r.statusCode, r.body).toBe(200);
    const f = r.json() as Funnel;
    const count = (line: string) => f.lines.filter((l) => l.line === line).reduce((a, l) => a + l.count, 0);
    const sum = (group: string) => f.lines.filter((l) => l.group === group).reduce((a, l) => a + l.count, 0);
    expect(count('received')).toBe(summary.contacts);
    expect(sum('stage')).toBe(count('received'));
    expect(sum('talk')).toBe(count('reached'));
    expect(sum('referral')).toBe(count('conversation_held'));
    for (const line of [
      'not_informed',
      'unreachable',
      'reached',
      'closed_other',
      'open',
      'refused',
      'conversation_held',
      'referred',
      'not_referred',
      'taken_up',
      'escalated',
    ])
      expect(count(line), line).toBeGreaterThan(0);
    expect(count('escalated')).toBe(2);
    expect(count('unreachable')).toBe(summary.states.unreachable);
    expect(f.reachByAttempt.slice(0, 3).every((a) => a.attempts > 0 && a.reached > 0)).toBe(true);
    expect(f.reachByPartOfDay.every((p) => p.attempts > 0)).toBe(true);
  });

  it('keeps the rules the API keeps', async () => {
    const db = s.database.db;
    const contacts = await db
      .selectFrom('contacts')
      .select([
        'id',
        'status',
        'outcome',
        'attempt_count',
        'last_attempt_at',
        'reached_at',
        'received_at',
        'closed_at',
        'closed_by',
        'next_due_at',
        'follow_up_at',
        'lease_holder',
        'has_phone',
      ])
      .select(sql<boolean>`retention_until = closed_at + make_interval(days => 365)`.as('retention_ok'))
      .where('programme_id', '=', programmeId)
      .execute();
    const attempts = await db
      .selectFrom('attempts')
      .select(['contact_id', 'attempt_no', 'at', 'local_day', 'part_of_day', 'channel', 'outcome'])
      .where('programme_id', '=', programmeId)
      .orderBy('contact_id')
      .orderBy('attempt_no')
      .execute();
    const byContact = new Map<string, typeof attempts>();
    for (const a of attempts) byContact.set(a.contact_id, [...(byContact.get(a.contact_id) ?? []), a]);
    for (const c of contacts) {
      const list = byContact.get(c.id) ?? [];
      expect(list.map((a) => a.attempt_no)).toEqual(list.map((_, i) => i + 1));
      expect(c.attempt_count).toBe(list.length);
      if (list.length) expect(new Date(c.last_attempt_at as Date).getTime()).toBe(Math.max(...list.map((a) => new Date(a.at).getTime())));
      for (const a of list) {
        const at = new Date(a.at);
        expect(a.local_day).toBe(localDay(at));
        expect(a.part_of_day).toBe(partOfDay(at));
        expect(at.getTime()).toBeGreaterThanOrEqual(new Date(c.received_at).getTime());
        expect(at.getTime()).toBeLessThanOrEqual(now.getTime());
      }
      const firstReached = list.find((a) => a.outcome === 'reached');
      expect(c.reached_at ? new Date(c.reached_at).getTime() : null).toBe(firstReached ? new Date(firstReached.at).getTime() : null);
      const beforeReached = list.filter((a) => a.channel === 'phone' && (!firstReached || a.attempt_no <= firstReached.attempt_no));
      expect(beforeReached.length).toBeLessThanOrEqual(DEFAULT_RULE.maxAttempts);
      expect(new Set(beforeReached.map((a) => a.local_day)).size).toBe(beforeReached.length);
      expect(new Set(beforeReached.map((a) => a.part_of_day)).size).toBe(beforeReached.length);
      if (!c.has_phone) expect(list.filter((a) => a.channel === 'phone')).toEqual([]);
      expect(c.lease_holder).toBeNull();
      if (c.status === 'closed') {
        expect(c.retention_ok).toBe(true);
        expect(c.next_due_at).toBeNull();
        expect(c.follow_up_at).toBeNull();
        expect(c.closed_by).not.toBeNull();
        if (c.outcome === 'unreachable') expect(beforeReached).toHaveLength(3);
        if (c.outcome === 'conversation' || c.outcome === 'refused') expect(c.reached_at).not.toBeNull();
        if (c.outcome === 'not_informed') expect(!c.has_phone || list.some((a) => a.outcome === 'not_in_service' || a.outcome === 'wrong_person')).toBe(true);
      }
    }
    const conversations = await db
      .selectFrom('conversations as v')
      .innerJoin('contacts as c', 'c.id', 'v.contact_id')
      .select(['v.status', 'v.started_at', 'c.reached_at', 'c.outcome'])
      .where('v.programme_id', '=', programmeId)
      .execute();
    expect(conversations).toHaveLength(summary.conversations);
    expect(conversations.every((v) => v.reached_at && new Date(v.started_at).getTime() > new Date(v.reached_at).getTime())).toBe(true);
    expect(conversations.filter((v) => v.status === 'refused').every((v) => v.outcome === 'refused')).toBe(true);
  });

  it('gives the demo caller a worklist to work', async () => {
    const caller = await signInAs('caller@demo.haven.test');
    const list = await caller.request('GET', `/api/programmes/${programmeId}/worklist?pageSize=100`);
    expect(list.statusCode, list.body).toBe(200);
    const body = list.json() as { items: { state: string; assignedTo: { displayName: string } | null }[]; total: number };
    expect(body.total).toBe(summary.assigned['caller@demo.haven.test']);
    expect(body.total).toBeGreaterThan(0);
    expect(body.items.every((i) => i.assignedTo?.displayName === 'Karim Beller')).toBe(true);
    const claim = await caller.request('POST', `/api/programmes/${programmeId}/worklist/claim`);
    expect(claim.statusCode, claim.body).toBe(200);
    const coordinator = await signInAs('coordinator@demo.haven.test');
    const all = (await coordinator.request('GET', `/api/programmes/${programmeId}/worklist?holder=all&pageSize=100`)).json() as { items: { state: string }[] };
    expect(new Set(all.items.map((i) => i.state))).toEqual(new Set(['follow_up', 'in_progress', 'new', 'not_due']));
    const services = await caller.request('GET', `/api/programmes/${programmeId}/services?pageSize=100`);
    expect(services.json().total).toBe(summary.services);
    const escalations = await s.database.db
      .selectFrom('escalations')
      .select(['acknowledged_at', 'colour', 'contact_id'])
      .where('programme_id', '=', programmeId)
      .execute();
    expect(escalations.map((e) => e.acknowledged_at === null).sort()).toEqual([false, true]);
    const colours = await s.database.db
      .selectFrom('escalations as e')
      .innerJoin('contacts as c', 'c.id', 'e.contact_id')
      .innerJoin('dossiers as d', 'd.id', 'c.dossier_id')
      .select(['e.colour', 'd.colour as dossier', 'c.outcome', 'c.escalated_at'])
      .where('e.programme_id', '=', programmeId)
      .execute();
    for (const c of colours) {
      expect(c.dossier === 'red' || c.dossier === c.colour).toBe(true);
      expect(c.outcome).toBe('escalated');
      expect(c.escalated_at).not.toBeNull();
    }
  });

  it('is not loaded twice', async () => {
    const before = await s.database.db.selectFrom('contacts').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    expect(await loadOutreachDemo(s.database.db, s.keys)).toBeNull();
    const after = await s.database.db.selectFrom('contacts').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('is the same history for the same seed and moment, and every state occurs on another day too', async () => {
    // A Sunday evening after the change to winter time: no calls at weekends, new batches on Friday.
    const at = new Date('2026-10-25T19:30:00Z');
    const runs: OutreachDemoSummary[] = [];
    for (let i = 0; i < 2; i++) {
      const database = await testDatabase();
      try {
        const keys = ephemeralKeyRing();
        await loadDemo(database.db, keys);
        runs.push((await loadOutreachDemo(database.db, keys, { now: at })) as OutreachDemoSummary);
      } finally {
        await database.close();
      }
    }
    expect(runs[1]).toEqual(runs[0]);
    for (const state of DEMO_STATES.filter((x) => x !== 'reached_pending')) expect(runs[0]?.states[state], state).toBeGreaterThan(0);
  }, 120_000);
});
