import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../kernel/config.ts';
import { buildServer } from '../../server/app.ts';
import { parseCookie, type Session, type TestServer, type TestUser, testServer } from '../../testing/server.ts';
import { THROTTLE } from './throttle.ts';

let s: TestServer;
let programmeId: string;
beforeAll(async () => {
  s = await testServer();
  programmeId = (await s.createProgramme()).programmeId;
});
afterAll(() => s.close());

let ipCounter = 10;
/** Every test signs in from its own address, so that the per-IP throttle of one does not reach another. */
const newIp = () => `203.0.113.${ipCounter++}`;

function login(email: string, password: string, opts: { ip?: string; cookie?: string; lang?: string } = {}): Promise<LightMyRequestResponse> {
  return s.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password },
    remoteAddress: opts.ip ?? '127.0.0.1',
    headers: { ...(opts.cookie ? { cookie: opts.cookie } : {}), ...(opts.lang ? { 'accept-language': opts.lang } : {}) },
  });
}
const get = (url: string, cookie: string) => s.app.inject({ method: 'GET', url, headers: { cookie } });
const caller = () => s.createUser([{ role: 'caller', programmeId }]);
const sessionRow = (userId: string) => s.database.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).execute();

describe('login throttling', () => {
  it('refuses the sixth attempt after five wrong passwords, even with the right one, and says for how long', async () => {
    const user = await caller();
    const ip = newIp();
    for (let i = 0; i < THROTTLE.perAccount; i++) {
      const r = await login(user.email, 'wrong password number one', { ip });
      expect(r.statusCode).toBe(401);
      expect(r.json().code).toBe('invalid_credentials');
    }
    const blocked = await login(user.email, user.password, { ip });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['content-type']).toContain('application/problem+json');
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(THROTTLE.windowMs / 1000 - 60);
    expect(retryAfter).toBeLessThanOrEqual(THROTTLE.windowMs / 1000);
    expect(blocked.json()).toMatchObject({ code: 'too_many_attempts', retryAfterSeconds: retryAfter });
    expect(blocked.json().detail).toBe('Too many failed attempts. Try again in 15 minutes.');
    // The same answer in Dutch and French.
    expect((await login(user.email, user.password, { ip, lang: 'nl-BE' })).json().detail).toBe('Te veel mislukte pogingen. Probeer opnieuw over 15 minuten.');
    expect((await login(user.email, user.password, { ip, lang: 'fr-BE,fr;q=0.9' })).json().detail).toBe(
      'Trop de tentatives échouées. Réessayez dans 15 minutes.',
    );
    // The account is throttled from another address too.
    expect((await login(user.email, user.password, { ip: newIp() })).statusCode).toBe(429);
    const audited = await s.database.db
      .selectFrom('audit_events')
      .select(['action', 'outcome'])
      .where('action', 'in', ['auth.login_failed', 'auth.login_throttled'])
      .where((eb) => eb.or([eb('record_id', '=', user.id), eb('action', '=', 'auth.login_throttled')]))
      .execute();
    expect(audited.filter((a) => a.action === 'auth.login_failed')).toHaveLength(5);
    expect(audited.some((a) => a.action === 'auth.login_throttled' && a.outcome === 'denied')).toBe(true);
  });

  it('answers an unknown address exactly like a known one: no enumeration', async () => {
    const ip = newIp();
    const unknown = 'nobody-at-all@example.test';
    const answers: LightMyRequestResponse[] = [];
    for (let i = 0; i <= THROTTLE.perAccount; i++) answers.push(await login(unknown, 'wrong password number one', { ip }));
    expect(answers.slice(0, 5).map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401]);
    expect(answers[5]?.statusCode).toBe(429);
    expect(answers[5]?.json().detail).toContain('15 minutes');
    const known = await caller();
    const wrong = await login(known.email, 'wrong password number one', { ip: newIp() });
    const { requestId: _a, instance: _b, ...a } = wrong.json();
    const { requestId: _c, instance: _d, ...b } = (answers[0] as LightMyRequestResponse).json();
    expect(a).toEqual(b);
    // Upper case and spaces are the same account: they cannot get five more tries.
    const user = await caller();
    const ip2 = newIp();
    for (let i = 0; i < THROTTLE.perAccount; i++) await login(i % 2 ? ` ${user.email.toUpperCase()} ` : user.email, 'wrong password number one', { ip: ip2 });
    expect((await login(user.email, user.password, { ip: ip2 })).statusCode).toBe(429);
  });

  it('limits one address across many accounts', async () => {
    const ip = newIp();
    for (let i = 0; i < THROTTLE.perIp; i++) {
      const r = await login(`spray-${Math.floor(i / 4)}@example.test`, 'wrong password number one', { ip });
      expect(r.statusCode).toBe(401);
    }
    const victim = await caller();
    const blocked = await login(victim.email, victim.password, { ip });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
    // Another address is not blocked, and the account itself is not.
    expect((await login(victim.email, victim.password, { ip: newIp() })).statusCode).toBe(200);
  });

  it('counts attempts sent in parallel: no more than five passwords are tried', async () => {
    const user = await caller();
    const ip = newIp();
    const answers = await Promise.all(Array.from({ length: 12 }, () => login(user.email, 'wrong password number one', { ip })));
    const statuses = answers.map((r) => r.statusCode).sort();
    expect(statuses.filter((c) => c === 401)).toHaveLength(THROTTLE.perAccount);
    expect(statuses.filter((c) => c === 429)).toHaveLength(12 - THROTTLE.perAccount);
    expect((await login(user.email, user.password, { ip: newIp() })).statusCode).toBe(429);
  });

  it('forgets the failures of an account after a successful sign-in', async () => {
    const user = await caller();
    const ip = newIp();
    for (let i = 0; i < THROTTLE.perAccount - 1; i++) await login(user.email, 'wrong password number one', { ip });
    expect((await login(user.email, user.password, { ip })).statusCode).toBe(200);
    for (let i = 0; i < THROTTLE.perAccount - 1; i++) await login(user.email, 'wrong password number one', { ip });
    expect((await login(user.email, user.password, { ip })).statusCode).toBe(200);
  });
});

