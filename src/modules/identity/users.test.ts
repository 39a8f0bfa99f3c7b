import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineName } from '../../testing/database.ts';
import { parseCookie, type Session, type TestServer, testServer } from '../../testing/server.ts';
import { issueSetupToken } from './auth.routes.ts';

let s: TestServer;
beforeAll(async () => {
  s = await testServer();
});
afterAll(() => s.close());

const setupBody = (token: string, extra: Record<string, unknown> = {}) => ({
  token,
  organisationName: 'Stad Genk',
  displayName: 'Eerste Beheerder',
  email: 'beheer@genk.example',
  password: 'a long and unusual passphrase',
  ...extra,
});
const postSetup = (body: unknown, lang = 'en') =>
  s.app.inject({ method: 'POST', url: '/api/setup', payload: body as object, headers: { 'accept-language': lang } });

// Runs first, while the database has no account yet.
describe('first setup', () => {
  let token: string;

  it('is needed while no account exists, and the token is issued once per start', async () => {
    expect((await s.app.inject({ method: 'GET', url: '/api/setup' })).json()).toEqual({ needed: true });
    token = (await issueSetupToken(s.database.db)) as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // Only its hash is stored.
    const rows = await s.database.db.selectFrom('setup_tokens').select('token_hash').execute();
    expect(rows.map((r) => r.token_hash)).not.toContain(token);
  });

  it('refuses a wrong token with a field error', async () => {
    const r = await postSetup(setupBody('this-is-not-the-token'), 'nl');
    expect(r.statusCode).toBe(400);
    expect(r.json().errors).toEqual([
      { field: 'token', code: 'setup_token', message: 'Deze installatielink is ongeldig of verlopen. Herstart Haven voor een nieuwe.' },
    ]);
    expect((await s.app.inject({ method: 'GET', url: '/api/setup' })).json()).toEqual({ needed: true });
  });

  it('refuses an expired token', async () => {
    const expired = (await issueSetupToken(s.database.db)) as string;
    await s.database.db
      .updateTable('setup_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('token_hash', '=', createHash('sha256').update(expired).digest('hex'))
      .execute();
    const r = await postSetup(setupBody(expired));
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0]).toMatchObject({ field: 'token', code: 'setup_token' });
  });

  it('applies the password policy', async () => {
    const r = await postSetup(setupBody(token, { password: 'short' }));
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0]).toMatchObject({ field: 'password', code: 'too_small', message: 'Use at least 12 characters.' });
  });

  it('creates the organisation and the administrator, who must enrol MFA next', async () => {
    const r = await postSetup(setupBody(token));
    expect(r.statusCode).toBe(201);
    expect(r.json()).toEqual({ next: 'enrol' });
    const cookie = parseCookie(r) as string;
    const me = await s.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
    expect(me.json()).toMatchObject({ state: 'mfa_enrolment', grants: [{ role: 'administrator', programmeId: null }] });
    expect((await s.app.inject({ method: 'GET', url: '/api/users', headers: { cookie } })).statusCode).toBe(401);
    const user = await s.database.db
      .selectFrom('users')
      .select(['password_hash', 'email'])
      .where('email', '=', 'beheer@genk.example')
      .executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const audit = await s.database.db.selectFrom('audit_events').select('action').where('action', 'in', ['setup.completed', 'user.created']).execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['setup.completed', 'user.created']);
  });

  it('works once: the same token, a new token or a second setup are refused', async () => {
    const again = await postSetup(setupBody(token, { email: 'second@genk.example' }));
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('already_set_up');
    expect(await issueSetupToken(s.database.db)).toBeNull();
    expect((await s.app.inject({ method: 'GET', url: '/api/setup' })).json()).toEqual({ needed: false });
    expect(await s.database.db.selectFrom('users').select('id').where('email', '=', 'second@genk.example').execute()).toEqual([]);
  });
});

