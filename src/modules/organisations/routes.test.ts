import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, type TestServer, testServer } from '../../testing/server.ts';

let s: TestServer;
let admin: Session;
beforeAll(async () => {
  s = await testServer();
  admin = await s.signIn(await s.createUser('administrator'));
});
afterAll(() => s.close());

describe('projects and programmes', () => {
  it('creates a project, then changes its period, municipalities and partners', async () => {
    const caw = (await admin.request('POST', '/api/organisations', { name: 'CAW Limburg', kind: 'caw' })).json();
    const created = await admin.request('POST', '/api/projects', {
      slug: 'hoe-gaat-het',
      name: 'Hoe gaat het met u?',
      coordinatingOrganisationId: s.organisationId,
      startsOn: '2023-01-01',
      municipalities: [{ nisCode: '71016', name: 'Genk' }],
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const patched = await admin.request('PATCH', `/api/projects/${id}`, {
      endsOn: '2024-12-31',
      municipalities: [
        { nisCode: '71002', name: 'As' },
        { nisCode: '71016', name: 'Genk' },
      ],
      partnerIds: [caw.id],
    });
    expect(patched.statusCode).toBe(200);
    const p = patched.json();
    expect(p.endsOn).toBe('2024-12-31');
    expect(p.municipalities.map((m: { name: string }) => m.name)).toEqual(['As', 'Genk']);
    // the coordinating city stays a partner beside the new one
    expect(p.partners.map((x: { id: string }) => x.id).sort()).toEqual([caw.id, s.organisationId].sort());
    const bad = await admin.request('PATCH', `/api/projects/${id}`, { endsOn: '2022-01-01' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('endsOn');
  });

  it('renames a programme and audits it', async () => {
    const { programmeId } = await s.createProgramme();
    const res = await admin.request('PATCH', `/api/programmes/${programmeId}`, { name: 'Proactieve contactname' });
    expect(res.statusCode).toBe(200);
    expect(res.json().name).toBe('Proactieve contactname');
    const audit = await admin.request('GET', `/api/audit?action=programme.updated&recordId=${programmeId}`);
    expect(audit.json().total).toBe(1);
  });
});

describe('sign-in in the audit trail', () => {
  it('records the user as the actor of their own successful sign-in', async () => {
    const user = await s.createUser('dpo');
    const session = await s.signIn(user);
    const me = (await session.request('GET', '/api/session')).json();
    expect(me.user.organisationName).toMatch(/^Test city/);
    const rows = (await admin.request('GET', `/api/audit?action=auth.login&recordId=${user.id}`)).json().items;
    const success = rows.find((r: { action: string }) => r.action === 'auth.login');
    expect(success.actorUserId).toBe(user.id);
    expect(success.actorRole).toBe('dpo');
  });
});
