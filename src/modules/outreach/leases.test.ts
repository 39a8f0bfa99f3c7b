/**
 * Claims under load: many callers claiming at once never get the same contact, and every due
 * contact of the pool is given exactly once. On PGlite the claims are serialised by its single
 * connection (the answer must still be right); on PostgreSQL (HAVEN_TEST_DATABASE_URL) they run
 * on a pool of connections and through two Haven servers with a pool each, as two processes
 * behind a load balancer would.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../kernel/config.ts';
import { type HavenDatabase, openPostgres } from '../../kernel/db/database.ts';
import { buildServer } from '../../server/app.ts';
import { engineName } from '../../testing/database.ts';
import type { Session, TestServer, TestUser } from '../../testing/server.ts';
import { testServer } from '../../testing/server.ts';
import { type SeedDossier, type SeedPerson, seedWorkContact } from './worklist.fixture.ts';

const CALLERS = 10;
const CLAIMS = 50;
const FREE = 30;

let s: TestServer;
let second: HavenDatabase | undefined;
let apps: FastifyInstance[];
let callers: { user: TestUser; session: Session }[];
let outsider: TestUser;

beforeAll(async () => {
  s = await testServer();
  apps = [s.app];
  if (engineName === 'postgres') {
    const url = new URL(process.env.HAVEN_TEST_DATABASE_URL as string);
    url.pathname = `/${(s.database as HavenDatabase & { name: string }).name}`;
    second = openPostgres(url.toString(), 6);
    const config = loadConfig({ NODE_ENV: 'test', HAVEN_DATA_DIR: '/nonexistent', HAVEN_LOG_LEVEL: 'silent' });
    const other = await buildServer({ config, database: second, keys: s.keys, logger: false });
    await other.ready();
    apps.push(other);
  }
});
afterAll(async () => {
  if (apps?.[1]) await apps[1].close();
  await second?.close();
  await s?.close();
});

/** A programme with CALLERS callers signed in, and a caller of it who claims nothing. */
async function programmeWithCallers(): Promise<string> {
  const { programmeId } = await s.createProgramme();
  callers = [];
  for (let i = 0; i < CALLERS; i++) {
    const user = await s.createUser([{ role: 'caller', programmeId }]);
    callers.push({ user, session: await s.signIn(user) });
  }
  outsider = await s.createUser([{ role: 'caller', programmeId }]);
  return programmeId;
}

/** The i-th request goes through server i mod n, with caller i mod CALLERS's session. */
function claimAs(i: number, url: string): Promise<LightMyRequestResponse> {
  const { session } = callers[i % CALLERS] as { session: Session };
  const app = apps[i % apps.length] as FastifyInstance;
  return app.inject({ method: 'POST', url, headers: { cookie: session.cookie, 'x-csrf-token': session.csrf } });
}

describe(`simultaneous claims (${engineName}${engineName === 'postgres' ? ', two servers' : ''})`, () => {
  it(`${CLAIMS} claims on a pool of ${FREE} give each due contact once, to one caller, and nothing else`, async () => {
    const programmeId = await programmeWithCallers();
    const db = s.database.db;
    const seed = (d: Omit<SeedDossier, 'programmeId'>, p: SeedPerson = {}) => seedWorkContact(db, s.keys, { programmeId, ...d }, p);
    const free = await Promise.all(Array.from({ length: FREE }, (_, i) => seed({ factsOn: `2025-02-${String((i % 27) + 1).padStart(2, '0')}` })));
    // Assigned to three of the callers: only they may get them (oldest interventions: first in their order).
    const assigned = await Promise.all([0, 1, 2].map((i) => seed({ factsOn: '2024-12-01' }, { assignedTo: (callers[i] as { user: TestUser }).user.id })));
    // Never to be given: not due, orange, someone else's, leased by someone else.
    const never = await Promise.all([
      seed({}, { attemptCount: 1, nextDueAt: new Date(Date.now() + 86_400_000) }),
      seed({}, { followUpAt: new Date(Date.now() + 3_600_000) }),
      seed({ colour: 'orange' }),
      seed({}, { assignedTo: outsider.id }),
      seed({}, { leaseHolder: outsider.id, leaseUntil: new Date(Date.now() + 600_000) }),
    ]);

    const url = `/api/programmes/${programmeId}/worklist/claim`;
    const results = await Promise.all(Array.from({ length: CLAIMS }, (_, i) => claimAs(i, url)));

    const given = results.flatMap((r, i) => (r.statusCode === 200 ? [{ contactId: r.json().id as string, caller: i % CALLERS }] : []));
    const refused = results.filter((r) => r.statusCode !== 200);
    expect(
      refused.every((r) => r.statusCode === 409 && r.json().code === 'worklist_empty'),
      refused[0]?.body,
    ).toBe(true);
    const ids = given.map((g) => g.contactId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set([...free, ...assigned]));
    expect(refused).toHaveLength(CLAIMS - FREE - assigned.length);
    for (const [i, id] of assigned.entries()) expect(given.find((g) => g.contactId === id)?.caller).toBe(i);

    // The database agrees: each contact leased by the caller it was given to, once in the audit trail.
    const rows = await db.selectFrom('contacts').select(['id', 'lease_holder', 'lease_until']).where('programme_id', '=', programmeId).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const g of given) expect(byId.get(g.contactId)?.lease_holder).toBe((callers[g.caller] as { user: TestUser }).user.id);
    for (const id of never.slice(0, 4)) expect(byId.get(id)?.lease_holder).toBeNull();
    expect(byId.get(never[4] as string)?.lease_holder).toBe(outsider.id);
    const claims = await db
      .selectFrom('audit_events')
      .select('record_id')
      .where('action', '=', 'contact.claim')
      .where('programme_id', '=', programmeId)
      .execute();
    expect(claims.map((c) => c.record_id).sort()).toEqual([...ids].sort());
  });

  it('gives one contact claimed by id from many callers at once to one of them only', async () => {
    const programmeId = await programmeWithCallers();
    const c = await seedWorkContact(s.database.db, s.keys, { programmeId });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => claimAs(i, `/api/programmes/${programmeId}/contacts/${c}/claim`)));
    const holders = new Set(results.flatMap((r, i) => (r.statusCode === 200 ? [i % CALLERS] : [])));
    expect(holders.size).toBe(1);
    // The others are told nothing about it.
    expect(results.filter((r) => r.statusCode !== 200).every((r) => r.statusCode === 404)).toBe(true);
  });

  it('returns contacts whose lease expired to the pool, to be claimed again once each', async () => {
    const programmeId = await programmeWithCallers();
    const db = s.database.db;
    const pool = await Promise.all(Array.from({ length: 8 }, () => seedWorkContact(db, s.keys, { programmeId })));
    const url = `/api/programmes/${programmeId}/worklist/claim`;
    const first = await Promise.all(Array.from({ length: 8 }, (_, i) => claimAs(i, url)));
    expect(first.every((r) => r.statusCode === 200)).toBe(true);
    expect((await claimAs(9, url)).json().code).toBe('worklist_empty');
    // Half of the leases run out.
    const expired = pool.slice(0, 4);
    await db.updateTable('contacts').set({ lease_until: sql`now() - interval '1 second'` }).where('id', 'in', expired).execute();
    const again = await Promise.all(Array.from({ length: 10 }, (_, i) => claimAs(i + 3, url)));
    const ids = again.filter((r) => r.statusCode === 200).map((r) => r.json().id as string);
    expect(ids.sort()).toEqual([...expired].sort());
    expect(again.filter((r) => r.statusCode === 409)).toHaveLength(6);
  });
});