describe('session lifecycle', () => {
  it('gives a new session id at login and after MFA; signing in again ends the session it came with', async () => {
    const user = await s.createUser('administrator');
    const first = await s.signIn(user);
    const again = await login(user.email, user.password, { cookie: first.cookie });
    expect(again.statusCode).toBe(200);
    const pending = parseCookie(again) as string;
    expect(pending).not.toBe(first.cookie);
    expect((await get('/api/session', first.cookie)).statusCode).toBe(401);
    expect((await get('/api/session', pending)).json().state).toBe('mfa_challenge');
  });

  it('ends the session at once on logout and clears the cookie', async () => {
    const user = await caller();
    const session = await s.signIn(user);
    const other = await s.signIn(user);
    const out = await session.request('POST', '/api/auth/logout');
    expect(out.statusCode).toBe(204);
    const cleared = out.cookies.find((c) => c.name === 'haven_session');
    expect(cleared?.value).toBe('');
    expect(new Date(cleared?.expires as Date).getTime()).toBeLessThan(Date.now());
    const after = await session.request('GET', '/api/session');
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('unauthenticated');
    // Only that session: another sign-in of the same user goes on.
    expect((await other.request('GET', '/api/session')).statusCode).toBe(200);
    const rows = await s.database.db.selectFrom('audit_events').select('action').where('record_id', '=', user.id).where('action', '=', 'auth.logout').execute();
    expect(rows).toHaveLength(1);
  });

  it('ends every session of a deactivated user at once, and refuses their sign-in', async () => {
    const admin = await s.signIn(await s.createUser('administrator'));
    const user = await caller();
    const a = await s.signIn(user);
    const b = await s.signIn(user);
    expect((await a.request('GET', '/api/programmes')).statusCode).toBe(200);
    const off = await admin.request('POST', `/api/users/${user.id}/deactivate`);
    expect(off.statusCode).toBe(200);
    expect(off.json().active).toBe(false);
    expect((await a.request('GET', '/api/programmes')).statusCode).toBe(401);
    expect((await b.request('GET', '/api/session')).statusCode).toBe(401);
    expect(await sessionRow(user.id)).toEqual([]);
    const r = await login(user.email, user.password, { ip: newIp() });
    expect(r.statusCode).toBe(401);
    expect(r.json().code).toBe('invalid_credentials');
    // Reactivated: the user may sign in again.
    expect((await admin.request('POST', `/api/users/${user.id}/reactivate`)).statusCode).toBe(200);
    expect((await login(user.email, user.password, { ip: newIp() })).statusCode).toBe(200);
  });

  it('ends a session idle for 30 minutes', async () => {
    const user = await caller();
    const session = await s.signIn(user);
    const db = s.database.db;
    await db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(Date.now() - 29 * 60_000) })
      .where('user_id', '=', user.id)
      .execute();
    expect((await session.request('GET', '/api/session')).statusCode).toBe(200);
    // That request counted as activity.
    const [row] = await sessionRow(user.id);
    expect(Date.now() - new Date(row?.last_seen_at as Date).getTime()).toBeLessThan(60_000);
    await db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(Date.now() - 30 * 60_000 - 1000) })
      .where('user_id', '=', user.id)
      .execute();
    const r = await session.request('GET', '/api/session');
    expect(r.statusCode).toBe(401);
    expect(r.json().code).toBe('unauthenticated');
  });

  it('ends a session 12 hours after sign-in, however active', async () => {
    const user = await caller();
    const session = await s.signIn(user);
    const [row] = await sessionRow(user.id);
    const lifetime = new Date(row?.expires_at as Date).getTime() - new Date(row?.created_at as Date).getTime();
    expect(Math.abs(lifetime - 12 * 3_600_000)).toBeLessThan(5_000);
    // Activity does not push the end back.
    await s.database.db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(Date.now() - 5 * 60_000) })
      .where('user_id', '=', user.id)
      .execute();
    await session.request('GET', '/api/session');
    const [after] = await sessionRow(user.id);
    expect(new Date(after?.expires_at as Date).getTime()).toBe(new Date(row?.expires_at as Date).getTime());
    await s.database.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', user.id)
      .execute();
    expect((await session.request('GET', '/api/session')).statusCode).toBe(401);
  });

  it('refuses a forged or over-long cookie', async () => {
    expect((await get('/api/session', 'haven_session=forged-value')).statusCode).toBe(401);
    expect((await get('/api/session', `haven_session=${'a'.repeat(5000)}`)).statusCode).toBe(401);
  });
});

