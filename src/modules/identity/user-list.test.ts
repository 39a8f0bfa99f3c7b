import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, testServer } from '../../testing/server.ts';
import { listUsers, type UserFilter } from './queries.ts';

// listUsers finds a page's ids first and counts apart (see docs/benchmarks.md): every page, every
// filter and every total must agree with the plain definition of the list.
let s: TestServer;
let programmeA: string;
let programmeB: string;
let otherOrg: string;

beforeAll(async () => {
  s = await testServer();
  programmeA = (await s.createProgramme()).programmeId;
  programmeB = (await s.createProgramme()).programmeId;
  otherOrg = (
    await s.database.db.insertInto('organisations').values({ name: 'CAW Limburg', kind: 'caw', nis_code: null }).returning('id').executeTakeFirstOrThrow()
  ).id;
  const names = ['anna', 'Bert', 'bert', 'Céline', 'dirk', 'Els_1', 'Els%2', 'ELSA', 'Zoë', 'zack', 'Jan Janssens', 'jan peeters'];
  for (let i = 0; i < 37; i++) {
    const name = `${names[i % names.length]} ${i % 5}`;
    const u = await s.createUser(i % 3 === 0 ? [{ role: 'caller', programmeId: programmeA }] : [{ role: 'coordinator', programmeId: programmeB }], {
      mfa: false,
      email: `list-${i}@example.test`,
      organisationId: i % 4 === 0 ? otherOrg : s.organisationId,
    });
    await s.database.db
      .updateTable('users')
      .set({ display_name: name, active: i % 7 !== 3 })
      .where('id', '=', u.id)
      .execute();
  }
});
afterAll(() => s.close());

/** The list by its definition: every user, in name order, filtered in JavaScript. */
async function expected(filter: UserFilter): Promise<string[]> {
  const users = await s.database.db
    .selectFrom('users')
    .select(['id', 'display_name', 'email', 'organisation_id', 'active'])
    .orderBy(sql`lower(display_name)`)
    .orderBy('id')
    .execute();
  const grants = await s.database.db.selectFrom('role_assignments').select(['user_id', 'programme_id']).execute();
  return users
    .filter((u) => !filter.q || u.display_name.toLowerCase().includes(filter.q.toLowerCase()) || u.email.includes(filter.q.toLowerCase()))
    .filter((u) => !filter.organisationId || u.organisation_id === filter.organisationId)
    .filter((u) => filter.active === undefined || u.active === filter.active)
    .filter((u) => !filter.programmeId || grants.some((g) => g.user_id === u.id && g.programme_id === filter.programmeId))
    .map((u) => u.id);
}

describe('the user list', () => {
  const filters: [string, () => UserFilter][] = [
    ['no filter', () => ({})],
    ['text', () => ({ q: 'els' })],
    ['text with a LIKE wildcard taken literally', () => ({ q: 'els_' })],
    ['text with %', () => ({ q: '%' })],
    ['e-mail', () => ({ q: 'list-1' })],
    ['organisation', () => ({ organisationId: otherOrg })],
    ['active', () => ({ active: true })],
    ['inactive', () => ({ active: false })],
    ['programme', () => ({ programmeId: programmeA })],
    ['everything at once', () => ({ q: 'e', organisationId: s.organisationId, active: true, programmeId: programmeB })],
    ['nothing matches', () => ({ q: 'nobody by that name' })],
  ];

  it.each(filters)('pages and counts like its definition: %s', async (_label, filter) => {
    const want = await expected(filter());
    const pageSize = 4;
    const seen: string[] = [];
    for (let page = 1; page <= Math.ceil(want.length / pageSize); page++) {
      const r = await listUsers(s.database.db, filter(), page, pageSize);
      expect(r.total).toBe(want.length);
      expect(r.items.length).toBe(Math.min(pageSize, want.length - (page - 1) * pageSize));
      seen.push(...r.items.map((u) => u.id));
    }
    expect(seen).toEqual(want);
    // past the last page: no rows, and still the total
    const past = await listUsers(s.database.db, filter(), Math.ceil(want.length / pageSize) + 2, pageSize);
    expect(past).toEqual({ items: [], total: want.length });
  });

  it('carries the organisation and every role of each user on the page', async () => {
    const r = await listUsers(s.database.db, { programmeId: programmeA }, 1, 100);
    expect(r.items.length).toBeGreaterThan(0);
    for (const u of r.items) {
      if (u.organisationId === otherOrg) expect(u.organisationName).toBe('CAW Limburg');
      else expect(u.organisationName).toMatch(/^Test city/);
      expect(u.roles).toEqual([{ role: 'caller', programmeId: programmeA }]);
    }
  });
});