describe('user administration', () => {
  let admin: Session;
  let adminId: string;
  let programmeId: string;
  beforeAll(async () => {
    const a = await s.createUser('administrator');
    adminId = a.id;
    admin = await s.signIn(a);
    programmeId = (await s.createProgramme()).programmeId;
  });

  const newUser = (extra: Record<string, unknown> = {}, lang = 'en') =>
    admin.request(
      'POST',
      '/api/users',
      {
        displayName: 'Nieuwe Beller',
        email: `beller-${Math.random().toString(36).slice(2)}@example.test`,
        organisationId: s.organisationId,
        password: 'a long and unusual passphrase',
        roles: [{ role: 'caller', programmeId }],
        ...extra,
      },
      { 'accept-language': lang },
    );
  const fieldErrors = (r: LightMyRequestResponse) => r.json().errors as Array<{ field: string; code: string; message: string }>;

  describe('password policy', () => {
    it.each([
      ['en', 'Use at least 12 characters.'],
      ['nl', 'Gebruik minstens 12 tekens.'],
      ['fr', 'Utilisez au moins 12 caractères.'],
    ])('refuses fewer than 12 characters (%s)', async (lang, message) => {
      const r = await newUser({ password: 'elevenchars' }, lang);
      expect(r.statusCode).toBe(400);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(fieldErrors(r)).toEqual([{ field: 'password', code: 'too_small', message }]);
    });

    it('refuses more than 128 characters', async () => {
      const r = await newUser({ password: 'x'.repeat(129) });
      expect(fieldErrors(r)).toEqual([{ field: 'password', code: 'too_big', message: 'Use at most 128 characters.' }]);
    });

    it.each(['qwerty123456', 'Password1234', 'iloveyou12345!', '1qaz2wsx3edc'])('refuses the common password %s', async (password) => {
      const r = await newUser({ password });
      expect(r.statusCode).toBe(400);
      expect(fieldErrors(r)).toEqual([{ field: 'password', code: 'password_common', message: 'This password is too common. Choose another.' }]);
    });

    it('accepts 12 characters and 128, and stores an Argon2id hash', async () => {
      for (const password of ['k7#mQ2xr9!pA', `${'é'.repeat(64)}${'z'.repeat(64)}`]) {
        const r = await newUser({ password });
        expect(r.statusCode).toBe(201);
        const row = await s.database.db.selectFrom('users').select('password_hash').where('id', '=', r.json().id).executeTakeFirstOrThrow();
        expect(row.password_hash).toMatch(/^\$argon2id\$/);
        expect(row.password_hash).not.toContain(password);
      }
    });
  });

  describe('roles', () => {
    it('refuses a programme for a global role, and a global scope for a programme role', async () => {
      const global = await newUser({ roles: [{ role: 'administrator', programmeId }] });
      expect(global.statusCode).toBe(400);
      expect(fieldErrors(global)).toEqual([
        { field: 'roles.0.programmeId', code: 'role_is_global', message: 'This role applies everywhere: choose no programme.' },
      ]);
      const scoped = await newUser({ roles: [{ role: 'dpo', programmeId: null }, { role: 'coordinator' }] }, 'fr');
      expect(fieldErrors(scoped)).toEqual([{ field: 'roles.1.programmeId', code: 'role_needs_programme', message: expect.any(String) }]);
      expect(fieldErrors(scoped)[0]?.message).not.toBe('Choose the programme for this role.');
      const put = await admin.request('PUT', `/api/users/${adminId}/roles`, { roles: [{ role: 'caller', programmeId: null }] });
      expect(put.statusCode).toBe(400);
      expect(fieldErrors(put)[0]).toMatchObject({ field: 'roles.0.programmeId', code: 'role_needs_programme' });
    });

    it('refuses an unknown role, an unknown programme and an unknown field', async () => {
      const role = await newUser({ roles: [{ role: 'superuser', programmeId }] });
      expect(fieldErrors(role)[0]).toMatchObject({ field: 'roles.0.role', code: 'invalid_value' });
      const programme = await newUser({ roles: [{ role: 'caller', programmeId: '00000000-0000-4000-8000-000000000000' }] });
      expect(fieldErrors(programme)).toEqual([{ field: 'roles.0.programmeId', code: 'unknown_reference', message: expect.any(String) }]);
      const extra = await newUser({ roles: [{ role: 'caller', programmeId, scope: 'all' }] });
      expect(fieldErrors(extra)).toEqual([{ field: 'roles.0.scope', code: 'unknown_field', message: 'This field is not allowed here.' }]);
    });

    it('refuses a second account with the same e-mail, whatever its case', async () => {
      const first = await newUser({ email: 'Dubbel@Example.test' });
      expect(first.statusCode).toBe(201);
      expect(first.json().email).toBe('dubbel@example.test');
      const second = await newUser({ email: 'dubbel@example.TEST' });
      expect(fieldErrors(second)).toEqual([{ field: 'email', code: 'email_taken', message: 'Another account uses this e-mail address.' }]);
    });
  });

  describe('the last administrator', () => {
    it('cannot be removed or deactivated', async () => {
      // Leave one active administrator: this one.
      await s.database.db
        .updateTable('users')
        .set({ active: false })
        .where('id', '!=', adminId)
        .where('id', 'in', (eb) => eb.selectFrom('role_assignments').select('user_id').where('role', '=', 'administrator'))
        .execute();
      const demote = await admin.request('PUT', `/api/users/${adminId}/roles`, { roles: [{ role: 'dpo', programmeId: null }] });
      expect(demote.statusCode).toBe(409);
      expect(demote.json().code).toBe('last_administrator');
      const self = await admin.request('POST', `/api/users/${adminId}/deactivate`);
      expect(self.statusCode).toBe(409);
      expect(self.json().code).toBe('cannot_deactivate_self');
      // A second administrator: now either may step down, but not both.
      const other = await s.createUser('administrator');
      const otherSession = await s.signIn(other);
      expect((await admin.request('PUT', `/api/users/${adminId}/roles`, { roles: [{ role: 'dpo', programmeId: null }] })).statusCode).toBe(200);
      const last = await otherSession.request('POST', `/api/users/${adminId}/deactivate`);
      expect(last.statusCode).toBe(200);
      const lastDemote = await otherSession.request('PUT', `/api/users/${other.id}/roles`, { roles: [] });
      expect(lastDemote.statusCode).toBe(409);
      expect(lastDemote.json().code).toBe('last_administrator');
      const grants = await s.database.db.selectFrom('role_assignments').select('role').where('user_id', '=', other.id).execute();
      expect(grants).toEqual([{ role: 'administrator' }]);
      admin = otherSession;
      adminId = other.id;
    });

    it.runIf(engineName === 'postgres')('survives two administrators demoting each other at the same moment', async () => {
      for (let round = 0; round < 5; round++) {
        // Exactly two active administrators.
        const a = await s.createUser('administrator');
        const b = await s.createUser('administrator');
        await s.database.db
          .updateTable('users')
          .set({ active: false })
          .where('id', 'not in', [a.id, b.id])
          .where('id', 'in', (eb) => eb.selectFrom('role_assignments').select('user_id').where('role', '=', 'administrator'))
          .execute();
        const [sa, sb] = await Promise.all([s.signIn(a), s.signIn(b)]);
        const results = await Promise.all([
          sa.request('PUT', `/api/users/${b.id}/roles`, { roles: [] }),
          sb.request('PUT', `/api/users/${a.id}/roles`, { roles: [] }),
        ]);
        expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
        const left = await s.database.db
          .selectFrom('role_assignments as r')
          .innerJoin('users as u', 'u.id', 'r.user_id')
          .select('u.id')
          .where('r.role', '=', 'administrator')
          .where('u.active', '=', true)
          .execute();
        expect(left).toHaveLength(1);
      }
    });
  });
});