describe('CSRF', () => {
  let session: Session;
  beforeAll(async () => {
    session = await s.signIn(await caller());
  });
  const put = (headers: Record<string, string>) =>
    s.app.inject({ method: 'PUT', url: '/api/me/preferences', payload: { locale: 'nl' }, headers: { cookie: session.cookie, ...headers } });

  it('refuses a state-changing request without the token or with a wrong one', async () => {
    for (const headers of [{} as Record<string, string>, { 'x-csrf-token': 'wrong' }, { 'x-csrf-token': '' }, { 'x-csrf-token': `${session.csrf}x` }]) {
      const r = await put(headers);
      expect(r.statusCode).toBe(403);
      expect(r.json().code).toBe('csrf');
    }
    const logout = await s.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: session.cookie } });
    expect(logout.statusCode).toBe(403);
    // Nothing changed, the session lives.
    expect((await session.request('GET', '/api/session')).json().user.locale).toBeNull();
  });

  it('accepts the right token, and reads need none', async () => {
    expect((await put({ 'x-csrf-token': session.csrf })).statusCode).toBe(204);
    expect((await get('/api/session', session.cookie)).json().user.locale).toBe('nl');
  });

  it('uses a token bound to the session: another session’s token is refused', async () => {
    const other = await s.signIn(await caller());
    const r = await put({ 'x-csrf-token': other.csrf });
    expect(r.statusCode).toBe(403);
  });
});

describe('session cookie', () => {
  it('is HttpOnly, SameSite=Strict, for the whole site, and not Secure over plain HTTP', async () => {
    const user = await caller();
    const r = await login(user.email, user.password, { ip: newIp() });
    const header = String(r.headers['set-cookie']);
    expect(header).toMatch(/^haven_session=[A-Za-z0-9_-]{43};/);
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Strict');
    expect(header).toContain('Path=/');
    expect(header).not.toContain('Secure');
    // Only a hash of the cookie is stored.
    const token = (parseCookie(r) as string).split('=')[1] as string;
    const rows = await sessionRow(user.id);
    expect(rows.some((x) => x.id === token)).toBe(false);
  });

  it('is Secure when Haven is served over HTTPS', async () => {
    const config = loadConfig({ NODE_ENV: 'test', HAVEN_DATA_DIR: '/nonexistent', HAVEN_PUBLIC_URL: 'https://haven.genk.be' });
    const app = await buildServer({ config, database: s.database, keys: s.keys, logger: false });
    try {
      const user = await caller();
      const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: user.password }, remoteAddress: newIp() });
      expect(r.statusCode).toBe(200);
      const header = String(r.headers['set-cookie']);
      expect(header).toContain('Secure');
      expect(header).toContain('HttpOnly');
      expect(header).toContain('SameSite=Strict');
    } finally {
      await app.close();
    }
  });
});

describe('password change', () => {
  let user: TestUser;
  let session: Session;
  beforeAll(async () => {
    user = await caller();
    session = await s.signIn(user);
  });

  it('refuses a wrong current password, with the field and a translated message', async () => {
    const r = await session.request(
      'POST',
      '/api/me/password',
      { currentPassword: 'not my password', newPassword: 'a brand new passphrase 42' },
      { 'accept-language': 'nl' },
    );
    expect(r.statusCode).toBe(400);
    expect(r.json().errors).toEqual([{ field: 'currentPassword', code: 'wrong_password', message: 'Het wachtwoord is niet juist.' }]);
    expect((await login(user.email, user.password, { ip: newIp() })).statusCode).toBe(200);
  });

  it('applies the password policy to the new password', async () => {
    const r = await session.request('POST', '/api/me/password', { currentPassword: user.password, newPassword: 'short' });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0]).toMatchObject({ field: 'newPassword', code: 'too_small' });
  });

  it('changes it with the current one, ends the other sessions and keeps this one', async () => {
    const other = await s.signIn(user);
    const r = await session.request('POST', '/api/me/password', { currentPassword: user.password, newPassword: 'a brand new passphrase 42' });
    expect(r.statusCode).toBe(204);
    expect((await session.request('GET', '/api/session')).statusCode).toBe(200);
    expect((await other.request('GET', '/api/session')).statusCode).toBe(401);
    expect((await login(user.email, user.password, { ip: newIp() })).statusCode).toBe(401);
    expect((await login(user.email, 'a brand new passphrase 42', { ip: newIp() })).statusCode).toBe(200);
  });
});
