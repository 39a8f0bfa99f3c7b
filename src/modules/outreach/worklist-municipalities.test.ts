/**
 * The municipalities a caller can filter the worklist and the directory by: those of the
 * programme's project, by name, for a caller who may not read projects; nothing of another project.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestServer, testServer } from '../../testing/server.ts';

let s: TestServer;
afterAll(() => s.close());
beforeAll(async () => {
  s = await testServer();
});

it('lists the project’s municipalities by name to a caller of the programme, and nothing of another project', async () => {
  const mine = await s.createProgramme();
  const other = await s.createProgramme();
  await s.database.db
    .insertInto('project_municipalities')
    .values([
      { project_id: mine.projectId, nis_code: '71067', name: 'Zutendaal' },
      { project_id: mine.projectId, nis_code: '71002', name: 'As' },
      { project_id: other.projectId, nis_code: '35013', name: 'Oostende' },
    ])
    .execute();
  const caller = await s.signIn(await s.createUser([{ role: 'caller', programmeId: mine.programmeId }]));
  const r = await caller.request('GET', `/api/programmes/${mine.programmeId}/worklist/municipalities`);
  expect(r.statusCode, r.body).toBe(200);
  expect(r.json()).toEqual({
    items: [
      { nisCode: '71002', name: 'As' },
      { nisCode: '71067', name: 'Zutendaal' },
    ],
  });
  expect((await caller.request('GET', `/api/programmes/${other.programmeId}/worklist/municipalities`)).statusCode).toBe(404);
});
